"""`pagetojob demo` starts the real web app and worker, stops on Ctrl-C, and reuses its data."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_demo(data_dir, *extra: str):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PAGETOJOB_DATA_DIR"] = str(data_dir)
    proc = subprocess.Popen([sys.executable, "-m", "pagetojob", "demo", "--port", str(port), "--no-browser", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    health = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                health = json.loads(response.read())
                break
        except OSError:
            time.sleep(0.3)
    return proc, base, health


def stop(proc) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    return out


def count_workspaces(data_dir) -> int:
    with sqlite3.connect(data_dir / "pagetojob.sqlite3") as db:
        return db.execute("select count(*) from accounts_workspace").fetchone()[0]


def test_demo_runs_web_and_worker_and_reuses_its_data(tmp_path):
    proc, base, health = run_demo(tmp_path)
    try:
        assert health is not None, proc.stdout.read() if proc.poll() is not None else "demo never became healthy"
        assert health["status"] == "healthy" and health["database"]["vendor"] == "sqlite"
        worker_pid = int(health["worker"]["worker_id"].split(":")[1])
        assert worker_pid != proc.pid  # the worker is its own process
        with urllib.request.urlopen(base + "/login/", timeout=5) as response:
            assert b"Sign in" in response.read()
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out
    assert "Sign in as demo@pagetojob.local / desertpeak-demo" in out
    assert "Stopped the web app, the worker and the sandbox." in out
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)
    first_count = count_workspaces(tmp_path)
    assert first_count == 2

    proc, _, health = run_demo(tmp_path)
    out = stop(proc)
    assert health is not None, out
    assert "Reusing the demo data" in out
    assert count_workspaces(tmp_path) == first_count

    proc, _, health = run_demo(tmp_path, "--reset")
    out = stop(proc)
    assert health is not None, out
    assert "Loaded the Desert Peak Heating & Air demo." in out
    assert count_workspaces(tmp_path) == first_count


def test_demo_refuses_a_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["PAGETOJOB_DATA_DIR"] = str(tmp_path)
        result = subprocess.run([sys.executable, "-m", "pagetojob", "demo", "--port", str(port), "--no-browser"],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"Port {port} is already in use" in result.stderr
