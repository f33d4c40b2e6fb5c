"""The workspace dashboard: coverage, gaps, counts and readiness, each linking to the rows behind it."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pagetojob.accounts.access import Can, workspace_view
from pagetojob.drift import report as drift_report
from pagetojob.drift.models import FindingStatus
from pagetojob.handoff import sync
from pagetojob.handoff.models import SyncState
from pagetojob.intake.models import BookingRequest, RequestStatus
from pagetojob.readiness.evaluate import evaluate
from pagetojob.readiness.views import STATUS_ORDER
from pagetojob.sites import coverage
from pagetojob.sites.models import CapacityRule
from pagetojob.taxonomy.families import FAMILIES

# Requests nobody has closed yet, and sync jobs only a person can move on.
NEEDS_OFFICE = (RequestStatus.NEW, RequestStatus.NOTIFIED, RequestStatus.OUT_OF_AREA)
NEEDS_PERSON = (SyncState.NEEDS_REVIEW, SyncState.FAILED, SyncState.BLOCKED)


@workspace_view(Can.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    summary = coverage.summarize(workspace)
    taxonomy = []
    for family in FAMILIES:
        totals = family.model._default_manager.filter(workspace=workspace).aggregate(
            total=Count("pk"), inactive=Count("pk", filter=Q(active=False)))
        taxonomy.append({"family": family, **totals})
    readiness = evaluate(workspace)
    status_counts = {status: 0 for status in STATUS_ORDER}
    for state in readiness.capabilities:
        status_counts[state.status] += 1
    gaps = [(gap, summary.gap_counts[gap.key]) for gap in coverage.GAPS if summary.gap_counts[gap.key]]
    drift_counts = drift_report.status_counts(workspace)
    sync_counts = sync.state_counts(workspace)
    return render(request, "dashboard/dashboard.html", {
        "nav_section": "dashboard", "summary": summary, "gaps": gaps, "taxonomy": taxonomy,
        "readiness": readiness, "status_counts": status_counts,
        "capacity_rules": CapacityRule.objects.filter(workspace=workspace, active=True).count(),
        "recent": workspace.audit_entries.all()[:8],
        "sites": workspace.sites.all(),
        "requests_new": BookingRequest.objects.filter(workspace=workspace, status__in=NEEDS_OFFICE).count(),
        "sync_held": sync_counts[SyncState.HELD],
        "sync_needs_person": sum(sync_counts[state] for state in NEEDS_PERSON),
        "sync_sent": sync_counts[SyncState.SENT],
        "drift": drift_counts, "drift_severities": drift_report.SEVERITY_CHOICES,
        "drift_latest": drift_report.latest_review(workspace),
        "drift_top": workspace.drift_findings.filter(status=FindingStatus.OPEN).order_by(
            "severity_rank", "rule_number", "page_path")[:4],
    })
