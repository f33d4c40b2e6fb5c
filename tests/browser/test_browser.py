"""End-to-end checks in Chromium against `pagetojob demo` (see conftest.py for the server and browser).

The demo data is the fixture: Desert Peak Heating & Air and Saguaro Plumbing & Drain, signed in as
Morgan Hayes. Tests change that data (approvals, a kill switch), so each one uses pages no other test
touches and does not rely on the order the tests run in.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pagetojob.demo import data
from tests.browser.conftest import DEMO_NAME, PRIMARY, SECONDARY, screenshot, sign_in

pytestmark = pytest.mark.browser

DESERT_PEAK = "Desert Peak Heating & Air"
SAGUARO = "Saguaro Plumbing & Drain"


def allowed_job_types(unit: str) -> list[str]:
    """Active Desert Peak job types allowed in a business unit, by name, as the demo data defines them."""
    return sorted(row.name for row in data.DP_JOB_TYPES if unit in row.business_units and row.active)


def option_texts(select) -> list[str]:
    return [text.strip() for text in select.locator("option").all_inner_texts()]


def messages(page):
    return page.locator("ul.messages li")


def open_binding(page, path: str) -> None:
    """From the Titan Map list, follow the link of one page to its binding editor."""
    page.goto(f"/w/{PRIMARY}/map/?q={path}")
    page.locator("a.path", has_text=re.compile(rf"^{re.escape(path)}$")).click()
    expect(page.locator("h1.path")).to_have_text(path)


def status_badge(page):
    return page.locator(".topline .badge").first


# --------------------------------------------------------------------------- sign-in and navigation


def test_sign_in_rejects_a_wrong_password_then_lands_on_the_dashboard(anon_page):
    page = anon_page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    screenshot(page, "login")

    page.get_by_label("Email").fill(data.LOGIN_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_contain_text("Sign-in failed")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_label("Email")).to_have_value(data.LOGIN_EMAIL)

    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/w/{PRIMARY}/$"))
    expect(page.locator("h1")).to_have_text(DESERT_PEAK)
    expect(page.locator("#stat-coverage .value")).to_have_text(re.compile(r"^\d{1,3}%$"))
    expect(page.locator("#stat-coverage .hint")).to_contain_text("live pages fully bound")
    expect(page.locator(".sidebar .foot")).to_contain_text(DEMO_NAME)


def test_sidebar_switches_workspace_and_back(app):
    page = app
    switcher = page.get_by_label("Workspace", exact=True)
    expect(switcher).to_have_value(PRIMARY)

    switcher.select_option(label=SAGUARO)
    expect(page).to_have_url(re.compile(rf"/w/{SECONDARY}/$"))
    expect(page.locator("h1")).to_have_text(SAGUARO)
    expect(page.get_by_label("Workspace", exact=True)).to_have_value(SECONDARY)
    expect(page.locator(".sidebar .foot")).to_contain_text(f"Admin · {SAGUARO}")

    page.get_by_label("Workspace", exact=True).select_option(label=DESERT_PEAK)
    expect(page).to_have_url(re.compile(rf"/w/{PRIMARY}/$"))
    expect(page.locator("h1")).to_have_text(DESERT_PEAK)
    expect(page.locator(".sidebar .foot")).to_contain_text(f"Owner · {DESERT_PEAK}")


# --------------------------------------------------------------------------- Titan Map


def test_binding_editor_offers_only_allowed_job_types_and_approves(app):
    """A draft service page (needs job type + business unit only) is bound, approved and left with no gaps."""
    page = app
    path = "/heat-pump-installation"
    page.get_by_role("link", name="Titan Map", exact=True).click()
    expect(page.locator("h1")).to_have_text("Titan Map")

    page.get_by_label("Status", exact=True).select_option("draft")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"status=draft"))
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    for badge in rows.locator("td .badge.draft, td .badge.suggested, td .badge.approved, td .badge.retired").all():
        expect(badge).to_have_text("draft")
    screenshot(page, "titan_map")

    page.locator("a.path", has_text=re.compile(rf"^{path}$")).click()
    expect(page.locator("h1.path")).to_have_text(path)
    expect(status_badge(page)).to_have_text("draft")
    expect(page.get_by_text("No business unit.")).to_be_visible()

    unit = page.get_by_label("Business unit")
    job_type = page.locator("#id_job_type")

    # Plumbing Service first: the inactive Water Heater Repair must not be offered.
    with page.expect_response(re.compile(r"/job-types/\?")) as response:
        unit.select_option(label="Plumbing Service")
    assert response.value.ok
    expect(job_type.locator("option:not([value=''])")).to_have_text(allowed_job_types("Plumbing Service"))
    assert "Water Heater Repair" not in option_texts(job_type)

    # HVAC Install: htmx swaps in exactly the active job types allowed there.
    with page.expect_response(re.compile(r"/job-types/\?")) as response:
        unit.select_option(label="HVAC Install")
    assert response.value.ok
    expected = allowed_job_types("HVAC Install")
    assert "Heat Pump Install" in expected and "AC Repair" not in expected
    expect(job_type.locator("option:not([value=''])")).to_have_text(expected)

    job_type.select_option(label="Heat Pump Install")
    screenshot(page, "binding_editor")
    page.get_by_role("button", name="Save and approve").click()

    expect(messages(page).filter(has_text=f"Saved and approved the binding of {path}.")).to_be_visible()
    expect(status_badge(page)).to_have_text("approved")
    expect(page.locator(".topline")).to_contain_text(f"by {DEMO_NAME}")
    expect(page.get_by_text("fully bound", exact=True)).to_be_visible()
    expect(page.get_by_label("Business unit").locator("option:checked")).to_have_text("HVAC Install")
    expect(page.locator("#id_job_type option:checked")).to_have_text("Heat Pump Install")

    # The list agrees: the page is approved and fully bound.
    page.goto(f"/w/{PRIMARY}/map/?q={path}")
    row = page.locator("tbody tr", has=page.locator("a.path", has_text=re.compile(rf"^{path}$")))
    expect(row.locator(".badge.approved")).to_have_text("approved")
    expect(row.locator(".gaps")).to_have_text("fully bound")


def test_bulk_approve_skips_a_page_with_gaps_and_says_why(app):
    page = app
    clean, gapped = "/sewer-line-inspection", "/service-areas/gilbert"
    page.goto(f"/w/{PRIMARY}/map/?status=draft")
    for path in (clean, gapped):
        page.get_by_label(f"Select {path}", exact=True).check()
    page.get_by_role("button", name="Approve selected").click()

    expect(messages(page).filter(has_text="Approved 1 binding.")).to_be_visible()
    skipped = messages(page).filter(has_text="Not approved:")
    expect(skipped).to_contain_text(f"{gapped} (no business unit)")
    expect(skipped).not_to_contain_text(clean)
    expect(page).to_have_url(re.compile(r"status=draft"))  # back to the same filtered list

    # The approved page has left the draft list; the skipped one is still there.
    expect(page.locator("a.path", has_text=re.compile(rf"^{clean}$"))).to_have_count(0)
    expect(page.locator("a.path", has_text=re.compile(rf"^{gapped}$"))).to_have_count(1)
    page.goto(f"/w/{PRIMARY}/map/?q={clean}")
    row = page.locator("tbody tr", has=page.locator("a.path", has_text=re.compile(rf"^{clean}$")))
    expect(row.locator(".badge.approved")).to_have_text("approved")


def test_forged_post_cannot_bind_an_inactive_job_type(app):
    page = app
    # The inactive job type's id is visible where it is already bound (it stays listed, flagged).
    open_binding(page, "/water-heater-repair")
    inactive = page.locator("#id_job_type option", has_text="Water Heater Repair (inactive)")
    inactive_id = inactive.get_attribute("value")
    assert inactive_id and inactive_id.isdigit()
    plumbing_id = page.get_by_label("Business unit").locator("option", has_text=re.compile(r"^Plumbing Service$")) \
        .get_attribute("value")

    target = "/offers/free-second-opinion"
    open_binding(page, target)
    assert inactive_id not in page.locator("#id_job_type option").evaluate_all("els => els.map(e => e.value)")
    before_job_type = page.locator("#id_job_type option:checked").inner_text()

    result = page.evaluate(
        """async ([jobType, unit]) => {
            const form = document.querySelector('form.form');
            const body = new FormData(form);
            body.set('business_unit', unit);
            body.set('job_type', jobType);
            body.set('action', 'save');
            const response = await fetch(window.location.href, {method: 'POST', body, credentials: 'same-origin'});
            return {status: response.status, text: await response.text()};
        }""",
        [inactive_id, plumbing_id],
    )
    assert result["status"] == 400, result["status"]
    assert "“Water Heater Repair” is inactive in ServiceTitan and cannot be newly bound." in result["text"]
    assert 'class="error-summary"' in result["text"]

    # Nothing was saved.
    page.reload()
    expect(page.locator("#id_job_type option:checked")).to_have_text(before_job_type)
    expect(status_badge(page)).to_have_text("draft")


# --------------------------------------------------------------------------- readiness and audit


def test_readiness_shows_capability_statuses_and_records_the_kill_switch(app):
    page = app
    page.get_by_role("link", name="Connection readiness", exact=True).click()
    expect(page.locator("h1")).to_have_text("Connection readiness")
    capabilities = page.locator("#capabilities tbody")
    expect(capabilities.locator(".badge", has_text=re.compile(r"^manual ready$")).first).to_be_visible()
    expect(capabilities.locator(".badge", has_text=re.compile(r"^api gated$")).first).to_be_visible()
    screenshot(page, "readiness")

    row = page.locator("#feature-flags tr", has_text="Pause all sync")
    expect(row.locator(".badge")).to_have_text("off")
    row.get_by_placeholder("Reason (kept in the audit log)").fill("browser test: hold writes")
    row.get_by_role("button", name="Turn on").click()

    expect(messages(page).filter(has_text="Pause all sync is on.")).to_be_visible()
    row = page.locator("#feature-flags tr", has_text="Pause all sync")
    expect(row.locator(".badge")).to_have_text("on")
    expect(row).to_contain_text(f"by {DEMO_NAME} — browser test: hold writes")
    expect(row.get_by_role("button", name="Turn off")).to_be_visible()

    page.goto(f"/w/{PRIMARY}/audit/?action=readiness")
    entry = page.locator("tbody tr", has_text="Pause all sync turned on").first
    expect(entry).to_contain_text(DEMO_NAME)
    expect(entry).to_contain_text("readiness.flag")

    # Turn it back off, also recorded.
    page.goto(f"/w/{PRIMARY}/readiness/")
    page.locator("#feature-flags tr", has_text="Pause all sync").get_by_role("button", name="Turn off").click()
    expect(messages(page).filter(has_text="Pause all sync is off.")).to_be_visible()
    expect(page.locator("#feature-flags tr", has_text="Pause all sync").locator(".badge")).to_have_text("off")


def test_audit_log_lists_an_approval_with_the_approvers_name(app):
    page = app
    path = "/service-areas/chandler"  # suggested, nothing missing: approvable as is
    open_binding(page, path)
    expect(status_badge(page)).to_have_text("suggested")
    page.get_by_role("button", name="Save and approve").click()
    expect(messages(page).filter(has_text=f"Saved and approved the binding of {path}.")).to_be_visible()
    expect(status_badge(page)).to_have_text("approved")

    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.locator("h1")).to_have_text("Audit log")
    entry = page.locator("tbody tr", has_text=f"Approved the binding of {path}").first
    expect(entry).to_be_visible()
    expect(entry.locator("td").nth(1)).to_have_text(DEMO_NAME)
    expect(entry).to_contain_text("binding.approve")
    screenshot(page, "audit_log")


# --------------------------------------------------------------------------- screens and layout


SCREENS = [
    ("dashboard", f"/w/{PRIMARY}/", DESERT_PEAK),
    ("taxonomy_job_types", f"/w/{PRIMARY}/taxonomy/job-types/", "Job types"),
    ("taxonomy_zones", f"/w/{PRIMARY}/taxonomy/zones/", "Zones"),
    ("capacity_rules", f"/w/{PRIMARY}/capacity/", "Capacity rules"),
    ("people", f"/w/{PRIMARY}/people/", "People"),
]


def test_main_screens_render_and_are_saved_as_screenshots(app):
    """Screens not already captured by the flows above (login, titan_map, binding_editor, readiness, audit_log)."""
    page = app
    for name, url, heading in SCREENS:
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        expect(page.locator("h1")).to_have_text(heading)
        screenshot(page, name)
    page.goto(f"/w/{PRIMARY}/taxonomy/job-types/")
    expect(page.locator("tbody tr", has_text="Water Heater Repair").locator(".badge.inactive")).to_be_visible()
    page.goto(f"/w/{PRIMARY}/taxonomy/zones/")
    expect(page.locator("tbody tr", has_text="Queen Creek & San Tan Valley")).to_contain_text("paused")


def test_dashboard_has_no_horizontal_scroll_at_375px(new_context):
    page = new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True).new_page()
    sign_in(page)
    expect(page.locator("h1")).to_have_text(DESERT_PEAK)
    # Also name the first elements that stick out, so a failure points at the CSS to fix.
    widths = page.evaluate("""() => {
        const root = document.documentElement;
        const describe = el => {
            const classes = typeof el.className === 'string' && el.className.trim()
                ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
            return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}`
                + ` right=${Math.round(el.getBoundingClientRect().right)}`;
        };
        const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
            .slice(0, 8)
            .map(describe);
        return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
    }""")
    screenshot(page, "dashboard_375")
    assert widths["scrollWidth"] <= 375 + 1, f"dashboard scrolls sideways at 375 px: {widths}"
