#!/usr/bin/env python
"""Intake API under load: the real server (`pagetojob serve`, gunicorn) on SQLite, driven over 127.0.0.1.

Run from the repository root:

    .venv/bin/python benchmarks/intake_load.py [--out benchmarks/results/intake_load.txt]

Migrates a fresh temporary data directory, loads the demo, starts `python -m pagetojob serve` with the
rate limits raised and the one-row-insert floor view switched on (PAGETOJOB_BENCH_FLOOR=1), then from
this process (httpx, a thread pool): measures the floor, sends LATENCY_COUNT submissions at a fixed
100 requests/s (latency), then the rest of the 20,000 distinct submissions as fast as the server takes
them, interleaved with 2,000 resends of ids already answered (sustained rate). Finally it stops the
server and checks the database: exactly 20,000 requests, none lost or duplicated, each with its sync
job and notification. Exits 1 when a target or a check is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DISTINCT, RESENDS, LATENCY_COUNT, FIXED_RATE = 20_000, 2_000, 3_000, 100.0
FLOOR_COUNT, CONCURRENCY = 4_000, 16
TARGET_RATE, TARGET_P99_MS = 250.0, 150.0
DEADLINE_SECONDS = 900
SITE_KEY = "desert-peak"


def _bootstrap_django(data_dir: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["PAGETOJOB_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    os.environ.setdefault("PAGETOJOB_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(REPO_ROOT / "src"))
    import django

    django.setup()


def hardware_line() -> str:
    import sqlite3

    import django

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    return (f"Hardware: {cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"Django {django.get_version()}; sqlite {sqlite3.sqlite_version}; gunicorn gthread 2 workers x 4 threads")


def body(n: int, started_ms: int | None = None) -> dict:
    zips = ("85004", "85201", "85281", "86001")
    data = {
        "submission_id": f"bench-{n:06d}-{random.getrandbits(32):08x}", "page_url": "https://www.desertpeakair.com/",
        "service": "AC Repair", "urgency": "today", "preferred_window": "morning", "name": f"Load Test {n}",
        "phone": "(602) 555-0148", "email": f"visitor{n}@example.com",
        "address": {"street": f"{n} Main St", "city": "Phoenix", "state": "AZ", "zip": zips[n % len(zips)]},
        "notes": "Benchmark request", "consent_sms": n % 2 == 0, "customer_type": "new", "website": "",
        "context": {"utm_source": "google", "utm_medium": "cpc", "gclid": f"gclid-{n}"},
    }
    if started_ms is not None:
        data["form_started_at"] = started_ms
    return data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PAGETOJOB_DATA_DIR=data_dir, PAGETOJOB_BENCH_FLOOR="1", PAGETOJOB_ACCESS_LOG="",
               PAGETOJOB_LOG_LEVEL="WARNING", PAGETOJOB_INTAKE_IP_LIMIT="100000000",
               PAGETOJOB_INTAKE_SITE_LIMIT="100000000")
    log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115 - the server's lifetime, not a block's
    proc = subprocess.Popen([sys.executable, "-m", "pagetojob", "serve", "--port", str(port)], env=env,
                            start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)  # 503 without a worker is fine: it answers
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("The server did not start:\n" + (Path(data_dir) / "server.log").read_text())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


class Driver:
    """Shared httpx client; records every answer so the database can be checked against it."""

    def __init__(self, base: str) -> None:
        import httpx

        self.httpx = httpx
        self.client = httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=64))
        self.url = f"/api/v1/intake/{SITE_KEY}/requests"
        self.lock = threading.Lock()
        self.accepted: dict[str, int] = {}  # submission id -> request id (201)
        self.resend_ok = self.resend_bad = self.errors = self.retried_ok = 0
        self.error_kinds: dict[str, int] = {}
        self.other: dict[int, int] = {}

    def submit(self, payload: dict) -> float:
        """Send like the form does: after a transport error, the same submission again (up to 3 times)."""
        began = time.perf_counter()
        response, attempt = None, 0
        while response is None and attempt < 3:
            try:
                response = self.client.post(self.url, json=payload)
            except self.httpx.HTTPError as error:
                attempt += 1
                with self.lock:
                    self.errors += 1
                    self.error_kinds[type(error).__name__] = self.error_kinds.get(type(error).__name__, 0) + 1
        elapsed = time.perf_counter() - began
        if response is None:
            return elapsed
        with self.lock:
            if response.status_code == 201 or (attempt and response.status_code == 200):
                self.retried_ok += bool(attempt)
                self.accepted[payload["submission_id"]] = response.json()["id"]
            else:
                self.other[response.status_code] = self.other.get(response.status_code, 0) + 1
        return elapsed

    def resend(self, submission_id: str, payload: dict) -> None:
        response = self.client.post(self.url, json=payload)
        ok = response.status_code == 200 and response.json()["id"] == self.accepted[submission_id]
        with self.lock:
            self.resend_ok += ok
            self.resend_bad += not ok


def measure_floor(driver: Driver) -> float:
    def one(_: int) -> int:
        return driver.client.post("/bench/floor").status_code

    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        codes = list(pool.map(one, range(FLOOR_COUNT)))
    elapsed = time.perf_counter() - began
    if codes.count(201) != FLOOR_COUNT:
        raise SystemExit(f"The floor view failed: {sorted(set(codes))}")
    return FLOOR_COUNT / elapsed


def measure_latency(driver: Driver, payloads: list[dict]) -> list[float]:
    """Open loop at FIXED_RATE: latency counts from the scheduled send time, so queueing shows."""
    latencies: list[float] = []
    start = time.perf_counter() + 0.2

    def one(index: int) -> None:
        scheduled = start + index / FIXED_RATE
        time.sleep(max(0.0, scheduled - time.perf_counter()))
        driver.submit(payloads[index])
        latencies.append(time.perf_counter() - scheduled)

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(len(payloads))))
    return latencies


def measure_sustained(driver: Driver, payloads: list[dict], resend_pool: list[dict]) -> tuple[float, int]:
    """Closed loop with CONCURRENCY threads; every eleventh task resends an already-answered submission."""
    tasks: list[dict | None] = list(payloads)
    for index in range(RESENDS):
        tasks.insert(min(len(tasks), 500 + index * 10), None)
    answered = list(resend_pool)
    rng = random.Random(7)

    def one(task: dict | None) -> None:
        if task is None:
            with driver.lock:
                chosen = rng.choice(answered)
            driver.resend(chosen["submission_id"], chosen)
            return
        driver.submit(task)
        with driver.lock:
            if task["submission_id"] in driver.accepted:
                answered.append(task)

    before = len(driver.accepted)
    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, tasks))
    elapsed = time.perf_counter() - began
    return (len(driver.accepted) - before) / elapsed, len(tasks)


def check_database(driver: Driver) -> list[str]:
    from django.db.models import Count

    from pagetojob.handoff.models import SyncJob
    from pagetojob.intake.models import BookingRequest

    requests = BookingRequest.objects.filter(site__key=SITE_KEY, submission_id__startswith="bench-")
    stored = dict(requests.values_list("submission_id", "pk"))
    problems = []
    if len(stored) != DISTINCT or requests.count() != DISTINCT:
        problems.append(f"stored {requests.count()} requests ({len(stored)} distinct ids), expected {DISTINCT}")
    lost = [key for key in driver.accepted if stored.get(key) != driver.accepted[key]]
    if lost:
        problems.append(f"{len(lost)} accepted submissions are missing or stored under another id")
    no_job = requests.annotate(jobs=Count("sync_jobs")).exclude(jobs=1).count()
    no_mail = requests.filter(notification__isnull=True).count()
    if no_job:
        problems.append(f"{no_job} requests without exactly one sync job")
    if no_mail:
        problems.append(f"{no_mail} requests without a notification")
    if SyncJob.objects.filter(booking_request__in=requests).count() != DISTINCT:
        problems.append("sync job count differs from the request count")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="Also write the report to this file.")
    parser.add_argument("--scale", type=float, default=1.0, help="Shrink every count (0.1 for a smoke run).")
    args = parser.parse_args()
    global DISTINCT, RESENDS, LATENCY_COUNT, FLOOR_COUNT
    DISTINCT, RESENDS, LATENCY_COUNT, FLOOR_COUNT = (int(n * args.scale) for n in
                                                     (DISTINCT, RESENDS, LATENCY_COUNT, FLOOR_COUNT))
    data_dir = tempfile.mkdtemp(prefix="pagetojob-intake-bench-")
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    proc = None
    alarm = threading.Timer(DEADLINE_SECONDS, lambda: os.kill(os.getpid(), signal.SIGTERM))
    alarm.daemon = True
    alarm.start()
    try:
        _bootstrap_django(data_dir)
        from django.core.management import call_command

        from pagetojob.demo.loader import load_demo

        call_command("migrate", interactive=False, verbosity=0)
        load_demo()
        port = free_port()
        proc = start_server(data_dir, port)
        driver = Driver(f"http://127.0.0.1:{port}")
        say("Intake API load benchmark — `pagetojob serve` (gunicorn) on SQLite, driven over 127.0.0.1")
        say(hardware_line())
        say(f"Date: {time.strftime('%Y-%m-%d %H:%M')}; access log off; rate limits raised for the run")
        say()
        floor = measure_floor(driver)
        say(f"Floor (one-row insert view, {FLOOR_COUNT} requests, {CONCURRENCY} clients): {floor:,.0f} requests/s")
        now_ms = int(time.time() * 1000) - 10_000
        payloads = [body(n, now_ms if n % 2 else None) for n in range(DISTINCT)]
        latencies = measure_latency(driver, payloads[:LATENCY_COUNT])
        p50, p95, p99 = (percentile(latencies, share) * 1000 for share in (0.50, 0.95, 0.99))
        say(f"Latency at a fixed {FIXED_RATE:.0f} requests/s ({LATENCY_COUNT} submissions): "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(latencies) * 1000:.1f} ms")
        answered = [p for p in payloads[:LATENCY_COUNT] if p["submission_id"] in driver.accepted]
        rate, sent = measure_sustained(driver, payloads[LATENCY_COUNT:], answered)
        say(f"Sustained ({sent} requests, {CONCURRENCY} clients, {RESENDS} of them resends): "
            f"{rate:,.0f} accepted requests/s = {rate / floor:.0%} of the floor")
        say(f"Answers: {len(driver.accepted)} x 201 of {DISTINCT} distinct; resends {driver.resend_ok} x 200 "
            f"with the same id, {driver.resend_bad} wrong; other statuses {driver.other or 'none'}; "
            f"transport errors {driver.errors}"
            + (f" ({driver.error_kinds}; {driver.retried_ok} submissions answered on a resend)" if driver.errors
               else ""))
        driver.client.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        proc = None
        problems = check_database(driver)
        verdict = (f"exactly {DISTINCT} requests, none lost or duplicated, each with its sync job and notification"
                   if not problems else "; ".join(problems))
        say(f"Database: {verdict}")
        misses = [*problems]
        if len(driver.accepted) != DISTINCT or driver.resend_bad:
            misses.append("not every submission was accepted exactly once")
        if driver.errors:
            log_tail = (Path(data_dir) / "server.log").read_text(errors="replace").splitlines()[-15:]
            say("Server log (last lines):\n  " + "\n  ".join(log_tail))
        if rate < TARGET_RATE:
            misses.append(f"sustained {rate:.0f}/s < {TARGET_RATE:.0f}/s")
        if p99 > TARGET_P99_MS:
            misses.append(f"p99 {p99:.1f} ms > {TARGET_P99_MS:.0f} ms")
        say()
        say(f"Targets: >= {TARGET_RATE:.0f} accepted requests/s sustained; p99 <= {TARGET_P99_MS:.0f} ms at "
            f"{FIXED_RATE:.0f} requests/s; exactly {DISTINCT} stored.")
        say("Result: " + ("every target met." if not misses else "MISSED — " + "; ".join(misses)))
        return 1 if misses else 0
    finally:
        alarm.cancel()
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        if args.out:
            args.out.write_text("\n".join(lines) + "\n")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
