"""The read-only API import in Chromium: disabled with its gates on the plain demo; on the demo connected to the
sandbox, one click fetches job types on the worker and the page follows the fetch to an import under review."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .conftest import PRIMARY, screenshot, sign_in
from .test_sync_queue_browser import connected_demo, serious  # noqa: F401 - the connected demo fixture

pytestmark = pytest.mark.browser


def test_without_the_gates_the_button_is_disabled_and_says_why(app):
    app.goto(f"/w/{PRIMARY}/imports/")
    card = app.locator("#from-api")
    screenshot(app, "imports-api-gated")
    expect(card.get_by_role("button", name="Fetch from ServiceTitan")).to_be_disabled()
    expect(card).to_contain_text("Not available until every gate holds")
    card.get_by_role("link", name="Open Readiness to see what each gate needs").click()
    app.wait_for_url(f"**/w/{PRIMARY}/readiness/")


def test_connected_one_click_fetches_job_types_into_review(browser, connected_demo):  # noqa: F811
    context = browser.new_context(base_url=connected_demo, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        sign_in(page)
        page.goto(f"/w/{PRIMARY}/imports/")
        card = page.locator("#from-api")
        card.get_by_label("What to fetch").select_option(label="Job types")
        card.get_by_role("button", name="Fetch from ServiceTitan").click()
        expect(page.get_by_text("Fetching job types from ServiceTitan")).to_be_visible()
        link = page.locator("#api-runs").get_by_role("link", name="Open the import")
        for _ in range(40):  # htmx polls every 2 s and reloads the page when the fetch is handed to review
            if link.count():
                break
            time.sleep(0.5)
        expect(link).to_be_visible()
        expect(page.locator("#api-runs")).to_contain_text("handed to review")
        assert serious(page) == []
        screenshot(page, "imports-from-api")
        link.click()
        expect(page.get_by_role("heading", name="ServiceTitan API — job types", exact=False)).to_be_visible(
            timeout=20_000)
        for _ in range(40):
            if "Accept" in page.content() and "Reading" not in page.content():
                break
            time.sleep(0.5)
            page.reload()
        screenshot(page, "import-from-api-review")
    finally:
        context.close()
