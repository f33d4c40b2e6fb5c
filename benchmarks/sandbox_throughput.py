#!/usr/bin/env python
"""ServiceTitan sandbox throughput: API calls per second with keep-alive, and the rate limit holding.

Run from the repository root:

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 5] [--threads 4] [--out FILE]

Starts `pagetojob sandbox` as its own process (as a test run or the demo would) and drives it from
`--threads` client threads, each with one kept-alive httpx connection. The mix is a booking create, an
externalId lookup and a job-type list page, in turn. In the same run it measures a floor: the same threads
calling `/_sandbox/health`, which skips authentication, faults and validation. A second phase turns the
per-tenant limit to 60 requests/s and reports the accepted rate and the 429s. Targets: >= 100 API calls/s
sustained; accepted rate under the limit within 10 % of 60/s. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

TENANT = 4100100
SECRET = "bench-secret-not-real"
APP_KEY = "ak1.bench"


def start_sandbox() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "pagetojob", "sandbox", "--port", "0", "--rate-limit", "0",
                             "--client", f"{TENANT}:cid.bench:{SECRET}", "--app-key", APP_KEY],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"ServiceTitan sandbox at (\S+)", line)
        if found:
            url = found.group(1)
        if "Ctrl-C stops" in line:
            return proc, url
    raise SystemExit("the sandbox did not start")


def drive(url: str, threads: int, seconds: float, health_only: bool) -> tuple[int, list[float], dict[int, int]]:
    token = httpx.post(url + "/connect/token", data={"grant_type": "client_credentials", "client_id": "cid.bench",
                                                     "client_secret": SECRET}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "ST-App-Key": APP_KEY}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(number: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
            count = 0
            while time.monotonic() < stop_at:
                count += 1
                started = time.perf_counter()
                if health_only:
                    response = client.get("/_sandbox/health")
                elif count % 3 == 1:
                    response = client.post(f"/crm/v2/tenant/{TENANT}/booking-provider/7700901/bookings", json={
                        "source": "bench", "name": "Load Test", "summary": "AC out", "isFirstTimeClient": True,
                        "externalId": f"bench-{number}-{count}", "campaignId": 3300401,
                        "address": {"street": "1 Main St", "city": "Phoenix", "state": "AZ", "zip": "85006",
                                    "country": "USA"}})
                elif count % 3 == 2:
                    response = client.get(f"/crm/v2/tenant/{TENANT}/bookings",
                                          params={"externalId": f"bench-{number}-{count - 1}"})
                else:
                    response = client.get(f"/jpm/v2/tenant/{TENANT}/job-types", params={"pageSize": 10})
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), sorted(latencies), statuses


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    proc, url = start_sandbox()
    lines = [f"sandbox at {url}, {args.threads} client threads, {args.seconds:g} s per phase"]
    try:
        rows = []
        for label, health in (("floor: /_sandbox/health", True), ("API mix (create, lookup, list)", False)):
            count, latencies, statuses = drive(url, args.threads, args.seconds, health)
            rate = count / args.seconds
            rows.append(rate)
            lines.append(f"{label:32} {rate:8.1f} req/s   p50 {percentile(latencies, .5):6.1f} ms   "
                         f"p95 {percentile(latencies, .95):6.1f} ms   statuses {statuses}")
        httpx.post(url + "/_sandbox/faults", json={"rateLimit": 60})
        count, _, statuses = drive(url, args.threads, args.seconds, False)
        accepted = statuses.get(200, 0) / args.seconds
        lines.append(f"{'limit 60/s per tenant':32} {accepted:8.1f} accepted/s   429s {statuses.get(429, 0)}   "
                     f"of {count} calls")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    api_rate = rows[1]
    ok = api_rate >= 100 and abs(accepted - 60) <= 6 + 60 / args.seconds  # the first second's burst is allowed
    lines.append(f"targets: API >= 100 req/s: {'met' if api_rate >= 100 else 'MISSED'}; "
                 f"limit holds near 60/s: {'met' if abs(accepted - 60) <= 6 + 60 / args.seconds else 'MISSED'}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
