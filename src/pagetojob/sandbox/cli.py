"""`pagetojob sandbox`: run the ServiceTitan sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .faults import FaultSettings
from .seeds import DEMO_TENANT_ID, SEED_NAMES
from .server import ClientCredentials, SandboxConfig, SandboxServer


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give a share such as 0.05 for 5%") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not a share between 0 and 1 (0.05 means 5%)")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    return value


def _client(text: str) -> ClientCredentials:
    tenant, _, rest = text.partition(":")
    client_id, _, secret = rest.partition(":")
    if not tenant.isdigit() or not client_id or not secret:
        raise argparse.ArgumentTypeError(f"{text!r} should be TENANT:CLIENT_ID:CLIENT_SECRET, e.g. "
                                         f"{DEMO_TENANT_ID}:cid.mine:my-secret")
    return ClientCredentials(int(tenant), client_id, secret)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pagetojob sandbox",
        description="Run a local ServiceTitan sandbox: OAuth tokens, the endpoints PageToJob uses with the "
                    "official shapes, per-tenant state and fault injection. Admin endpoints are under /_sandbox/.")
    parser.add_argument("--port", type=int, default=8765, help="Port to listen on (default 8765; 0 picks one).")
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
    parser.add_argument("--seed", choices=SEED_NAMES, default="demo",
                        help="Data the tenants start with: demo mirrors Desert Peak (default), empty has nothing.")
    parser.add_argument("--tenant", type=int, default=DEMO_TENANT_ID,
                        help=f"Tenant id when no --client is given (default {DEMO_TENANT_ID}).")
    parser.add_argument("--client", type=_client, action="append", default=[], metavar="TENANT:CLIENT_ID:SECRET",
                        help="Credentials to accept (repeatable); without it a client with a fresh secret is made.")
    parser.add_argument("--app-key", default=None, help="The ST-App-Key to accept (default: a fresh one).")
    parser.add_argument("--token-ttl", type=int, default=900, help="Access token lifetime in seconds (default 900).")
    parser.add_argument("--rate-limit", type=_non_negative, default=60.0,
                        help="Requests per second per tenant before 429 (default 60; 0 turns it off).")
    parser.add_argument("--error-rate", type=_share, default=0.0, help="Share of API calls answered 500 (0-1).")
    parser.add_argument("--timeout-rate", type=_share, default=0.0,
                        help="Share of API calls held --timeout-seconds, then dropped, nothing written (0-1).")
    parser.add_argument("--timeout-seconds", type=_non_negative, default=30.0,
                        help="How long a timed-out call is held (default 30).")
    parser.add_argument("--drop-rate", type=_share, default=0.0,
                        help="Share of API calls written, then dropped without an answer (0-1).")
    parser.add_argument("--latency-ms", type=_non_negative, default=0.0, help="Added to every API call.")
    parser.add_argument("--token-faults", action="store_true", help="Apply 5xx and timeouts to /connect/token too.")
    parser.add_argument("--rng-seed", type=int, default=None, help="Seed for the fault draws (repeatable runs).")
    parser.add_argument("--openapi-dir", type=Path, default=None,
                        help="ServiceTitan OpenAPI documents for body validation (default: "
                             "PAGETOJOB_ST_OPENAPI_DIR or ../shared/servicetitan-openapi).")
    return parser


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    faults = FaultSettings(rate_limit=args.rate_limit, error_rate=args.error_rate, timeout_rate=args.timeout_rate,
                           timeout_seconds=args.timeout_seconds, drop_rate=args.drop_rate, latency_ms=args.latency_ms,
                           token_faults=args.token_faults, rng_seed=args.rng_seed)
    try:
        faults.validate()
        if args.token_ttl < 1:
            raise ValueError("--token-ttl must be at least 1 second.")
        config = SandboxConfig(seed=args.seed, tenant_id=args.tenant, clients=args.client, app_key=args.app_key,
                               token_ttl=args.token_ttl, faults=faults, openapi_dir=args.openapi_dir)
        server = SandboxServer(args.host, args.port, config)
    except ValueError as problem:
        print(f"pagetojob sandbox: {problem}", file=sys.stderr)
        return 2
    except OSError as problem:
        print(f"pagetojob sandbox: cannot listen on {args.host}:{args.port} ({problem.strerror}); stop what is using "
              "it or pass another --port.", file=sys.stderr)
        return 2
    print(f"ServiceTitan sandbox at {server.url}  (seed: {args.seed})")
    print(f"  token URL   {server.url}/connect/token")
    print(f"  API base    {server.url}/<module>/v2/tenant/<tenant>/...   e.g. /crm/v2/tenant/{args.tenant}/leads")
    print(f"  ST-App-Key  {server.app_key}")
    for client in server.clients:
        secret = client.client_secret if client.generated else "(as given with --client)"
        print(f"  tenant {client.tenant_id}: client_id {client.client_id}  client_secret {secret}")
    s = faults
    print(f"  faults      rate limit {s.rate_limit:g}/s per tenant, 5xx {s.error_rate:.1%}, timeouts "
          f"{s.timeout_rate:.1%} (held {s.timeout_seconds:g} s), commit-then-drop {s.drop_rate:.1%}, latency "
          f"{s.latency_ms:g} ms")
    print(f"  {server.state.validators.describe()}")
    print(f"  admin       {server.url}/_sandbox/tenants, /_sandbox/stats, /_sandbox/faults   Ctrl-C stops.",
          flush=True)
    stop = threading.Event()

    def on_signal(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server.start()
    stop.wait()
    server.stop()
    print("Sandbox stopped.")
    return 0
