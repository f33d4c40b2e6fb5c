"""A per-tenant token bucket, shared by every thread of the process, that keeps calls under the tenant's rate.

ServiceTitan counts requests per app and tenant (reportedly 60 per second), so every client of one tenant in
this process draws from the same bucket. Each caller reserves a slot under the lock and then sleeps outside
it, so waiting threads are served in the order they arrived and never hold the lock while asleep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(self, rate: float, capacity: float = 1.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("The rate must be a positive number of requests per second.")
        self.rate = float(rate)
        self.capacity = max(1.0, float(capacity))
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.capacity
        self._updated = clock()

    def reserve(self) -> float:
        """Take one token (possibly on credit) and return how long to wait before using it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> float:
        """Block until a request may go out; returns the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold_off(self, seconds: float) -> None:
        """Nobody draws a token for `seconds` (the server said Retry-After while others were queued)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens = min(self._tokens, -seconds * self.rate)


_buckets: dict[tuple[str, float, float], TokenBucket] = {}
_buckets_lock = threading.Lock()


def bucket_for(tenant_key: str, rate: float, capacity: float = 1.0) -> TokenBucket:
    """The process-wide bucket of one tenant at one rate (a changed setting gets a new bucket)."""
    key = (tenant_key, float(rate), float(capacity))
    with _buckets_lock:
        bucket = _buckets.get(key)
        if bucket is None:
            bucket = _buckets[key] = TokenBucket(rate, capacity)
        return bucket


def reset() -> None:
    """Forget every bucket (tests that start a fresh sandbox)."""
    with _buckets_lock:
        _buckets.clear()
