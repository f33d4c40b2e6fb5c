"""Fault injection: the per-tenant rate limit and the share of failures the sandbox deals out.

Every API call draws one number from a seedable random generator and falls into at most one fault: a timeout
(held past the client's patience, then the connection is closed and nothing is written), a 5xx (nothing is
written), or commit-then-drop (the write happens, then the connection is closed without an answer). A
fixed seed makes the sequence of outcomes repeatable for a client that sends its requests one after another.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

RATE_FIELDS = ("error_rate", "timeout_rate", "drop_rate")


@dataclass
class FaultSettings:
    rate_limit: float = 60.0  # requests per second per tenant; 0 turns the limit off
    burst: float | None = None  # bucket size; defaults to one second of requests
    error_rate: float = 0.0  # share of API calls answered with a 5xx before anything is written
    timeout_rate: float = 0.0  # share held for timeout_seconds, then dropped, nothing written
    timeout_seconds: float = 30.0
    drop_rate: float = 0.0  # share written, then the connection is closed without an answer
    latency_ms: float = 0.0  # added to every API call
    token_faults: bool = False  # whether /connect/token gets the same faults
    rng_seed: int | None = None

    def validate(self) -> None:
        for name in RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1 (e.g. 0.05 for 5%); it was {value}.")
        if sum(getattr(self, name) for name in RATE_FIELDS) > 1.0:
            raise ValueError("error_rate + timeout_rate + drop_rate must not add up to more than 1.")
        if self.rate_limit < 0:
            raise ValueError(f"rate_limit must be 0 (off) or requests per second; it was {self.rate_limit}.")
        if self.burst is not None and self.burst < 1:
            raise ValueError(f"burst must be at least 1 request; it was {self.burst}.")
        if self.timeout_seconds < 0 or self.latency_ms < 0:
            raise ValueError("timeout_seconds and latency_ms must not be negative.")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def updated_settings(current: FaultSettings, changes: dict[str, Any]) -> FaultSettings:
    """A copy of `current` with `changes` applied (camelCase or snake_case keys); ValueError names what is wrong."""
    known = {f.name: f for f in fields(FaultSettings)}
    aliases = {"".join(part.capitalize() if i else part for i, part in enumerate(name.split("_"))): name
               for name in known}
    values = current.as_dict()
    for key, value in changes.items():
        name = key if key in known else aliases.get(key)
        if name is None:
            raise ValueError(f"unknown fault setting {key!r}: use one of {', '.join(sorted(known))}.")
        if name == "token_faults":
            if not isinstance(value, bool):
                raise ValueError("token_faults must be true or false.")
        elif name in ("burst", "rng_seed") and value is None:
            pass
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number; it was {value!r}.")
        values[name] = int(value) if name == "rng_seed" and value is not None else value
    settings = FaultSettings(**values)
    settings.validate()
    return settings


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up; `take` says how long to wait when empty."""

    def __init__(self, rate: float, capacity: float):
        self.rate, self.capacity = rate, capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when the request may go ahead, else the seconds until a token is free."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Faults:
    """The live fault settings, the per-tenant buckets and the random generator, behind one lock."""

    def __init__(self, settings: FaultSettings):
        settings.validate()
        self.lock = threading.Lock()
        self.settings = settings
        self.rng = random.Random(settings.rng_seed)
        self.buckets: dict[int, TokenBucket] = {}

    def configure(self, changes: dict[str, Any]) -> FaultSettings:
        with self.lock:
            new = updated_settings(self.settings, changes)
            if "rng_seed" in changes or "rngSeed" in changes:
                self.rng = random.Random(new.rng_seed)
            if (new.rate_limit, new.burst) != (self.settings.rate_limit, self.settings.burst):
                self.buckets.clear()
            self.settings = new
            return new

    def reset(self) -> None:
        with self.lock:
            self.buckets.clear()
            self.rng = random.Random(self.settings.rng_seed)

    def retry_after(self, tenant_id: int) -> int | None:
        """None when the tenant's bucket has a token; else whole seconds to wait (at least 1)."""
        with self.lock:
            settings = self.settings
            if settings.rate_limit <= 0:
                return None
            bucket = self.buckets.get(tenant_id)
            if bucket is None:
                bucket = self.buckets[tenant_id] = TokenBucket(settings.rate_limit,
                                                               settings.burst or max(settings.rate_limit, 1.0))
            wait = bucket.take()
        return None if wait == 0 else max(1, math.ceil(wait))

    def draw(self) -> str | None:
        """The fault this call gets: "timeout", "error", "drop" or None."""
        with self.lock:
            settings = self.settings
            roll = self.rng.random()
        for name, share in (("timeout", settings.timeout_rate), ("error", settings.error_rate),
                            ("drop", settings.drop_rate)):
            if roll < share:
                return name
            roll -= share
        return None
