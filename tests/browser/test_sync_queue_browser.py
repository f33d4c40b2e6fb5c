"""The sync queue in Chromium: a held job says which gate is missing and an operator closes it by hand; with the
demo connected to the sandbox, a request is delivered and its attempt timeline shows the booking created."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import PRIMARY, _free_port, running_demo, screenshot, sign_in
from .test_handoff_browser import submit_request

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_a_held_job_names_its_gate_and_can_be_closed_by_hand(app):
    submit_request(app, "Quinn Held", submission_id="sync-queue-held-1")
    app.goto(f"/w/{PRIMARY}/sync/?state=held")
    expect(app.get_by_role("heading", name="Sync queue")).to_be_visible()
    row = app.get_by_role("row").filter(has_text="Quinn Held")
    expect(row).to_contain_text("held")
    expect(row).to_contain_text("Customer authorization")
    assert not serious(app)
    row.get_by_role("link", name="Quinn Held").click()
    expect(app.get_by_role("heading", name="Why it waits")).to_be_visible()
    expect(app.get_by_text("Nothing has been sent yet")).to_be_visible()
    expect(app.locator("pre.code").first).to_contain_text('"externalId"')
    screenshot(app, "sync-job-held")
    app.get_by_role("button", name="Mark manual-complete").click()
    expect(app.get_by_text("Say what was done")).to_be_visible()  # a note is required
    app.get_by_label("Note (required to cancel or mark manual-complete)").fill("Booked by phone as job 4411")
    app.get_by_role("button", name="Mark manual-complete").click()
    expect(app.get_by_text("Marked manual-complete.")).to_be_visible()
    expect(app.locator("h1 .badge")).to_have_text("manual-complete")
    assert not serious(app)


@pytest.fixture(scope="module")
def connected_demo(tmp_path_factory, chromium_path) -> Iterator[str]:
    """`pagetojob demo --sandbox-connected` with its own data directory and free ports."""
    with running_demo(tmp_path_factory.mktemp("pagetojob-connected-demo"), "--sandbox-connected",
                      "--sandbox-port", str(_free_port())) as base_url:
        yield base_url


def test_connected_to_the_sandbox_a_request_is_delivered_once(browser, connected_demo):
    context = browser.new_context(base_url=connected_demo, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page)
        submit_request(page, "Riley Delivered", submission_id="sync-queue-sent-1")
        page.goto(f"/w/{PRIMARY}/sync/?q=Riley")
        booking_row = page.get_by_role("row").filter(has_text="Booking handoff")
        for _ in range(40):  # the worker polls every half second
            if "sent" in booking_row.inner_text():
                break
            time.sleep(0.5)
            page.reload()
        expect(booking_row).to_contain_text("sent")
        expect(booking_row).to_contain_text("sandbox")
        booking_row.get_by_role("link", name="Riley Delivered").click()
        expect(page.locator("ol.timeline")).to_contain_text("Created in ServiceTitan as")
        expect(page.locator("ol.timeline")).to_contain_text("/bookings → 200")
        expect(page.get_by_text("Exactly what the worker sends on every try")).to_be_visible()
        assert "client_secret" not in page.content()
        screenshot(page, "sync-job-sent")
        page.goto(f"/w/{PRIMARY}/readiness/")
        expect(page.get_by_text("sandbox").first).to_be_visible()
        # The demo proved its webhook receiver with the sandbox's signed events: that evidence is the gate.
        expect(page.get_by_text("Validated").first).to_be_visible()
        assert "Validation failed" not in page.content()
    finally:
        context.close()
