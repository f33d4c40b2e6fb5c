"""The visitor's side of booking requests in Chromium: the embed on a second origin, the hosted form, a11y.

The host page is served by a tiny http.server on another port of 127.0.0.1, so the snippet, the iframe
and postMessage cross a real origin boundary. Each test submits with its own visitor name.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def test_the_embed_on_another_origin_stores_utms_and_click_ids(app, new_context, host_site):
    app.goto(f"/w/{PRIMARY}/website-form/")
    snippet = app.get_by_label("Snippet to copy")
    expect(snippet).to_have_value(re.compile(r'<script src="http://127\.0\.0\.1:\d+/embed\.js" data-site='))
    origins = app.get_by_label("Allowed origins")
    origins.fill((origins.input_value() + "\n" + host_site).strip())
    app.get_by_role("button", name="Save settings").click()
    expect(app.locator("ul.messages li")).to_contain_text("Website form settings saved.")

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
