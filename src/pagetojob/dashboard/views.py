"""The workspace dashboard: coverage, gaps, counts and readiness, each linking to the rows behind it."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pagetojob.accounts.access import Can, workspace_view
from pagetojob.drift import report as drift_report
from pagetojob.drift.models import FindingStatus
from pagetojob.readiness.evaluate import evaluate
from pagetojob.readiness.views import STATUS_ORDER
from pagetojob.sites import coverage
from pagetojob.sites.models import CapacityRule
from pagetojob.taxonomy.families import FAMILIES


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
    return render(request, "dashboard/dashboard.html", {
        "nav_section": "dashboard", "summary": summary, "gaps": gaps, "taxonomy": taxonomy,
        "readiness": readiness, "status_counts": status_counts,
        "capacity_rules": CapacityRule.objects.filter(workspace=workspace, active=True).count(),
        "recent": workspace.audit_entries.all()[:8],
        "sites": workspace.sites.all(),
        "drift": drift_counts, "drift_severities": drift_report.SEVERITY_CHOICES,
        "drift_latest": drift_report.latest_review(workspace),
        "drift_top": workspace.drift_findings.filter(status=FindingStatus.OPEN).order_by(
            "severity_rank", "rule_number", "page_path")[:4],
    })
