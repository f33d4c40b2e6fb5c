"""The one work mechanism: claim a due row with a lease, run it, record the outcome.

PostgreSQL claims with SELECT ... FOR UPDATE SKIP LOCKED; SQLite with a compare-and-set UPDATE, which
its single-writer lock makes safe. An expired lease (a crashed worker) makes a row claimable again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import connection, models, transaction
from django.db.models import F, Q

from pagetojob.core import clock
from pagetojob.core.models import WorkItem, WorkState

W = TypeVar("W", bound=WorkItem)

BASE_BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 3600.0


class TransientError(Exception):
    """A failure worth retrying later (timeouts, 429, 5xx, a busy mail server)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """A failure that retrying cannot fix; the row stops with this reason for an operator."""


@dataclass(frozen=True)
class Outcome:
    state: str
    run_after: datetime | None = None
    error: str = ""


def due_filter(now: datetime) -> Q:
    waiting = Q(work_state__in=[WorkState.QUEUED, WorkState.RETRYING], run_after__lte=now)
    lease_expired = Q(work_state=WorkState.IN_FLIGHT, lease_expires_at__lt=now)
    return waiting | lease_expired


def claim(
    model: type[W], worker_id: str, *, limit: int = 10, lease_seconds: int = 120, base: models.QuerySet | None = None
) -> list[W]:
    """Claim up to `limit` due rows of `model` for `worker_id`; each claim counts as one attempt."""
    now = clock.now()
    queryset = (base if base is not None else model._default_manager.all()).filter(due_filter(now))
    lease_until = now + timedelta(seconds=lease_seconds)
    claimed_ids: list[int] = []
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                queryset.order_by("run_after", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:limit]
            )
            if ids:
                model._default_manager.filter(pk__in=ids).update(
                    work_state=WorkState.IN_FLIGHT,
                    lease_owner=worker_id,
                    lease_expires_at=lease_until,
                    attempts=F("attempts") + 1,
                )
                claimed_ids = ids
    else:
        candidates = list(queryset.order_by("run_after", "pk").values_list("pk", flat=True)[: limit * 2])
        for pk in candidates:
            if len(claimed_ids) >= limit:
                break
            with transaction.atomic():
                won = (
                    model._default_manager.filter(pk=pk)
                    .filter(due_filter(now))
                    .update(
                        work_state=WorkState.IN_FLIGHT,
                        lease_owner=worker_id,
                        lease_expires_at=lease_until,
                        attempts=F("attempts") + 1,
                    )
                )
            if won:
                claimed_ids.append(pk)
    return list(model._default_manager.filter(pk__in=claimed_ids).order_by("run_after", "pk"))


def backoff_delay(attempts: int, retry_after: float | None = None, *, rng: random.Random | None = None,
                  base: float = BASE_BACKOFF_SECONDS) -> float:
    """Exponential backoff with full jitter; a server's Retry-After is a floor, never shortened."""
    rng = rng or random.Random()
    ceiling = min(MAX_BACKOFF_SECONDS, base * (2 ** max(attempts - 1, 0)))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay


def _release(item: WorkItem, worker_id: str, **fields: object) -> bool:
    """Write an outcome only if this worker still holds the lease (a late worker cannot overwrite)."""
    fields.setdefault("lease_owner", "")
    fields.setdefault("lease_expires_at", None)
    updated = (
        type(item)
        ._default_manager.filter(pk=item.pk, lease_owner=worker_id, work_state=WorkState.IN_FLIGHT)
        .update(**fields)
    )
    for name, value in fields.items():
        setattr(item, name, value)
    return bool(updated)


def complete(item: WorkItem, worker_id: str) -> bool:
    return _release(item, worker_id, work_state=WorkState.DONE, finished_at=clock.now(), last_error="")


def fail(item: WorkItem, worker_id: str, error: Exception) -> Outcome:
    """Record a failure: transient errors retry with backoff until max_attempts, others stop."""
    message = str(error) or error.__class__.__name__
    if isinstance(error, TransientError) and item.attempts < item.max_attempts:
        run_after = clock.now() + timedelta(seconds=backoff_delay(item.attempts, error.retry_after))
        _release(item, worker_id, work_state=WorkState.RETRYING, run_after=run_after, last_error=message)
        return Outcome(WorkState.RETRYING, run_after, message)
    if isinstance(error, TransientError):
        message = f"Gave up after {item.attempts} attempts: {message}"
    _release(item, worker_id, work_state=WorkState.FAILED, finished_at=clock.now(), last_error=message)
    return Outcome(WorkState.FAILED, None, message)
