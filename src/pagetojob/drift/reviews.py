"""Running a drift review: read the snapshot, run the rules, store the findings and the diff with the last review.

A review only reads the workspace's own copy of its data and writes its own findings; it never calls
ServiceTitan. The rules run outside the write transaction, so on SQLite the write lock is held only for
the few statements that store the result.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock, queue
from pagetojob.core.models import WorkState
from pagetojob.drift import rules, snapshot, storage
from pagetojob.drift.models import (
    SEVERITY_RANK,
    UNRESOLVED,
    DriftFinding,
    DriftReview,
    FindingStatus,
    Severity,
    Trigger,
)

PENDING = (WorkState.QUEUED, WorkState.RETRYING, WorkState.IN_FLIGHT)


class ReviewError(Exception):
    """A review that cannot run as asked; the message says why and what to do."""


def local_date(workspace: Workspace, at: datetime) -> date:
    try:
        return at.astimezone(ZoneInfo(workspace.time_zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return at.date()


def new_review(workspace: Workspace, trigger: str, *, actor: Any = None, import_batch: Any = None,
               period: str = "", at: datetime | None = None) -> DriftReview:
    now = at or clock.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    return DriftReview.objects.create(workspace=workspace, trigger=trigger, requested_by=user,
                                      import_batch=import_batch, period=period, created_at=now, run_after=now)


def request_review(workspace: Workspace, actor: Any) -> tuple[DriftReview, bool]:
    """The "run a review" button: a review waiting for the worker is reused rather than queued twice."""
    waiting = workspace.drift_reviews.filter(work_state__in=[WorkState.QUEUED, WorkState.RETRYING]).first()
    if waiting is not None:
        return waiting, False
    review = new_review(workspace, Trigger.ON_DEMAND, actor=actor)
    audit.record(workspace, actor, "drift.review", "Asked for a drift review", target=review)
    return review, True


def queue_after_import(batch: Any, actor: Any) -> DriftReview:
    """Registered with the taxonomy importer: every applied import is followed by a review."""
    return new_review(batch.workspace, Trigger.IMPORT, actor=actor, import_batch=batch)


def process(review: DriftReview) -> None:
    """Worker handler."""
    review.refresh_from_db()
    execute(review)


def run_now(review: DriftReview, at: datetime | None = None) -> DriftReview:
    """Run a queued review in this process (the command line, the demo), under the same lease rules as a worker."""
    owner = f"inline:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    claimed = DriftReview.objects.filter(pk=review.pk, work_state__in=[WorkState.QUEUED, WorkState.RETRYING]).update(
        work_state=WorkState.IN_FLIGHT, lease_owner=owner, lease_expires_at=clock.now() + timedelta(minutes=15),
        attempts=F("attempts") + 1)
    if not claimed:
        raise ReviewError(f"Review {review.pk} is already running or finished; start a new one.")
    review.refresh_from_db()
    try:
        execute(review, at)
    except Exception as error:
        queue.fail(review, owner, queue.PermanentError(f"Unexpected error: {error!r}"))
        raise ReviewError(f"The review failed: {error}. Nothing was changed; run it again, and if it fails the "
                          "same way, contact support with this message.") from error
    queue.complete(review, owner)
    review.refresh_from_db()
    return review


def execute(review: DriftReview, at: datetime | None = None) -> DriftReview:
    """Compare, then store findings and the review's counts in one transaction."""
    began = time.monotonic()
    workspace = review.workspace
    at = at or clock.now()
    DriftReview.objects.filter(pk=review.pk).update(started_at=at)
    snap = snapshot.load(workspace, local_date(workspace, at))
    detected = rules.detect(snap)
    with transaction.atomic():
        # One review of a workspace stores its result at a time (PostgreSQL; SQLite's write lock does the same).
        list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))
        previous = (DriftReview.objects.filter(workspace=workspace, work_state=WorkState.DONE)
                    .exclude(pk=review.pk).order_by("-reviewed_at", "-pk").first())
        diff = _store(review, detected, at, local_date(workspace, at))
        counts = {severity: 0 for severity in Severity.values}
        rule_counts: dict[str, int] = {}
        for found in detected:
            counts[found.severity] += 1
            rule_counts[found.rule] = rule_counts.get(found.rule, 0) + 1
        fields = {
            "reviewed_at": at, "previous": previous, "pages_checked": len(snap.live_pages),
            "objects_checked": snap.objects_checked, "counts": counts, "rule_counts": rule_counts,
            "new_count": diff[0], "persisting_count": diff[1], "resolved_count": diff[2],
            "duration_ms": int((time.monotonic() - began) * 1000),
        }
        DriftReview.objects.filter(pk=review.pk).update(**fields)
        for name, value in fields.items():
            setattr(review, name, value)
    return review


def _store(review: DriftReview, detected: list[rules.Detected], at: datetime, today: date) -> tuple[int, int, int]:
    """Insert new findings, refresh persisting ones, resolve the ones that cleared: (new, persisting, resolved)."""
    existing = {
        fingerprint: (pk, status, until)
        for fingerprint, pk, status, until in DriftFinding.objects.filter(
            workspace=review.workspace, status__in=UNRESOLVED).values_list("fingerprint", "pk", "status",
                                                                           "suppressed_until")
    }
    inserts, updates, seen = [], [], set()
    for found in detected:
        fingerprint = found.fingerprint
        seen.add(fingerprint)
        values = {
            "severity": found.severity, "severity_rank": SEVERITY_RANK[found.severity],
            "message": found.message[:500], "evidence": found.evidence, "fix": found.fix[:500],
            "page_id": found.page.id if found.page else None, "page_path": found.page.path if found.page else "",
            "object_type": found.object_type, "object_id": found.item.id if found.item else None,
            "object_st_id": found.item.st_id if found.item else None,
            "object_name": found.item.name[:255] if found.item else "",
            "last_review_id": review.pk, "last_seen_at": at,
        }
        if fingerprint in existing:
            pk, status, until = existing[fingerprint]
            if status == FindingStatus.SUPPRESSED and until is not None and until < today:
                status = FindingStatus.OPEN  # the suppression ran out: the finding needs attention again
            updates.append({"id": pk, "status": status, **values})
        else:
            inserts.append({"workspace_id": review.workspace_id, "fingerprint": fingerprint, "rule": found.rule,
                            "rule_number": rules.BY_ID[found.rule].number if found.rule in rules.BY_ID else 0,
                            "status": FindingStatus.OPEN, "first_review_id": review.pk, "first_seen_at": at,
                            **values})
    resolved = [{"id": pk, "status": FindingStatus.RESOLVED, "resolved_review_id": review.pk, "resolved_at": at}
                for fingerprint, (pk, _, _) in existing.items() if fingerprint not in seen]
    storage.insert_rows(DriftFinding, inserts)
    if updates:
        storage.update_rows(DriftFinding, [name for name in updates[0] if name != "id"], updates)
    storage.update_rows(DriftFinding, ["status", "resolved_review_id", "resolved_at"], resolved)
    return len(inserts), len(updates), len(resolved)
