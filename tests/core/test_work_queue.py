"""The core work mechanism: claim with lease, backoff, permanent failure, lease expiry."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import clock, queue, worker
from pagetojob.core.models import WorkState


def make_emails(n: int, **extra) -> list[OutboundEmail]:
    now = clock.now()
    return OutboundEmail.objects.bulk_create(
        [OutboundEmail(kind="test", to=f"person{i}@acme.test", subject=f"Hello {i}", body="Hi", run_after=now,
                       **extra) for i in range(n)]
    )


@pytest.fixture
def frozen(monkeypatch):
    """Move the product's clock by hand."""
    state = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def advance(seconds: float) -> None:
        state["now"] = state["now"] + timedelta(seconds=seconds)

    return advance


@pytest.mark.django_db
def test_claim_takes_a_lease_and_counts_an_attempt():
    make_emails(3)
    claimed = queue.claim(OutboundEmail, "worker-a", limit=2, lease_seconds=60)
    assert len(claimed) == 2
    for item in claimed:
        item.refresh_from_db()
        assert item.work_state == WorkState.IN_FLIGHT
        assert item.lease_owner == "worker-a"
        assert item.attempts == 1
        assert item.lease_expires_at > clock.now()
    assert len(queue.claim(OutboundEmail, "worker-b", limit=10)) == 1  # only the unclaimed one is left


@pytest.mark.django_db
def test_rows_not_yet_due_are_not_claimed(frozen):
    email = make_emails(1)[0]
    OutboundEmail.objects.filter(pk=email.pk).update(run_after=clock.now() + timedelta(minutes=5))
    assert queue.claim(OutboundEmail, "worker-a") == []
    frozen(301)
    assert [item.pk for item in queue.claim(OutboundEmail, "worker-a")] == [email.pk]


@pytest.mark.django_db
def test_expired_lease_makes_the_row_claimable_and_the_late_worker_cannot_overwrite(frozen):
    make_emails(1)
    [first] = queue.claim(OutboundEmail, "crashed-worker", lease_seconds=30)
    assert queue.claim(OutboundEmail, "worker-b") == []
    frozen(31)
    [second] = queue.claim(OutboundEmail, "worker-b", lease_seconds=30)
    assert second.pk == first.pk and second.attempts == 2
    assert queue.complete(first, "crashed-worker") is False  # lost its lease: its outcome is ignored
    assert queue.complete(second, "worker-b") is True
    second.refresh_from_db()
    assert second.work_state == WorkState.DONE and second.lease_owner == ""


@pytest.mark.django_db
def test_transient_failure_retries_with_backoff_and_honours_retry_after(frozen):
    make_emails(1)
    [item] = queue.claim(OutboundEmail, "worker-a")
    outcome = queue.fail(item, "worker-a", queue.TransientError("429 Too Many Requests", retry_after=120))
    item.refresh_from_db()
    assert outcome.state == WorkState.RETRYING == item.work_state
    assert item.last_error == "429 Too Many Requests"
    assert item.run_after >= clock.now() + timedelta(seconds=120)
    assert queue.claim(OutboundEmail, "worker-a") == []
    frozen(3700)
    assert len(queue.claim(OutboundEmail, "worker-a")) == 1


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    rng = random.Random(7)
    delays = [queue.backoff_delay(attempt, rng=rng) for attempt in range(1, 8)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(queue.MAX_BACKOFF_SECONDS, queue.BASE_BACKOFF_SECONDS * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert queue.backoff_delay(30, rng=rng) <= queue.MAX_BACKOFF_SECONDS
    assert queue.backoff_delay(1, retry_after=900, rng=rng) >= 900


@pytest.mark.django_db
def test_permanent_failure_stops_with_an_operator_visible_reason():
    make_emails(1)
    [item] = queue.claim(OutboundEmail, "worker-a")
    outcome = queue.fail(item, "worker-a", queue.PermanentError("The mail server refused bad@acme.test"))
    item.refresh_from_db()
    assert outcome.state == WorkState.FAILED == item.work_state
    assert item.last_error == "The mail server refused bad@acme.test"
    assert item.finished_at is not None
    assert queue.claim(OutboundEmail, "worker-a") == []


@pytest.mark.django_db
def test_transient_failures_stop_after_max_attempts(frozen):
    make_emails(1, max_attempts=2)
    for _ in range(2):
        frozen(4000)
        [item] = queue.claim(OutboundEmail, "worker-a")
        queue.fail(item, "worker-a", queue.TransientError("timeout"))
    item.refresh_from_db()
    assert item.work_state == WorkState.FAILED
    assert item.last_error == "Gave up after 2 attempts: timeout"


@pytest.mark.django_db
def test_unexpected_handler_error_is_not_retried_blindly(monkeypatch):
    make_emails(1)

    def broken(_item):
        raise RuntimeError("bug in handler")

    monkeypatch.setitem(worker._QUEUES, "email", worker.WorkQueue("email", OutboundEmail, broken))
    assert worker.run_once("worker-a") == 1
    item = OutboundEmail.objects.get()
    assert item.work_state == WorkState.FAILED
    assert "bug in handler" in item.last_error


@pytest.mark.django_db
def test_worker_pass_sends_queued_email_and_writes_a_heartbeat(mailoutbox):
    make_emails(2)
    worker.beat("worker-a", clock.now(), 0)
    assert worker.run_once("worker-a") == 2
    assert sorted(message.subject for message in mailoutbox) == ["Hello 0", "Hello 1"]
    assert set(OutboundEmail.objects.values_list("work_state", flat=True)) == {WorkState.DONE}
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0
    assert worker.worker_is_alive()


@pytest.mark.django_db
def test_stale_heartbeat_means_no_worker(frozen):
    worker.beat("worker-a", clock.now(), 0)
    assert worker.worker_is_alive()
    frozen(91)
    assert not worker.worker_is_alive()
