"""The drift monitor in Chromium: the report, triage from the list, the zone review and the exports."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PRIMARY, screenshot

pytestmark = pytest.mark.browser


def test_drift_report_shows_the_demo_findings_trend_and_rules(app):
    page = app
    page.get_by_role("link", name="Drift monitor", exact=True).click()
    expect(page.locator("h1")).to_have_text("Drift monitor")
    expect(page.locator("#stat-high .value")).not_to_have_text("0")
    expect(page.locator("svg.trend-chart rect").first).to_be_visible()
    expect(page.locator("table.trend-table tbody tr")).to_have_count(5)
    expect(page.locator("table.rules-table")).to_contain_text("8. Promise the capacity rules cannot honour")
    row = page.locator("table.findings tbody tr", has_text="/leak-detection")
    expect(row).to_contain_text("Fix: Change the business unit to “Plumbing Service”")
    screenshot(page, "drift_report")
    row.locator("a.path").click()
    expect(page.locator("h1.path")).to_have_text("/leak-detection")


def test_acknowledging_a_finding_from_the_list(app):
    page = app
    page.goto(f"/w/{PRIMARY}/drift/?status=open&rule=retired_membership")
    expect(page.locator("p.note")).to_contain_text("Rule 7: Membership page bound to a retired membership")
    row = page.locator("table.findings tbody tr", has_text="/gold-plan-members")
    row.locator("summary", has_text="Acknowledge").click()
    row.get_by_label("Note").fill("Gold Plan page comes down with the December site release.")
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("ul.messages li")).to_contain_text("Acknowledged the finding on /gold-plan-members")
    page.goto(f"/w/{PRIMARY}/drift/?status=acknowledged")
    expect(page.locator("table.findings")).to_contain_text("Gold Plan page comes down")


def test_zone_review_and_dashboard_counts(app):
    page = app
    expect(page.locator("#drift-card")).to_contain_text("Drift monitor")
    high = page.locator("#drift-open-high b").inner_text()
    assert int(high) >= 1
    page.locator("#drift-open-high").click()
    expect(page).to_have_url(re.compile(r"/drift/\?status=open&severity=high"))
    page.get_by_role("link", name="Zone review").click()
    expect(page.locator("h1")).to_have_text("Zone review")
    expect(page.locator("table.zone-table").first).to_contain_text("Fountain Hills")
    expect(page.locator("#pages")).to_contain_text("outside every zone")
    screenshot(page, "zone_review")


def test_html_report_downloads_as_one_file(app):
    page = app
    page.goto(f"/w/{PRIMARY}/drift/")
    with page.expect_download() as download:
        page.get_by_role("link", name="HTML report").click()
    assert re.match(r"drift-report-desert-peak-\d{8}\.html", download.value.suggested_filename)
    html = open(download.value.path(), encoding="utf-8").read()
    assert "<style>" in html and "Findings to fix" in html and "/static/" not in html
