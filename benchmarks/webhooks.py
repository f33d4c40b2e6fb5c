#!/usr/bin/env python
"""ServiceTitan webhook receiver under load: the real server (`pagetojob serve`, gunicorn) on SQLite.

Run from the repository root:

    .venv/bin/python benchmarks/webhooks.py [--out benchmarks/results/webhooks.txt] [--scale 0.2]

Migrates a fresh temporary data directory, creates a workspace with a webhook key, starts
`python -m pagetojob serve` (2 workers x 4 threads, access log off) and, from this process (httpx, a
thread pool, 127.0.0.1):

1. baselines from 16 clients: GET /healthz (which also loads the migration graph, so it is heavier than a
   delivery) and POST /bench/floor, the least a request can do that writes one row (routed only with
   PAGETOJOB_BENCH_FLOOR=1, as benchmarks/intake_load.py does);
2. receive only: distinct signed events from 16 clients as fast as they are answered (accepted/s, and
   p50/p99 of each request's time);
3. latency at a fixed 100 events/s, open loop (latency counts from the scheduled send time);
4. receive with `pagetojob worker` running: the same load while the worker processes what arrives, then
   the time until the worker has processed everything.

Every body is built and signed before the clock starts. Finally the database is checked: every accepted
event stored once and processed once. Exits 1 when a target or a check is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from pagetojob.sandbox import webhook_sender as sandbox  # noqa: E402 - standalone module, no Django needed

BASELINE, RECEIVE, FIXED, WITH_WORKER = 4_000, 10_000, 2_000, 6_000
CONCURRENCY, FIXED_RATE = 16, 100.0
TARGET_RATE, TARGET_P99_MS = 300.0, 150.0
SECRET = "bench-key-0123456789abcdefghijklmnopqrstuvwxyz"
WORKSPACE = "bench-air"
SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from pagetojob.accounts.models import Workspace
from pagetojob.webhooks import endpoints
workspace = Workspace.objects.create(key="{WORKSPACE}", name="Bench Air")
endpoints.save_settings(workspace, None, signature_header="X-ServiceTitan-Signature", encoding="hex",
                        timestamp_header="X-ServiceTitan-Timestamp", signed_content="timestamp.body",
                        tolerance_seconds=300, new_key="{SECRET}")
"""


def hardware_line() -> str:
    import django

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    return (f"Hardware: {cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"Django {django.get_version()}; sqlite {sqlite3.sqlite_version}; gunicorn gthread 2 workers x 4 threads")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PAGETOJOB_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="pagetojob.settings", PAGETOJOB_ACCESS_LOG="",
               PAGETOJOB_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO_ROOT / "src"), PAGETOJOB_BENCH_FLOOR="1")
    return env


def start(args: list[str], data_dir: str, log_name: str) -> subprocess.Popen:
    log = open(Path(data_dir) / log_name, "ab")  # noqa: SIM115 - the process's lifetime, not a block's
    return subprocess.Popen([sys.executable, "-m", "pagetojob", *args], env=environment(data_dir),
                            start_new_session=True, stdout=log, stderr=subprocess.STDOUT)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def prepared(count: int, prefix: str, signing: sandbox.Signing) -> list[tuple[sandbox.Event, dict]]:
    """Distinct events, signed now (timestamps stay well inside the 300 s window for the run)."""
    plan, _ = sandbox.burst_plan(count, duplicate_share=0, bad_share=0, prefix=prefix, seed=len(prefix))
    return [(event, sandbox.signed_headers(signing, event.body)) for _, event in plan]


def closed_loop(sender: sandbox.Sender, jobs: list[tuple[sandbox.Event, dict]]) -> tuple[float, list]:
    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        deliveries = list(pool.map(lambda job: sender.post(*job), jobs))
    return time.perf_counter() - began, deliveries


def open_loop(sender: sandbox.Sender, jobs: list[tuple[sandbox.Event, dict]]) -> tuple[list[float], list]:
    latencies: list[float] = []
    deliveries: list = []
    lock = threading.Lock()
    start_at = time.perf_counter() + 0.2

    def one(index: int) -> None:
        scheduled = start_at + index / FIXED_RATE
        time.sleep(max(0.0, scheduled - time.perf_counter()))
        delivery = sender.post(*jobs[index])
        with lock:
            latencies.append(time.perf_counter() - scheduled)
            deliveries.append(delivery)

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(len(jobs))))
    return latencies, deliveries


def accepted(deliveries: list) -> int:
    return sum(1 for d in deliveries if d.status == 200 and d.answer.get("duplicate") is False)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="Also write the report to this file.")
    parser.add_argument("--scale", type=float, default=1.0, help="Shrink every count (0.2 for a quick run).")
    args = parser.parse_args()
    global BASELINE, RECEIVE, FIXED, WITH_WORKER
    BASELINE, RECEIVE, FIXED, WITH_WORKER = (max(100, int(n * args.scale)) for n in
                                             (BASELINE, RECEIVE, FIXED, WITH_WORKER))
    data_dir = tempfile.mkdtemp(prefix="pagetojob-webhook-bench-")
    db = Path(data_dir) / "pagetojob.sqlite3"
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    procs: list[subprocess.Popen] = []
    try:
        subprocess.run([sys.executable, "-c", SETUP], env=environment(data_dir), check=True, timeout=180)
        port = free_port()
        procs.append(start(["serve", "--port", str(port)], data_dir, "server.log"))
        base = f"http://127.0.0.1:{port}"
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.HTTPError as error:
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    log = (Path(data_dir) / "server.log").read_text()
                    raise SystemExit("The server did not start:\n" + log) from error
                time.sleep(0.2)

        say("Webhook receiver benchmark — `pagetojob serve` (gunicorn) on SQLite, driven over 127.0.0.1")
        say(hardware_line())
        say(f"Date: {time.strftime('%Y-%m-%d %H:%M')}; access log off; signing: hex HMAC-SHA256 over "
            "timestamp.body with a timestamp header (the most work a delivery can ask for)")
        say()
        signing = sandbox.Signing(SECRET, timestamp_header="X-ServiceTitan-Timestamp", signed_content="timestamp.body")
        url = f"{base}/api/v1/webhooks/servicetitan/{WORKSPACE}"
        with sandbox.Sender(url, signing, max_connections=64) as sender:
            def baseline_rate(method: str, path: str, expect: set[int]) -> tuple[float, list[int]]:
                def one(_: int) -> int:
                    return sender.client.request(method, base + path).status_code

                began = time.perf_counter()
                with ThreadPoolExecutor(CONCURRENCY) as pool:
                    codes = list(pool.map(one, range(BASELINE)))
                if not set(codes) <= expect:
                    raise SystemExit(f"{method} {path} answered {sorted(set(codes))}")
                return BASELINE / (time.perf_counter() - began), codes

            health, _ = baseline_rate("GET", "/healthz", {200, 503})
            floor, _ = baseline_rate("POST", "/bench/floor", {201})
            say(f"Baselines ({BASELINE} requests each, {CONCURRENCY} clients): GET /healthz {health:,.0f} requests/s; "
                f"one-row insert floor {floor:,.0f} requests/s")

            jobs = prepared(RECEIVE, "recv", signing)
            elapsed, deliveries = closed_loop(sender, jobs)
            receive_rate = accepted(deliveries) / elapsed
            times = [d.seconds * 1000 for d in deliveries]
            p50, p99 = percentile(times, 0.50), percentile(times, 0.99)
            say(f"Receive only: {RECEIVE} signed events, {CONCURRENCY} clients: {receive_rate:,.0f} accepted events/s "
                f"= {receive_rate / floor:.0%} of the floor; per request p50 {p50:.1f} ms, p99 {p99:.1f} ms")
            others = {d.status for d in deliveries if d.status != 200}
            if others:
                say(f"  other answers: {sorted(others)}")

            fixed_jobs = prepared(FIXED, "fixed", signing)
            latencies, fixed_deliveries = open_loop(sender, fixed_jobs)
            f50, f95, f99 = (percentile(latencies, share) * 1000 for share in (0.50, 0.95, 0.99))
            say(f"Latency at a fixed {FIXED_RATE:.0f} events/s ({FIXED} events): p50 {f50:.1f} ms, p95 {f95:.1f} ms, "
                f"p99 {f99:.1f} ms, max {max(latencies) * 1000:.1f} ms")

            procs.append(start(["worker", "--poll", "0.2"], data_dir, "worker.log"))
            time.sleep(2)  # the worker's start-up (Django import) is not part of the load
            worker_began = time.perf_counter()
            worker_jobs = prepared(WITH_WORKER, "work", signing)
            elapsed_w, worker_deliveries = closed_loop(sender, worker_jobs)
            worker_rate = accepted(worker_deliveries) / elapsed_w
            wtimes = [d.seconds * 1000 for d in worker_deliveries]
            say(f"Receive with the worker processing: {WITH_WORKER} events: {worker_rate:,.0f} accepted events/s; "
                f"per request p50 {percentile(wtimes, 0.5):.1f} ms, p99 {percentile(wtimes, 0.99):.1f} ms")
            total_sent = accepted(deliveries) + accepted(fixed_deliveries) + accepted(worker_deliveries)
            drain_began = time.perf_counter()
            while time.perf_counter() - drain_began < 600:
                left = query(db, "select count(*) from webhooks_webhookevent where work_state != 'done'")[0][0]
                if not left:
                    break
                time.sleep(0.5)
            drained = time.perf_counter() - drain_began
            processed = query(db, "select count(*), min(received_at), max(processed_at) from webhooks_webhookevent "
                                  "where outcome = 'applied'")[0]
            say(f"Worker: all {processed[0]} stored events processed {drained:.1f} s after the last delivery = "
                f"{processed[0] / (time.perf_counter() - worker_began):,.0f} events/s from its start")

        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        procs.clear()
        stored = query(db, "select count(*), count(distinct event_id), sum(attempts > 1) from webhooks_webhookevent")[0]
        applied = query(db, "select count(*), sum(events_applied) from webhooks_titanrecord")[0]
        problems = []
        if stored[0] != total_sent or stored[1] != total_sent:
            problems.append(f"stored {stored[0]} events ({stored[1]} distinct), accepted {total_sent}")
        if processed[0] != total_sent or applied[1] != total_sent:
            problems.append(f"processed {processed[0]}, applied to records {applied[1]}, expected {total_sent}")
        say(f"Database: {stored[0]} events stored for {total_sent} accepted, {processed[0]} processed, "
            f"{applied[1]} applied to {applied[0]} records" + (f"; PROBLEMS: {'; '.join(problems)}" if problems else
                                                                 "; none lost or duplicated"))
        misses = list(problems)
        if receive_rate < TARGET_RATE:
            misses.append(f"receive {receive_rate:.0f}/s < {TARGET_RATE:.0f}/s")
        if f99 > TARGET_P99_MS:
            misses.append(f"p99 {f99:.1f} ms > {TARGET_P99_MS:.0f} ms at {FIXED_RATE:.0f} events/s")
        say()
        say(f"Targets: >= {TARGET_RATE:.0f} accepted events/s at the receiver; p99 <= {TARGET_P99_MS:.0f} ms at "
            f"{FIXED_RATE:.0f} events/s; every accepted event stored and processed once.")
        say("Result: " + ("every target met." if not misses else "MISSED — " + "; ".join(misses)))
        return 1 if misses else 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        if args.out:
            args.out.write_text("\n".join(lines) + "\n")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
