"""Scheduled reviews: one at onboarding and one each month per workspace, created by whichever worker looks first.

The rows are keyed by (workspace, period) under a unique constraint, so several workers running this at
the same moment create each review once; the queue then hands it to exactly one of them.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, Min, OuterRef

from pagetojob.accounts.models import Workspace
from pagetojob.drift.models import DriftReview, Trigger
from pagetojob.drift.reviews import local_date
from pagetojob.sites.models import Page

ONBOARDING = "onboarding"


def period_of(workspace: Workspace, at: datetime) -> str:
    """The workspace-local month a moment falls in: "2026-11"."""
    return f"{local_date(workspace, at):%Y-%m}"


def due_reviews(now: datetime) -> list[DriftReview]:
    """Reviews that should exist now and do not: onboarding for a workspace never reviewed, else this month's."""
    workspaces = list(Workspace.objects.filter(Exists(Page.objects.filter(workspace=OuterRef("pk")))))
    first_review = dict(DriftReview.objects.filter(workspace__in=workspaces).values_list("workspace_id")
                        .annotate(first=Min("created_at")).order_by())
    periods = {workspace.pk: period_of(workspace, now) for workspace in workspaces}
    taken = set(DriftReview.objects.filter(workspace__in=workspaces, period__in=set(periods.values()))
                .values_list("workspace_id", "period"))
    due = []
    for workspace in workspaces:
        first = first_review.get(workspace.pk)
        if first is None:
            due.append(DriftReview(workspace=workspace, trigger=Trigger.ONBOARDING, period=ONBOARDING,
                                   created_at=now, run_after=now))
        elif period_of(workspace, first) < periods[workspace.pk] and (workspace.pk, periods[workspace.pk]) not in taken:
            due.append(DriftReview(workspace=workspace, trigger=Trigger.MONTHLY, period=periods[workspace.pk],
                                   created_at=now, run_after=now))
    return due


def enqueue_due(now: datetime) -> int:
    """Worker schedule: create the due reviews; a row another worker created first is skipped by the database."""
    due = due_reviews(now)
    if not due:
        return 0
    before = DriftReview.objects.count()
    DriftReview.objects.bulk_create(due, ignore_conflicts=True)
    return DriftReview.objects.count() - before
