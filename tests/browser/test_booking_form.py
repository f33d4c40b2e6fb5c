"""The visitor's side of booking requests in Chromium: the embed on a second origin, the hosted form, a11y.

The host page is served by a tiny http.server on another port of 127.0.0.1, so the snippet, the iframe
and postMessage cross a real origin boundary. Each test submits with its own visitor name.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PRIMARY, _free_port, screenshot

pytestmark = pytest.mark.browser

MIN_FILL_MS = 2100
EMERGENCY_PAGE = "https://www.desertpeakair.com/emergency-ac-repair"


@pytest.fixture(scope="module")
def host_site(demo_server: str) -> Iterator[str]:
    """A contractor's page on a second origin that carries only the snippet."""
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Desert Peak — AC repair</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body><main><h1>Fast AC repair in Phoenix</h1>'
            f'<script src="{demo_server}/embed.js" data-site="{PRIMARY}" async></script></main></body></html>')

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fill_visitor(form, name: str, zip_code: str = "85004") -> None:
    form.get_by_label("Full name").fill(name)
    form.get_by_label("Mobile phone").fill("(602) 555-0199")
    form.get_by_label("Street address").fill("1 W Washington St")
    form.get_by_label("City").fill("Phoenix")
    form.get_by_label("ZIP code").fill(zip_code)


def open_request(app, name: str):
    app.goto(f"/w/{PRIMARY}/requests/?q={name}")
    app.get_by_role("link", name=name).click()
    return app


def allow_origin(app, origin: str) -> None:
    """Add the host site to the origins allowed to frame the form, as a contractor would."""
    app.goto(f"/w/{PRIMARY}/website-form/")
    snippet = app.get_by_label("Snippet to copy")
    expect(snippet).to_have_value(re.compile(r'<script src="http://127\.0\.0\.1:\d+/embed\.js" data-site='))
    origins = app.get_by_label("Allowed origins")
    if origin not in origins.input_value().split():
        origins.fill((origins.input_value() + "\n" + origin).strip())
        app.get_by_role("button", name="Save settings").click()
        expect(app.locator("ul.messages li")).to_contain_text("Website form settings saved.")


def test_the_embed_on_another_origin_stores_utms_and_click_ids(app, new_context, host_site):
    allow_origin(app, host_site)

    visitor = new_context().new_page()
    visitor.goto(f"{host_site}/ac-repair?utm_source=google&utm_campaign=Summer%20AC%20Demand&gclid=abc")
    frame = visitor.frame_locator("iframe[title='Request service']")
    fill_visitor(frame, "Embed Visitor")
    expect(frame.locator("#zip-answer")).to_contain_text("Good news — we serve 85004.")
    frame.get_by_label("Today").check()
    visitor.wait_for_function("document.querySelector('iframe').style.height !== '1400px'")  # sized to content
    frame_height = visitor.evaluate("document.querySelector('iframe').offsetHeight")
    content_height = frame.locator("html").evaluate("node => node.scrollHeight")
    assert abs(frame_height - content_height) <= 2
    screenshot(visitor, "embedded_form")
    visitor.wait_for_timeout(MIN_FILL_MS)  # faster than a person can fill the form is treated as a bot
    frame.get_by_role("button", name="Send my request").click()
    expect(frame.get_by_role("heading", name="Thanks — we've received your request")).to_be_visible()
    visitor.wait_for_function(
        "(window.dataLayer || []).some(e => e.event === 'pagetojob_booking_request' && e.urgency === 'today')")
    pushed = visitor.evaluate("window.dataLayer.find(e => e.event === 'pagetojob_booking_request')")
    assert pushed["page_path"] == "/ac-repair" and "Embed Visitor" not in str(pushed)

    detail = open_request(app, "Embed Visitor")
    expect(detail.locator("main")).to_contain_text("Summer AC Demand")
    expect(detail.locator("main")).to_contain_text("google")
    expect(detail.locator("main")).to_contain_text("abc")


def test_out_of_area_zip_gets_a_friendly_answer_and_is_still_stored(app, new_context, demo_server):
    page = new_context().new_page()
    page.goto(f"/f/{PRIMARY}/")
    fill_visitor(page, "Flagstaff Visitor", zip_code="86001")
    expect(page.locator("#zip-answer")).to_have_text(
        "We don't serve 86001 yet. You can still send your request, or call us.")
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Thanks — we've received your request")).to_be_visible()
    assert page.evaluate("window.dataLayer[0].event") == "pagetojob_booking_request"

    app.goto(f"/w/{PRIMARY}/requests/?q=Flagstaff Visitor")
    expect(app.locator("tbody tr", has_text="Flagstaff Visitor")).to_contain_text("out of area")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_only_submission_with_error_summary(new_context):
    page = new_context().new_page()
    page.goto(f"/f/{PRIMARY}/?page_url={EMERGENCY_PAGE}")
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your name.")
    expect(page.locator("#name-error")).to_have_text("Enter your name.")
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")

    for field, text in (("name", "Keyboard Visitor"), ("phone", "602-555-0123"), ("street", "2 Main St"),
                        ("city", "Phoenix"), ("zip", "85004")):
        tab_to(page, field)
        page.keyboard.type(text)
    expect(page.locator("#zip-answer")).to_contain_text("we serve 85004")
    tab_to(page, "consent_sms")
    page.keyboard.press("Space")
    expect(page.locator("#consent_sms")).to_be_checked()
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    confirmation = page.locator("#confirmation")
    expect(confirmation).to_be_focused()
    expect(confirmation).to_contain_text("isn't booked until we confirm it")


def test_a_375px_phone_has_no_horizontal_scroll(new_context):
    page = new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(f"/f/{PRIMARY}/?page_url={EMERGENCY_PAGE}")
    expect(page.locator("#booking-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "hosted_form_mobile")


def test_axe_finds_no_serious_or_critical_violations(new_context):
    from axe_playwright_python.sync_playwright import Axe

    page = new_context().new_page()
    page.goto(f"/f/{PRIMARY}/?page_url={EMERGENCY_PAGE}")
    expect(page.locator(".cta-primary")).to_be_visible()
    screenshot(page, "hosted_form")
    axe = Axe()
    for state in ("fresh", "with errors"):
        if state == "with errors":
            page.get_by_role("button", name="Send my request").click()
            expect(page.locator("#error-summary")).to_be_visible()
        results = axe.run(page)
        serious = [violation for violation in results.response["violations"]
                   if violation["impact"] in ("serious", "critical")]
        assert not serious, f"{state}: " + "; ".join(
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in serious)


@contextmanager
def always_after_hours(data_dir: Path) -> Iterator[None]:
    """Make the demo's clock irrelevant: business hours off, the after-hours emergency rule on all day.

    The demo server reads its rules on every request, so editing its database is enough; the original
    rows come back afterwards for the other tests.
    """
    database = sqlite3.connect(data_dir / "pagetojob.sqlite3", timeout=30)
    saved = database.execute("SELECT id, active, weekdays, starts_at, ends_at FROM sites_capacityrule "
                             "WHERE kind IN ('business_hours', 'after_hours_emergency')").fetchall()
    try:
        with database:
            database.execute("UPDATE sites_capacityrule SET active = 0 WHERE kind = 'business_hours'")
            database.execute("UPDATE sites_capacityrule SET weekdays = '[]', starts_at = NULL, ends_at = NULL "
                             "WHERE kind = 'after_hours_emergency'")
        yield
    finally:
        with database:
            database.executemany("UPDATE sites_capacityrule SET active = ?, weekdays = ?, starts_at = ?, ends_at = ? "
                                 "WHERE id = ?", [(*row[1:], row[0]) for row in saved])
        database.close()


def test_after_hours_an_hvac_page_says_call_now_and_still_takes_requests(new_context, demo_data_dir):
    with always_after_hours(demo_data_dir):
        page = new_context().new_page()
        page.goto(f"/f/{PRIMARY}/?page_url={EMERGENCY_PAGE}")
        cta = page.locator("#cta")
        expect(cta.locator(".cta-primary")).to_have_text("Call now")
        expect(cta.get_by_role("link", name="Call (602) 555-0148")).to_have_attribute("href", "tel:6025550148")
        expect(cta).to_contain_text("Request the next available appointment — use the form below.")
        screenshot(page, "hosted_form_after_hours")
        fill_visitor(page, "After Hours Visitor")
        page.get_by_label("Emergency — as soon as possible").check()
        page.wait_for_timeout(MIN_FILL_MS)
        page.get_by_role("button", name="Send my request").click()
        expect(page.get_by_role("heading", name="Thanks — we've received your request")).to_be_visible()


def test_the_visitors_zip_changes_the_call_to_action_for_paused_and_emergency_only_zones(new_context):
    page = new_context().new_page()
    page.goto(f"/f/{PRIMARY}/?page_url={EMERGENCY_PAGE}")
    page.get_by_label("ZIP code").fill("85142")  # Queen Creek: paused
    expect(page.locator("#zip-answer")).to_contain_text("We're not booking new work in 85142 right now")
    cta = page.locator("#cta")
    expect(cta.locator(".cta-primary")).to_have_text("We're not scheduling in Queen Creek or San Tan Valley right now")
    expect(cta.get_by_role("link", name="Call (602) 555-0148")).to_be_visible()
    page.get_by_label("ZIP code").fill("85326")  # Buckeye: emergencies only
    expect(cta.locator(".cta-primary")).to_have_text("Emergency service only — call now")
    expect(cta.get_by_role("link", name="Call (602) 555-0148")).to_be_visible()
    expect(page.locator("#booking-form")).to_be_visible()  # the request is still taken and stored


def test_the_phone_first_kill_switch_replaces_every_form_with_the_call_button(app, new_context, host_site):
    def switch(to: str) -> None:
        app.goto(f"/w/{PRIMARY}/readiness/")
        row = app.locator("#feature-flags tr", has_text="Phone-first CTA")
        row.get_by_label("Reason").fill("Browser test")
        row.get_by_role("button", name=f"Turn {to}").click()
        expect(app.locator("#feature-flags tr", has_text="Phone-first CTA").locator(".badge")).to_have_text(to)

    allow_origin(app, host_site)
    switch("on")
    try:
        visitor = new_context().new_page()
        for url in (f"/f/{PRIMARY}/", f"/f/{PRIMARY}/?page_url={EMERGENCY_PAGE}"):
            visitor.goto(url)
            expect(visitor.get_by_role("heading", name="Call us to book")).to_be_visible()
            expect(visitor.locator("#booking-form")).to_have_count(0)
            expect(visitor.get_by_role("link", name="Call (602) 555-0148").first).to_be_visible()
        screenshot(visitor, "hosted_form_phone_first")
        host = new_context().new_page()
        host.goto(f"{host_site}/ac-repair")
        frame = host.frame_locator("iframe[title='Request service']")
        expect(frame.get_by_role("heading", name="Call us to book")).to_be_visible()
        expect(frame.locator("#booking-form")).to_have_count(0)
    finally:
        switch("off")
    visitor.goto(f"/f/{PRIMARY}/")
    expect(visitor.locator("#booking-form")).to_be_visible()
