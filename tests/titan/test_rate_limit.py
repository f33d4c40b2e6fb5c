"""The per-tenant token bucket keeps a burst from many threads under the tenant's rate (sandbox counts the 429s)."""

from __future__ import annotations

import threading

import pytest

from pagetojob.titan import errors
from pagetojob.titan.ratelimit import TokenBucket, bucket_for

BUSINESS_UNITS = "/settings/v2/tenant/{tenant}/business-units"
RATE = 20
CALLS = 40
THREADS = 4


def burst(sandbox, rate: float) -> list[BaseException]:
    """CALLS calls from THREADS threads, each thread with its own client of the same tenant."""
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        client = sandbox.client(rate_limit=rate)
        for _ in range(CALLS // THREADS):
            try:
                client.get(BUSINESS_UNITS, pageSize=1)
            except errors.TitanError as error:
                with lock:
                    failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_a_burst_from_many_threads_stays_under_the_tenants_limit(sandbox):
    sandbox.faults(rate_limit=RATE)  # the sandbox allows RATE per second with a burst of RATE
    sandbox.client().token()  # the token fetch is not an API call; take it out of the picture
    failures = burst(sandbox, rate=RATE)
    assert failures == []
    stats = sandbox.stats()
    assert stats["requests"] == CALLS and stats["ok"] == CALLS and stats["rateLimited"] == 0


def test_without_the_bucket_the_same_burst_is_rate_limited(sandbox):
    """The control: the sandbox's limit is real, so the test above would notice a bucket that did nothing."""
    sandbox.faults(rate_limit=RATE)
    sandbox.client().token()
    failures = burst(sandbox, rate=100_000)
    assert failures and all(isinstance(failure, errors.TitanRateLimited) for failure in failures)
    assert sandbox.stats()["rateLimited"] == len(failures)


class FakeTime:
    """A clock that only moves when the bucket sleeps, so the schedule can be read exactly."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_reservations_are_spaced_at_the_rate_in_arrival_order():
    time = FakeTime()
    bucket = TokenBucket(10, capacity=2, clock=time.clock, sleep=time.sleep)
    waits = [bucket.reserve() for _ in range(5)]  # all at the same instant
    assert waits == pytest.approx([0.0, 0.0, 0.1, 0.2, 0.3])
    time.now += 1.0  # a quiet second refills to capacity, never beyond
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])


def test_hold_off_makes_everyone_wait_for_retry_after():
    time = FakeTime()
    bucket = TokenBucket(10, capacity=5, clock=time.clock, sleep=time.sleep)
    bucket.hold_off(2.0)
    assert bucket.acquire() == pytest.approx(2.1)
    assert time.slept == pytest.approx([2.1])


def test_buckets_are_shared_per_tenant_and_rate():
    assert bucket_for("a|1", 60) is bucket_for("a|1", 60)
    assert bucket_for("a|1", 60) is not bucket_for("a|2", 60)
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(0)
