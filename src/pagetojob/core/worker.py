"""The durable worker loop: heartbeat, then claim and run due rows from every registered queue."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections

from pagetojob.core import clock, fastsql, queue
from pagetojob.core.models import WorkerHeartbeat, WorkItem

log = logging.getLogger("pagetojob.worker")


@dataclass(frozen=True)
class WorkQueue:
    name: str
    model: type[WorkItem]
    handler: Callable[[Any], None]
    lease_seconds: int = 120


_QUEUES: dict[str, WorkQueue] = {}


@dataclass(frozen=True)
class Schedule:
    """Periodic work an app wants (monthly drift reviews): the callback only creates rows keyed by period,
    so every worker may run it and a second run creates nothing."""

    name: str
    callback: Callable[[datetime], int]
    every_seconds: float


_SCHEDULES: dict[str, Schedule] = {}


def register(name: str, model: type[WorkItem], handler: Callable[[Any], None], lease_seconds: int = 120) -> None:
    """Apps register their queues from AppConfig.ready(), so `core` never imports them."""
    _QUEUES[name] = WorkQueue(name, model, handler, lease_seconds)


def registered_queues() -> list[WorkQueue]:
    return list(_QUEUES.values())


def register_schedule(name: str, callback: Callable[[datetime], int], every_seconds: float = 300.0) -> None:
    """Apps register periodic row-creating callbacks from AppConfig.ready(); each worker runs them."""
    _SCHEDULES[name] = Schedule(name, callback, every_seconds)


def run_schedules(last_runs: dict[str, float] | None = None) -> int:
    """Run every schedule whose interval has passed (every schedule when `last_runs` is None).

    Returns how many rows the schedules created. A failing schedule is logged and retried at its next
    interval; it never stops the worker or the queues.
    """
    created = 0
    for schedule in list(_SCHEDULES.values()):
        started = time.monotonic()
        if last_runs is not None and started - last_runs.get(schedule.name, float("-inf")) < schedule.every_seconds:
            continue
        if last_runs is not None:
            last_runs[schedule.name] = started
        try:
            created += schedule.callback(clock.now())
        except OperationalError as error:
            log.warning("schedule %s: database unavailable, trying again later: %s", schedule.name, error)
        except Exception:
            log.exception("schedule %s failed", schedule.name)
    return created


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def beat(worker_id: str, started_at: datetime, processed: int) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "last_beat_at": clock.now(),
            "items_processed": processed,
        },
    )


def latest_heartbeat() -> WorkerHeartbeat | None:
    # Readiness asks this on every booking request: one statement, no queryset to compile.
    rows = fastsql.select(WorkerHeartbeat, tail="ORDER BY last_beat_at DESC LIMIT 1")
    return rows[0] if rows else None


def is_fresh(beat_row: WorkerHeartbeat | None, at: datetime | None = None) -> bool:
    if beat_row is None:
        return False
    at = at or clock.now()
    return at - beat_row.last_beat_at <= timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)


def worker_is_alive(at: datetime | None = None) -> bool:
    return is_fresh(latest_heartbeat(), at)


def run_item(work_queue: WorkQueue, item: WorkItem, worker_id: str) -> str:
    try:
        work_queue.handler(item)
    except queue.PermanentError as error:
        return queue.fail(item, worker_id, error).state
    except queue.TransientError as error:
        return queue.fail(item, worker_id, error).state
    except OperationalError as error:
        return queue.fail(item, worker_id, queue.TransientError(f"Database busy: {error}")).state
    except Exception as error:  # a bug must not be retried blindly: stop and show it to an operator
        log.exception("%s item %s failed", work_queue.name, item.pk)
        return queue.fail(item, worker_id, queue.PermanentError(f"Unexpected error: {error!r}")).state
    if item.lease_owner == worker_id:  # a handler that recorded its own outcome has already let the row go
        queue.complete(item, worker_id)
    return "done"


def run_once(worker_id: str, batch: int = 20) -> int:
    """One pass over every queue; returns how many items were run."""
    processed = 0
    for work_queue in registered_queues():
        for item in queue.claim(work_queue.model, worker_id, limit=batch, lease_seconds=work_queue.lease_seconds):
            run_item(work_queue, item, worker_id)
            processed += 1
    return processed


def run_forever(
    worker_id: str | None = None,
    *,
    poll_seconds: float = 1.0,
    heartbeat_seconds: float = 10.0,
    stop: threading.Event | None = None,
    max_seconds: float | None = None,
) -> int:
    worker_id = worker_id or new_worker_id()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    started_at = clock.now()
    began = time.monotonic()
    processed = 0
    last_beat = 0.0
    last_schedules: dict[str, float] = {}
    log.info("worker %s started; queues: %s", worker_id, ", ".join(_QUEUES) or "none")
    while not stop.is_set():
        if max_seconds is not None and time.monotonic() - began > max_seconds:
            break
        close_old_connections()
        try:
            if time.monotonic() - last_beat >= heartbeat_seconds:
                beat(worker_id, started_at, processed)
                last_beat = time.monotonic()
            run_schedules(last_schedules)
            ran = run_once(worker_id)
        except OperationalError as error:
            log.warning("database unavailable, retrying: %s", error)
            ran = 0
        processed += ran
        if not ran:
            stop.wait(poll_seconds)
    beat(worker_id, started_at, processed)
    log.info("worker %s stopped after %s items", worker_id, processed)
    return processed
