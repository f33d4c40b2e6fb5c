"""The ServiceTitan connection screen in Chromium: connect to a real local sandbox, see the gate, disconnect.

This module runs its own `pagetojob demo` with PAGETOJOB_SANDBOX_URL pointing at a sandbox started here, so
the screen offers "Connect to the local sandbox"; the shared demo server of the other browser tests has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pagetojob.sandbox.faults import FaultSettings
from pagetojob.sandbox.seeds import DEMO_TENANT_ID
from pagetojob.sandbox.server import ClientCredentials, SandboxConfig, SandboxServer
from tests.browser.conftest import PRIMARY, running_demo, screenshot, sign_in

pytestmark = pytest.mark.browser

APP_KEY = "ak1.browser-app-key-5521"
CLIENT_ID = "cid.browser-client-88c1"
CLIENT_SECRET = "cs1.browser-secret-0be7f9"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    config = SandboxConfig(seed="demo", clients=[ClientCredentials(DEMO_TENANT_ID, CLIENT_ID, CLIENT_SECRET)],
                           app_key=APP_KEY, openapi_dir=Path("/nonexistent"), faults=FaultSettings(rate_limit=0))
    server = SandboxServer("127.0.0.1", 0, config).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server_with_sandbox(tmp_path_factory: pytest.TempPathFactory, sandbox_url: str, chromium_path: str
                        ) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("pagetojob-titan-demo"),
                      env={"PAGETOJOB_SANDBOX_URL": sandbox_url}) as base_url:
        yield base_url


@pytest.fixture
def page(browser, server_with_sandbox):
    context = browser.new_context(base_url=server_with_sandbox, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page)
    yield page
    context.close()


def test_connect_to_the_local_sandbox_then_disconnect(page, sandbox_url):
    from axe_playwright_python.sync_playwright import Axe

    page.get_by_role("navigation", name="Main").get_by_role("link", name="ServiceTitan connection").click()
    expect(page.locator("h1")).to_have_text("ServiceTitan connection")
    expect(page.locator("#connection-state")).to_contain_text("Not connected")
    page.get_by_role("link", name="Connect to the local sandbox").click()
    expect(page.get_by_label(re.compile("Local sandbox at"))).to_be_checked()

    page.get_by_role("button", name="Save credentials").click()  # nothing entered: the error summary says what
    expect(page.locator("#error-summary")).to_contain_text("Enter the tenant id")
    expect(page.locator("#error-summary")).to_contain_text("Enter the client secret")
    screenshot(page, "titan_connection_errors")

    page.get_by_label(re.compile("Local sandbox at")).check()
    page.get_by_label("Tenant id").fill(str(DEMO_TENANT_ID))
    page.get_by_label("App key").fill(APP_KEY)
    page.get_by_label("Client id").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_role("button", name="Save credentials").click()

    expect(page.locator(".messages")).to_contain_text("Fetched a token and read business units")
    state = page.locator("#connection-state")
    expect(state.locator(".badge.ok", has_text="connected")).to_be_visible()
    expect(state.locator(".badge.sandbox-tag")).to_have_text("sandbox")
    expect(state).to_contain_text("stored, encrypted with key k1")
    expect(state).to_contain_text(f"…{CLIENT_ID[-4:]}")
    html = page.content()
    for secret in (APP_KEY, CLIENT_ID, CLIENT_SECRET):
        assert secret not in html
    screenshot(page, "titan_connection_connected")
    serious = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "; ".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in serious)

    page.goto(f"/w/{PRIMARY}/readiness/")
    gate = page.locator("#connection-gates tr", has_text="Credential and token storage")
    expect(gate.locator(".badge.ok")).to_have_text("holds")
    expect(gate.locator(".badge.sandbox-tag")).to_be_visible()
    gate.get_by_role("link", name="View the ServiceTitan connection").click()

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".messages")).to_contain_text("Fetched a token")

    page.locator("summary", has_text="Disconnect").click()
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Disconnect ServiceTitan").click()
    expect(page.locator(".messages")).to_contain_text("stored credentials are deleted")
    expect(page.locator("#connection-state .badge").first).to_have_text("disconnected")
    screenshot(page, "titan_connection_disconnected")
    page.goto(f"/w/{PRIMARY}/readiness/")
    expect(page.locator("#connection-gates tr", has_text="Credential and token storage")).to_contain_text(
        "disconnected")


def test_the_form_fits_a_phone(browser, server_with_sandbox):
    context = browser.new_context(base_url=server_with_sandbox, viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page)
        page.goto(f"/w/{PRIMARY}/settings/servicetitan/?environment=sandbox")
        expect(page.get_by_label("Client secret")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "titan_connection_mobile")
    finally:
        context.close()
