#!/usr/bin/env python
"""Sync throughput: how close the worker gets to ServiceTitan's rate limit, and how fast a request arrives there.

Run from the repository root:

    .venv/bin/python benchmarks/sync_throughput.py [--workers 1] [--backlog 1200] \
        [--out benchmarks/results/sync_throughput.txt]

Uses SQLite in a fresh temporary PAGETOJOB_DATA_DIR unless DATABASE_URL is set (then it migrates that database
and loads the demo into it: use a throwaway database). It loads the Desert Peak demo, starts the ServiceTitan sandbox
in this process with its tenant limited to 60 requests/s (no other faults), connects Desert Peak to it with every
gate recorded for that sandbox, and starts real worker processes (`pagetojob worker`, default poll).

  1. Floor, same run: one thread creating bookings straight through the API client, no database, for 8 s.
  2. Backlog: 1,200 requests stored at once (2,400 sends: each booking, then its web attribution); sustained
     sends/s from the first send to the last (target >= 80 % of the 60/s limit, i.e. 48/s), and the 429s the
     sandbox answered.
  3. Steady arrivals: requests submitted through the real intake path at 20/s for 20 s (40 sends/s with their
     attributions, two thirds of the limit); p50/p95/max time from the request being stored to its booking
     being created in the sandbox.

Exits 1 when the throughput target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from drift import hardware_line  # noqa: E402 - the benchmarks' shared hardware line

RATE_LIMIT = 60.0
TARGET_SHARE = 0.8
KEY_PREFIX = "p2j-bench-"


def _bootstrap_django() -> str | None:
    temp_dir = None
    if not os.environ.get("DATABASE_URL") and not os.environ.get("PAGETOJOB_DATA_DIR"):
        temp_dir = tempfile.mkdtemp(prefix="pagetojob-sync-bench-")
        os.environ["PAGETOJOB_DATA_DIR"] = temp_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    os.environ.setdefault("PAGETOJOB_LOG_LEVEL", "ERROR")
    # The steady phase submits 40 requests/s from one address: the public form's abuse limits would refuse them,
    # and the office emails they queue are not what is measured here.
    os.environ["PAGETOJOB_INTAKE_SITE_LIMIT"] = "0"
    os.environ["PAGETOJOB_INTAKE_IP_LIMIT"] = "0"
    os.environ["PAGETOJOB_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    src = str(REPO_ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()
    return temp_dir


def _bound_page(workspace):
    """A demo page whose handoff plan has nothing blocking (a fully bound service page)."""
    from pagetojob.handoff.builder import build_handoff
    from pagetojob.intake import submissions
    from pagetojob.sites.models import Page

    for page in Page.objects.filter(workspace=workspace, kind="service").select_related("site").order_by("path"):
        stored = submissions.submit(page.site, _body(f"bench-probe-{page.pk:05d}", page))
        plan = build_handoff(stored.request)
        if not plan.blocking:
            return page, stored.request
    raise SystemExit("No demo page has a handoff plan without blocking warnings.")


def _body(submission_id: str, page) -> dict:
    return {"submission_id": submission_id, "page_url": page.site.base_url.rstrip("/") + page.path,
            "service": "", "urgency": "this_week", "name": "Benchmark Visitor", "phone": "(602) 555-0100",
            "email": "visitor@example.com", "address": {"street": "100 N Central Ave", "city": "Phoenix", "state": "AZ",
                                                        "zip": "85004"}, "customer_type": "new",
            "context": {"landing_page": page.site.base_url.rstrip("/") + page.path + "?utm_source=google",
                        "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "summer-ac"}}


def _backlog(template_request, count: int) -> list[str]:
    """`count` requests stored at once, each with its handoff draft (copies of one real submission)."""
    from pagetojob.core import clock
    from pagetojob.handoff.models import SyncJob, SyncKind
    from pagetojob.intake.models import BookingRequest

    template_job = SyncJob.objects.get(booking_request=template_request, kind=SyncKind.BOOKING_HANDOFF)
    now = clock.now()
    requests, keys = [], []
    for index in range(count):
        copy = BookingRequest.objects.get(pk=template_request.pk)
        copy.pk, copy.notification_id = None, None
        copy.submission_id = f"bench-backlog-{index}"
        copy.idempotency_key = f"{KEY_PREFIX}backlog-{index:05d}"
        copy.created_at = now
        requests.append(copy)
        keys.append(copy.idempotency_key)
    created = BookingRequest.objects.bulk_create(requests, batch_size=500)
    jobs = []
    for request in created:
        job = SyncJob.objects.get(pk=template_job.pk)
        job.pk = None
        job.booking_request_id, job.idempotency_key = request.pk, request.idempotency_key
        job.state, job.work_state = "queued", "queued"
        job.attempts, job.titan_id, job.sent_at, job.finished_at, job.needs_lookup = 0, None, None, None, False
        job.payload = {}  # each job builds its own plan on its first send
        job.created_at = job.updated_at = job.run_after = now
        jobs.append(job)
    SyncJob.objects.bulk_create(jobs, batch_size=500)
    return keys


def _wait_sent(keys: list[str], timeout: float) -> list:
    from pagetojob.handoff.models import SyncJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = SyncJob.objects.filter(idempotency_key__in=keys, state="sent").count()
        if done == len(keys):
            break
        time.sleep(0.5)
    return list(SyncJob.objects.filter(idempotency_key__in=keys).values_list("state", "created_at", "sent_at"))


def _floor(server, credentials, seconds: float) -> float:
    """Bookings created straight through the client (the same rate limit, no database, no worker)."""
    from pagetojob.titan.client import TitanClient

    client = TitanClient(credentials, rate_limit=RATE_LIMIT)
    path = f"/crm/v2/tenant/{credentials.tenant_id}/booking-provider/{{provider}}/bookings"
    provider = _provider_id()
    body = {"source": "Website", "name": "Floor Visitor", "summary": "Benchmark floor", "isFirstTimeClient": True,
            "externalId": "floor"}
    sent = 0
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        client.request("POST", path.replace("{provider}", str(provider)), json=dict(body, externalId=f"floor-{sent}"))
        sent += 1
    return sent / (time.monotonic() - began)


def _provider_id() -> int:
    from pagetojob.sandbox.seeds import BOOKING_PROVIDER_TAGS

    return BOOKING_PROVIDER_TAGS[0][0]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backlog", type=int, default=1200)
    parser.add_argument("--steady-rate", type=float, default=20.0)
    parser.add_argument("--steady-seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    temp_dir = _bootstrap_django()
    import secrets as pysecrets

    import httpx
    from django.conf import settings
    from django.core.management import call_command

    from pagetojob.accounts.models import Workspace
    from pagetojob.demo import data as demo_data
    from pagetojob.demo.loader import load_demo
    from pagetojob.intake import submissions
    from pagetojob.readiness.sandbox import connect_workspace_to_sandbox
    from pagetojob.sandbox.faults import FaultSettings
    from pagetojob.sandbox.seeds import DEMO_TENANT_ID
    from pagetojob.sandbox.server import ClientCredentials, SandboxConfig, SandboxServer
    from pagetojob.titan.client import Credentials

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    workspace = Workspace.objects.get(key=demo_data.PRIMARY_WORKSPACE_KEY)
    client_id, client_secret, app_key = "cid.bench", pysecrets.token_urlsafe(24), "ak1." + pysecrets.token_hex(8)
    config = SandboxConfig(seed="demo", clients=[ClientCredentials(DEMO_TENANT_ID, client_id, client_secret)],
                           app_key=app_key, faults=FaultSettings(rate_limit=0.0))
    server = SandboxServer("127.0.0.1", 0, config).start()
    procs: list[subprocess.Popen] = []
    try:
        connect_workspace_to_sandbox(workspace, None, base_url=server.url, tenant_id=DEMO_TENANT_ID,
                                     app_key=app_key, client_id=client_id, client_secret=client_secret)
        credentials = Credentials("sandbox", DEMO_TENANT_ID, app_key, client_id, client_secret, base_url=server.url,
                                  connection_key="bench-floor")
        httpx.post(f"{server.url}/_sandbox/faults", json={"rate_limit": RATE_LIMIT}, timeout=10).raise_for_status()
        say(f"Sync throughput benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        say(hardware_line())
        say(f"Sandbox tenant limit: {RATE_LIMIT:.0f} requests/s (token bucket, 429 with Retry-After); no other "
            f"faults. Workers: {args.workers} `pagetojob worker` process(es), default settings.")
        floor = _floor(server, credentials, 8.0)
        say(f"Floor (same run): one thread creating bookings through the API client, no database: "
            f"{floor:.1f} bookings/s")

        env = dict(os.environ, PAGETOJOB_DATA_DIR=str(settings.DATA_DIR),
                   PAGETOJOB_ENCRYPTION_KEYS=settings.ENCRYPTION_KEYS, PAGETOJOB_LOG_LEVEL="ERROR")
        procs = [subprocess.Popen([sys.executable, "-m", "pagetojob", "worker"], env=env)
                 for _ in range(args.workers)]
        from pagetojob.core import worker

        deadline = time.monotonic() + 30
        while not worker.worker_is_alive():
            if time.monotonic() > deadline:
                raise SystemExit("The worker did not write a heartbeat within 30 s.")
            time.sleep(0.2)
        page, template = _bound_page(workspace)
        _wait_sent([template.idempotency_key], 60)
        before = httpx.get(f"{server.url}/_sandbox/stats", timeout=10).json()["tenants"][str(DEMO_TENANT_ID)]

        keys = _backlog(template, args.backlog)
        all_keys = keys + [key + "-attr" for key in keys]  # each booking is followed by its web attribution
        rows = _wait_sent(all_keys, args.backlog * 2 / (RATE_LIMIT * 0.5) + 60)
        after = httpx.get(f"{server.url}/_sandbox/stats", timeout=10).json()["tenants"][str(DEMO_TENANT_ID)]
        sent_times = sorted(sent for state, _, sent in rows if state == "sent")
        span = (sent_times[-1] - sent_times[0]).total_seconds() if len(sent_times) > 1 else float("inf")
        rate = (len(sent_times) - 1) / span if span else 0.0
        throttled = after.get("rateLimited", 0) - before.get("rateLimited", 0)
        all_calls = after.get("requests", 0) - before.get("requests", 0)
        say()
        say(f"Backlog: {args.backlog:,} requests stored at once = {len(all_keys):,} sends (each booking, then its "
            f"web attribution); {len(sent_times):,} sent in {span:.1f} s")
        say(f"  sustained sends: {rate:.1f}/s = {rate / RATE_LIMIT:.0%} of the limit (target >= {TARGET_SHARE:.0%}); "
            f"{rate / floor:.0%} of the floor; bookings alone {rate / 2:.1f}/s")
        say(f"  API calls the sandbox saw for them: {all_calls:,}; 429 answers: {throttled}")

        steady_keys: list[str] = []
        interval = 1.0 / args.steady_rate
        began = time.monotonic()
        index = 0
        while time.monotonic() - began < args.steady_seconds:
            stored = submissions.submit(page.site, _body(f"bench-steady-{index}", page))
            steady_keys.append(stored.request.idempotency_key)
            index += 1
            time.sleep(max(0.0, began + index * interval - time.monotonic()))
        rows = _wait_sent(steady_keys, 180)
        latencies = [(sent - created).total_seconds() for state, created, sent in rows if state == "sent"]
        say()
        say(f"Steady arrivals: {len(steady_keys):,} requests through the intake path at {args.steady_rate:.0f}/s "
            f"for {args.steady_seconds:.0f} s; {len(latencies):,} sent")
        if latencies:
            say(f"  stored -> booking created: p50 {statistics.median(latencies):.2f} s, "
                f"p95 {_percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s")
        ok = rate >= TARGET_SHARE * RATE_LIMIT and len(sent_times) == len(all_keys)
        say()
        say("Result: " + ("pass — sustained sends >= 80 % of the limit" if ok else "FAIL — below 80 % of the limit"))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        server.stop()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    threading.current_thread().name = "benchmark"
    sys.exit(main())
