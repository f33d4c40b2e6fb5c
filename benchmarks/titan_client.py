#!/usr/bin/env python
"""ServiceTitan client against a rate-limited sandbox: sustained calls per second, 429s, latency.

Run from the repository root:

    .venv/bin/python benchmarks/titan_client.py [--seconds 8] [--threads 4] [--limit 60] [--out FILE]

Starts `pagetojob sandbox` as its own process with a per-tenant limit of `--limit` requests/s (ServiceTitan's
reported limit is 60), then drives it with `TitanClient` from `--threads` threads, all of one tenant, each
calling a business-unit list page in a loop for `--seconds`. Two phases in the same run:

* with the client's token bucket at the limit (what PAGETOJOB_ST_RATE_LIMIT does in production);
* the baseline: the bucket opened wide (100,000/s), so only the sandbox's 429s hold the threads back.

Targets for the first phase (exit 1 when missed): no 429 at all, and accepted calls/s >= 90 % of the limit.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TENANT = 4100100
CLIENT_ID = "cid.bench-client"
SECRET = "bench-secret-not-real"
APP_KEY = "ak1.bench"


def start_sandbox(limit: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "pagetojob", "sandbox", "--port", "0", "--rate-limit", str(limit),
                             "--client", f"{TENANT}:{CLIENT_ID}:{SECRET}", "--app-key", APP_KEY],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        found = re.search(r"ServiceTitan sandbox at (\S+)", line)
        if found:
            url = found.group(1)
        if "Ctrl-C stops" in line:
            return proc, url
    raise SystemExit("the sandbox did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))] if ordered else 0.0


def phase(url: str, threads: int, seconds: float, rate: float, key: str) -> dict[str, float]:
    from pagetojob.titan import errors
    from pagetojob.titan.client import Credentials, TitanClient

    credentials = Credentials("sandbox", TENANT, APP_KEY, CLIENT_ID, SECRET, base_url=url, connection_key=key)
    TitanClient(credentials, rate_limit=rate).token()  # the token fetch is not an API call
    ok = limited = 0
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def work() -> None:
        nonlocal ok, limited
        client = TitanClient(credentials, rate_limit=rate, timeout=10)
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                client.get("/settings/v2/tenant/{tenant}/business-units", pageSize=1)
            except errors.TitanRateLimited:
                with lock:
                    limited += 1
                continue
            with lock:
                ok += 1
                latencies.append((time.monotonic() - started) * 1000)

    began = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - began
    return {"ok": ok, "limited": limited, "rate": ok / elapsed, "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "elapsed": elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    os.environ.setdefault("PAGETOJOB_DATA_DIR", tempfile.mkdtemp(prefix="p2j-bench-titan-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    import django

    django.setup()
    proc, url = start_sandbox(args.limit)
    try:
        bucket = phase(url, args.threads, args.seconds, args.limit, "bench-bucket")
        time.sleep(1.5)  # let the sandbox's bucket refill between phases
        baseline = phase(url, args.threads, args.seconds, 100_000, "bench-open")
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    lines = [
        f"ServiceTitan client vs sandbox limit {args.limit:g} requests/s, {args.threads} threads, "
        f"{args.seconds:g} s per phase",
        f"{'phase':<28}{'accepted/s':>12}{'accepted':>10}{'429s':>8}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    for name, result in ((f"token bucket at {args.limit:g}/s", bucket), ("baseline: bucket wide open", baseline)):
        lines.append(f"{name:<28}{result['rate']:>12.1f}{result['ok']:>10.0f}{result['limited']:>8.0f}"
                     f"{result['p50']:>9.1f}{result['p95']:>9.1f}")
    failures = []
    if bucket["limited"]:
        failures.append(f"{bucket['limited']:.0f} calls were answered 429 with the bucket on (target: none)")
    if bucket["rate"] < 0.9 * args.limit:
        failures.append(f"{bucket['rate']:.1f} calls/s accepted with the bucket on (target >= {0.9 * args.limit:.1f})")
    lines.append("targets met" if not failures else "TARGETS MISSED: " + "; ".join(failures))
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
