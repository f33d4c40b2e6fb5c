"""Killing the web server mid-load loses no acknowledged request and leaves no half-stored one."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from .test_intake_api import payload

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from pagetojob.demo.loader import load_demo
load_demo()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PAGETOJOB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="pagetojob.settings",
               PAGETOJOB_ACCESS_LOG="", PAGETOJOB_LOG_LEVEL="ERROR", PAGETOJOB_INTAKE_IP_LIMIT="1000000",
               PAGETOJOB_INTAKE_SITE_LIMIT="1000000")
    return env


def test_a_killed_server_loses_no_acknowledged_request(tmp_path):
    env = server_env(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pagetojob", "serve", "--port", str(port)], env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    killed = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)

        def send(n: int) -> None:
            if killed.is_set():
                return
            body = payload(submission_id=f"crash-{n:05d}-abcdef", page_url="https://www.desertpeakair.com/")
            try:
                response = httpx.post(f"{base}/api/v1/intake/desert-peak/requests", json=body, timeout=10)
            except httpx.HTTPError:
                return  # no answer: the client would retry; nothing is owed
            if response.is_success:
                with lock:
                    acknowledged[body["submission_id"]] = response.json()["id"]

        def kill_when_busy() -> None:
            until = time.monotonic() + 30
            while len(acknowledged) < 40 and time.monotonic() < until:
                time.sleep(0.01)
            os.killpg(server.pid, signal.SIGKILL)
            killed.set()

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        with ThreadPoolExecutor(12) as pool:
            list(pool.map(send, range(600)))
        killer.join(timeout=40)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)

    assert killed.is_set() and len(acknowledged) >= 40
    with sqlite3.connect(tmp_path / "pagetojob.sqlite3") as db:
        stored = dict(db.execute(
            "select submission_id, id from intake_bookingrequest where submission_id like 'crash-%'").fetchall())
        without_job = db.execute(
            "select count(*) from intake_bookingrequest r where r.submission_id like 'crash-%' and not exists "
            "(select 1 from handoff_syncjob j where j.booking_request_id = r.id)").fetchone()[0]
        without_email = db.execute(
            "select count(*) from intake_bookingrequest r where r.submission_id like 'crash-%' and not exists "
            "(select 1 from accounts_outboundemail e where e.id = r.notification_id)").fetchone()[0]
    assert {key: stored.get(key) for key in acknowledged} == acknowledged  # every 2xx is stored, same id
    assert len(stored) < 600, "the server was killed before the load finished"
    assert without_job == 0 and without_email == 0
