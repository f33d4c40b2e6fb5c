"""A burst of 5,000 deliveries through the real server while the worker is killed and restarted.

10% of the deliveries repeat an event already sent and 5% carry a forged signature. Every distinct valid
event must be stored and applied exactly once, every forgery refused and counted, and a worker killed
with SIGKILL mid-processing must lose nothing: its claimed events are taken over when their lease ends.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from pagetojob.sandbox import webhook_sender as sandbox

BURST, DUPLICATES, FORGED = 5_000, 0.10, 0.05
SECRET = "burst-key-0123456789abcdefghijklmnopqrstuvwxyz"
SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from pagetojob.accounts.models import Workspace
from pagetojob.webhooks import endpoints
workspace = Workspace.objects.create(key="burst-air", name="Burst Air")
endpoints.save_settings(workspace, None, signature_header="X-ServiceTitan-Signature", encoding="hex",
                        timestamp_header="", signed_content="body", tolerance_seconds=300, new_key="{SECRET}")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PAGETOJOB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="pagetojob.settings", PAGETOJOB_ACCESS_LOG="",
               PAGETOJOB_LOG_LEVEL="ERROR", PAGETOJOB_WEBHOOK_LEASE_SECONDS="3")
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pagetojob", *args], env=env, start_new_session=True,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def test_burst_with_duplicates_forgeries_and_a_killed_worker(tmp_path):
    env = environment(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=120)
    db = tmp_path / "pagetojob.sqlite3"
    port = free_port()
    server = start(["serve", "--port", str(port)], env, tmp_path / "server.log")
    workers = [start(["worker", "--poll", "0.2"], env, tmp_path / "worker.log")]
    killed: dict[str, int] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        plan, valid_ids = sandbox.burst_plan(BURST, duplicate_share=DUPLICATES, bad_share=FORGED, seed=11)

        def kill_mid_processing() -> None:
            """SIGKILL the worker once it has applied some events, then start a fresh one."""
            until = time.monotonic() + 60
            while time.monotonic() < until:
                done = query(db, "select count(*) from webhooks_webhookevent where outcome != 'pending'")[0][0]
                if done >= 400:
                    break
                time.sleep(0.05)
            os.killpg(workers[0].pid, signal.SIGKILL)
            workers[0].wait(timeout=10)
            counts = dict(query(db, "select work_state, count(*) from webhooks_webhookevent group by work_state"))
            killed.update(processed=counts.get("done", 0), in_flight=counts.get("in_flight", 0),
                          waiting=counts.get("queued", 0))
            workers.append(start(["worker", "--poll", "0.2"], env, tmp_path / "worker.log"))

        killer = threading.Thread(target=kill_mid_processing)
        killer.start()
        with sandbox.Sender(f"{base}/api/v1/webhooks/servicetitan/burst-air", sandbox.Signing(SECRET)) as sender:
            report = sender.send_many(plan, concurrency=16)
        killer.join(timeout=90)

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            pending = query(db, "select count(*) from webhooks_webhookevent where work_state != 'done'")[0][0]
            if not pending:
                break
            time.sleep(0.25)
    finally:
        stop(server)
        for proc in workers:
            stop(proc)

    # Every answer: 200 for signed deliveries (a repeat marked as such), 401 for every forgery.
    by_event: dict[str, list[sandbox.Delivery]] = {}
    for delivery in report.deliveries:
        by_event.setdefault(delivery.event.event_id, []).append(delivery)
    forged = {event.event_id for kind, event in plan if kind == "bad"}
    assert len(report.deliveries) == BURST
    assert all(d.status == 401 for event_id in forged for d in by_event[event_id]), "a forgery was accepted"
    valid = [d for event_id in valid_ids for d in by_event[event_id]]
    assert Counter(d.status for d in valid) == Counter({200: len(valid)}), Counter(d.error for d in valid)
    first_answers = Counter(d.answer["duplicate"] for d in valid)
    assert first_answers[False] == len(valid_ids)  # exactly one "new" answer per event, whatever raced
    assert first_answers[True] == round(BURST * DUPLICATES)

    stored = {row[0]: row[1:] for row in query(
        db, "select event_id, outcome, work_state, duplicates from webhooks_webhookevent")}
    assert set(stored) == valid_ids, "stored events differ from the distinct valid ones"
    assert {(outcome, state) for outcome, state, _ in stored.values()} == {("applied", "done")}
    assert sum(dup for _, _, dup in stored.values()) == round(BURST * DUPLICATES)
    refused = dict(query(db, "select reason, count from webhooks_rejecteddeliveries"))
    assert refused == {"invalid_signature": round(BURST * FORGED)}
    # Applied exactly once: each burst event touches its own record, and each record counts what it applied.
    applied = query(db, "select events_applied, count(*) from webhooks_titanrecord group by events_applied")
    assert applied == [(1, len(valid_ids))]
    assert killed["processed"] > 0 and killed["processed"] < len(valid_ids), killed
    retried = query(db, "select count(*) from webhooks_webhookevent where attempts > 1")[0][0]
    print(f"killed after {killed['processed']} events ({killed['in_flight']} in flight); "
          f"{retried} taken over after the lease expired")
