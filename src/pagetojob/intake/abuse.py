"""Abuse controls for public submissions: honeypot, minimum fill time, per-address and per-site rate limits.

Rate counts live in the database (one upserted row per key and fixed window), so every web process on
every machine shares them; SQLite and PostgreSQL both run the same INSERT ... ON CONFLICT statement.
"""

from __future__ import annotations

import ipaddress
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from pagetojob.core import clock
from pagetojob.intake.models import IntakeRateWindow

HONEYPOT_FIELD = "website"
MIN_FILL_MS = 2000
# Old windows are deleted now and then by the requests themselves; nothing else needs to run.
CLEANUP_CHANCE = 0.005
KEEP_WINDOWS = timedelta(days=1)


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limited per {scope}; retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    scope: str  # "address" or "site"
    count: int
    window_seconds: int


def limits() -> tuple[Limit, Limit]:
    """Read on every check, so a changed setting applies at once (see the README's table)."""
    return (
        Limit("address", settings.PAGETOJOB_INTAKE_IP_LIMIT, settings.PAGETOJOB_INTAKE_IP_WINDOW_SECONDS),
        Limit("site", settings.PAGETOJOB_INTAKE_SITE_LIMIT, settings.PAGETOJOB_INTAKE_SITE_WINDOW_SECONDS),
    )


def spam_reason(payload: dict[str, Any], now: datetime) -> str:
    """Why this looks like a bot ("" when it does not). The answer to the client never says so."""
    if str(payload.get(HONEYPOT_FIELD) or "").strip():
        return "honeypot filled"
    started = payload.get("form_started_at")
    if started in (None, ""):
        return ""  # API clients send no fill time
    try:
        started_ms = float(started)
    except (TypeError, ValueError):
        return ""
    elapsed_ms = now.timestamp() * 1000 - started_ms
    # A negative time means the visitor's clock runs ahead of ours: no evidence either way.
    if 0 <= elapsed_ms < MIN_FILL_MS:
        return "filled in under 2 seconds"
    return ""


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def count_hits(keys: list[tuple[str, datetime]]) -> dict[str, int]:
    """Add one to each (key, window) in one statement and return the new counts by key."""
    q = connection.ops.quote_name
    table, key_col, start_col, count_col = (q(IntakeRateWindow._meta.db_table), q("key"), q("window_start"),
                                            q("count"))
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    params: list[Any] = []
    for key, start in keys:
        params += [key, connection.ops.adapt_datetimefield_value(start)]
    sql = (f"INSERT INTO {table} ({key_col}, {start_col}, {count_col}) VALUES {rows} "
           f"ON CONFLICT ({key_col}, {start_col}) DO UPDATE SET {count_col} = {table}.{count_col} + 1 "
           f"RETURNING {key_col}, {count_col}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def check_rate(site_id: int, client_ip_hash: str, now: datetime | None = None) -> None:
    """Count this submission against its address and its site; raise RateLimited when either is over."""
    now = now or clock.now()
    checks: list[tuple[Limit, str, datetime]] = []
    for limit in limits():
        subject = client_ip_hash if limit.scope == "address" else str(site_id)
        if limit.count <= 0 or not subject:
            continue
        checks.append((limit, f"{limit.scope}:{limit.window_seconds}:{subject}",
                       _window_start(now, limit.window_seconds)))
    if not checks:
        return
    counts = count_hits([(key, start) for _, key, start in checks])
    if random.random() < CLEANUP_CHANCE:
        IntakeRateWindow.objects.filter(window_start__lt=now - KEEP_WINDOWS).delete()
    for limit, key, start in checks:
        if counts.get(key, 0) > limit.count:
            window_end = start + timedelta(seconds=limit.window_seconds)
            raise RateLimited(limit.scope, max(1, math.ceil((window_end - now).total_seconds())))


def client_address(remote_addr: str, forwarded_for: str, trusted: list[str]) -> str:
    """The visitor's address: the connecting one, unless it is a trusted proxy, in which case the nearest
    address in X-Forwarded-For that is not itself a trusted proxy (a visitor can prepend anything, so the
    list is read from the right)."""
    networks = []
    for entry in trusted:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue

    def is_trusted(address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in networks)

    if not networks or not is_trusted(remote_addr):
        return remote_addr
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not is_trusted(hop):
            return hop
    return remote_addr
