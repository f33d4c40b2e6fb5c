"""Browser tests run against the real product: `python -m pagetojob demo` in a subprocess, on SQLite.

One demo server and one Chromium per session. Each test gets a fresh browser context (so its own
cookies); most tests sign in through the login form first.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"

DEMO_EMAIL = "demo@pagetojob.local"
DEMO_PASSWORD = "desertpeak-demo"
DEMO_NAME = "Morgan Hayes"
PRIMARY = "desert-peak"
SECONDARY = "saguaro-plumbing"

HEALTH_TIMEOUT = 90
STOP_TIMEOUT = 15


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo server's data directory (its SQLite database lives here)."""
    return tmp_path_factory.mktemp("pagetojob-demo-data")


@contextlib.contextmanager
def running_demo(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`python -m pagetojob demo ARGS` on a free port with its own data directory; yields its base URL and
    stops it with SIGINT (as Ctrl-C would), failing the test when it does not become healthy or exit cleanly."""
    log_path = data_dir.parent / f"{data_dir.name}-server.log"
    port = _free_port()
    environment = dict(os.environ)
    # Always SQLite in the fresh data directory, whatever the calling environment points at.
    for name in ("DATABASE_URL", "PAGETOJOB_BASE_URL", "PAGETOJOB_PORT", "PAGETOJOB_HOST"):
        environment.pop(name, None)
    environment.update(env or {}, PAGETOJOB_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pagetojob", "demo", "--port", str(port), "--no-browser", *args],
            cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while not _healthy(base_url):
            if proc.poll() is not None:
                pytest.fail(f"`pagetojob demo` exited with {proc.returncode} before it was healthy:\n"
                            f"{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"GET {base_url}/healthz was not 200 within {HEALTH_TIMEOUT} s:\n{_tail(log_path)}")
            time.sleep(0.3)
        yield base_url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
                pytest.fail(f"`pagetojob demo` did not exit within {STOP_TIMEOUT} s of SIGINT:\n{_tail(log_path)}")
            assert proc.returncode == 0, f"`pagetojob demo` exited with {proc.returncode}:\n{_tail(log_path)}"


@pytest.fixture(scope="session")
def demo_server(demo_data_dir: Path, chromium_path: str) -> Iterator[str]:
    """`python -m pagetojob demo` on a free port with a fresh data directory; yields its base URL."""
    with running_demo(demo_data_dir) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, demo_server):
    """Factory for fresh browser contexts (own cookies) pointed at the demo server."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=demo_server, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def anon_page(new_context):
    return new_context().new_page()


def sign_in(page, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def app(new_context):
    """A page signed in as the demo user (Morgan Hayes: owner of Desert Peak, admin of Saguaro)."""
    page = new_context().new_page()
    sign_in(page)
    assert re.search(rf"/w/{PRIMARY}/$", page.url), f"sign-in landed on {page.url}"
    return page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
