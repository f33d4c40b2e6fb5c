"""`pagetojob sandbox` starts, prints what a client needs, answers, and stops on SIGTERM."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from .conftest import openapi_dir


def start(*args: str) -> tuple[subprocess.Popen, list[str]]:
    command = [sys.executable, "-m", "pagetojob", "sandbox", "--port", "0", *args]
    if openapi_dir() is None:
        command += ["--openapi-dir", "/nonexistent"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 20
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if "Ctrl-C stops" in line:
            return proc, lines
    proc.kill()
    raise AssertionError("the sandbox did not start:\n" + "\n".join(lines))


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    output, _ = proc.communicate(timeout=10)
    return output


def test_cli_with_given_credentials_answers_and_hides_the_secret():
    proc, lines = start("--client", "4100100:cid.cli:fake-cli-secret", "--app-key", "ak1.fake-cli",
                        "--rate-limit", "5", "--error-rate", "0")
    try:
        text = "\n".join(lines)
        url = re.search(r"ServiceTitan sandbox at (http://127\.0\.0\.1:\d+)", text).group(1)
        assert "fake-cli-secret" not in text and "(as given with --client)" in text
        assert "ak1.fake-cli" in text and "rate limit 5/s" in text
        token = httpx.post(url + "/connect/token", data={"grant_type": "client_credentials", "client_id": "cid.cli",
                                                         "client_secret": "fake-cli-secret"}, timeout=5).json()
        units = httpx.get(url + "/settings/v2/tenant/4100100/business-units", timeout=5,
                          headers={"Authorization": f"Bearer {token['access_token']}", "ST-App-Key": "ak1.fake-cli"})
        assert units.status_code == 200 and len(units.json()["data"]) == 5
    finally:
        output = stop(proc)
    assert proc.returncode == 0 and "Sandbox stopped." in output


def test_cli_generates_and_prints_a_secret_that_works():
    proc, lines = start("--seed", "empty")
    try:
        text = "\n".join(lines)
        url = re.search(r"at (http://\S+)", text).group(1)
        client_id, secret = re.search(r"client_id (\S+)\s+client_secret (\S+)", text).groups()
        app_key = re.search(r"ST-App-Key\s+(\S+)", text).group(1)
        token = httpx.post(url + "/connect/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                         "client_secret": secret}, timeout=5).json()
        zones = httpx.get(url + "/dispatch/v2/tenant/4100100/zones", timeout=5,
                          headers={"Authorization": f"Bearer {token['access_token']}", "ST-App-Key": app_key})
        assert zones.status_code == 200 and zones.json()["data"] == []
    finally:
        stop(proc)


def test_cli_rejects_bad_options_with_a_message():
    result = subprocess.run([sys.executable, "-m", "pagetojob", "sandbox", "--error-rate", "5"], capture_output=True,
                            text=True, timeout=20)
    assert result.returncode == 2 and "between 0 and 1" in result.stderr
    result = subprocess.run([sys.executable, "-m", "pagetojob", "sandbox", "--client", "abc"], capture_output=True,
                            text=True, timeout=20)
    assert result.returncode == 2 and "TENANT:CLIENT_ID:CLIENT_SECRET" in result.stderr
