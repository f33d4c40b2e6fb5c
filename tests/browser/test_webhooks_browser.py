"""Webhooks in the browser: set the signing key, validate with the sandbox, read the event log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SECONDARY, screenshot

pytestmark = pytest.mark.browser
KEY = "browser-webhook-key-0123456789abcdefghijklm"


def assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    serious = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "; ".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in serious)


def test_set_the_key_validate_with_the_sandbox_and_see_the_event(app):
    page = app
    page.goto(f"/w/{SECONDARY}/webhooks/")
    expect(page.locator("h1")).to_have_text("ServiceTitan webhooks")
    expect(page.locator(".empty")).to_contain_text("Set the HMAC key")

    page.get_by_role("link", name="Signing settings").first.click()
    page.get_by_label("New HMAC key").fill("too-short")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#error-summary")).to_contain_text("The key is 9 characters")
    page.get_by_label("New HMAC key").fill(KEY)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Webhook settings saved.")
    assert KEY not in page.content()
    expect(page.locator("#receiver-url")).to_have_value(
        page.url.split("/w/")[0] + f"/api/v1/webhooks/servicetitan/{SECONDARY}")
    assert_accessible(page)

    page.goto(f"/w/{SECONDARY}/readiness/")
    gate = page.locator("#connection-gates tr", has_text="Webhook readiness")
    expect(gate).to_contain_text("No signed webhook delivery has been validated")
    page.get_by_role("button", name="Validate webhooks with the sandbox").click()
    expect(page.locator(".messages")).to_contain_text("Webhooks validated: every step passed.")
    evidence = page.locator("#webhook-validation")
    expect(evidence.locator("tbody .badge.ok")).to_have_count(4)
    expect(evidence).to_contain_text("HTTP 401")
    expect(page.locator("#connection-gates tr", has_text="Webhook readiness").locator(".badge.ok")).to_have_text(
        "holds")
    screenshot(page, "webhook_validation")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Include validation events").check()
    page.get_by_role("button", name="Filter").click()
    row = page.locator("#events tbody tr").first
    expect(row).to_contain_text("PageToJob.Validation")
    expect(row.locator(".badge", has_text="applied")).to_be_visible()
    row.locator("summary").click()
    expect(row.locator("pre.payload").first).to_contain_text('"purpose": "webhook readiness validation"')
    expect(page.locator("#rejected")).to_contain_text("invalid signature")
    screenshot(page, "webhook_events")
    assert_accessible(page)
