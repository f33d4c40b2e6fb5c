"""The handoff screen in Chromium: a demo request's mapping, warnings, key and dry-run calls, with copy buttons."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import PRIMARY, screenshot

pytestmark = pytest.mark.browser


def submit_request(app, name: str, **overrides) -> None:
    body = {
        "submission_id": f"handoff-{name.replace(' ', '-').lower()}",
        "page_url": "https://www.desertpeakair.com/ac-repair-phoenix", "service": "AC Repair",
        "urgency": "today", "preferred_date": (date.today() + timedelta(days=2)).isoformat(),
        "preferred_window": "morning", "name": name, "phone": "(602) 555-0148", "email": "dana@example.com",
        "address": {"street": "1 W Washington St", "city": "Phoenix", "state": "AZ", "zip": "85004"},
        "notes": "Upstairs unit blowing warm <script>alert(1)</script>", "consent_sms": True,
        "customer_type": "new",
        "context": {"landing_page": "https://www.desertpeakair.com/ac-repair-phoenix?utm_source=google",
                    "referrer": "https://www.google.com/", "utm_source": "google", "utm_medium": "cpc",
                    "utm_campaign": "phx-ac-summer", "gclid": "Cj0KCQ-handoff"},
    }
    body.update(overrides)
    response = app.request.post(f"/api/v1/intake/{PRIMARY}/requests", data=json.dumps(body),
                                headers={"Content-Type": "application/json"})
    assert response.status in (200, 201), response.text()


def test_the_handoff_screen_shows_mapping_warnings_key_and_each_dry_run_call(app):
    name = "Dana Handoff"
    submit_request(app, name)
    app.goto(f"/w/{PRIMARY}/requests/?q=Dana")
    app.get_by_role("link", name=name).click()
    app.get_by_role("link", name="See the mapping and the calls it makes").click()
    app.wait_for_load_state()
    assert app.get_by_role("heading", name="Dry run — nothing is sent until the ServiceTitan gates hold").is_visible()
    assert "Customer authorization" in app.locator(".gate-list").inner_text()  # a gate the demo has not recorded
    table = app.locator("table.mapped").inner_text()
    for label in ("Business unit", "Job type", "Campaign", "Zone", "Priority", "Booking provider",
                  "Pricebook service"):
        assert label in table
    assert "HVAC Service" in table and "Phoenix" in table and "High" in table
    key = app.locator("#idempotency-key").inner_text()
    assert key.startswith("p2j-")
    calls = app.locator("article.call")
    assert calls.count() == 2
    first = calls.nth(0).inner_text()
    assert "/crm/v2/tenant/{tenant}/booking-provider/" in first and "Bearer ••••" in first
    assert f'"externalId": "{key}"' in first
    assert "<script>alert(1)</script>" in first  # shown as text, never run
    assert "web-booking-attributions" in calls.nth(1).inner_text()
    assert "‹id of the booking created in step 1›" in calls.nth(1).inner_text()
    app.context.grant_permissions(["clipboard-read", "clipboard-write"])
    calls.nth(0).get_by_role("button", name="Copy request").click()
    expect(calls.nth(0).get_by_role("button", name="Copied")).to_be_visible()
    copied = app.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("POST http") and key in copied
    screenshot(app, "handoff-screen")
    app.get_by_role("link", name="As a lead").click()
    app.wait_for_load_state()
    assert "/crm/v2/tenant/{tenant}/leads" in app.locator("article.call").nth(0).inner_text()
    screenshot(app, "handoff-screen-lead")


def test_warnings_say_in_plain_words_what_to_fix(app):
    name = "Quinn Paused"
    submit_request(app, name, page_url="https://www.desertpeakair.com/no-such-page",
                   address={"street": "5 Ranch Rd", "city": "Queen Creek", "state": "AZ", "zip": "85142"})
    app.goto(f"/w/{PRIMARY}/requests/?q=Quinn")
    app.get_by_role("link", name=name).click()
    app.get_by_role("link", name="See the mapping and the calls it makes").click()
    warnings = app.locator("ul.warnings").inner_text()
    assert "is paused" in warnings and "No job type is mapped" in warnings
    assert warnings.index("blocks sending") < warnings.index("is paused")  # what stops sending comes first
    screenshot(app, "handoff-screen-warnings")
