"""Drift monitor screens: the report, its exports, one review's diff, the zone review, and finding actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, WorkspaceRequest, can, workspace_view
from pagetojob.core import clock, worker
from pagetojob.drift import lifecycle, report, reviews, zone_review
from pagetojob.drift.forms import AcknowledgeForm, SuppressForm
from pagetojob.drift.models import DriftFinding, DriftReview, FindingStatus, Severity
from pagetojob.drift.rules import BY_ID, RULES
from pagetojob.taxonomy.models import ZoneState

PAGE_SIZE = 50



def _context(request: WorkspaceRequest, **extra) -> dict:
    workspace = request.workspace
    return {
        "nav_section": "drift", "can_review": can(request.membership, Can.REVIEW_DRIFT),
        "pending": report.pending_review(workspace), "worker_alive": worker.worker_is_alive(),
        "rules_by_id": BY_ID, **extra,
    }


@workspace_view(Can.VIEW)
def drift_report(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    filters = report.FindingFilters.from_params(request.GET)
    counts = report.status_counts(workspace)
    trend = report.trend(workspace)
    page_obj = Paginator(report.findings(workspace, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    status_links = [(value, label, counts["by_status"].get(value), filters.as_query(status=value))
                    for value, label in [*FindingStatus.choices, ("all", "all")]]
    return render(request, "drift/report.html", _context(
        request, filters=filters, query=filters.as_query(), counts=counts, latest=report.latest_review(workspace),
        rule_rows=report.rule_rows(workspace), trend=trend, chart=report.trend_chart(trend), page_obj=page_obj,
        severities=Severity.choices, status_links=status_links, rules=RULES, today=clock.now().date(),
    ))


@workspace_view(Can.VIEW)
def review_progress(request: WorkspaceRequest) -> HttpResponse:
    """htmx: the waiting or running review; once it is done the page reloads to show its findings."""
    pending = report.pending_review(request.workspace)
    response = render(request, "drift/_progress.html", _context(request, pending=pending))
    if pending is None:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@workspace_view(Can.REVIEW_DRIFT)
def run_review(request: WorkspaceRequest) -> HttpResponse:
    review, created = reviews.request_review(request.workspace, request.user)
    if created:
        messages.success(request, "Review queued: the worker compares every page with ServiceTitan's data now. "
                                  "You can leave this page; the findings stay here.")
    else:
        messages.info(request, "A review is already waiting for the worker; it will include your latest changes.")
    return redirect("drift", request.workspace.key)


@require_POST
@workspace_view(Can.REVIEW_DRIFT)
def finding_action(request: WorkspaceRequest, finding_id: int) -> HttpResponse:
    workspace = request.workspace
    finding = get_object_or_404(DriftFinding.objects.filter(workspace=workspace).select_related("workspace"),
                                pk=finding_id)
    action = request.POST.get("action", "")
    where = finding.page_path or finding.object_name
    try:
        if action == "acknowledge":
            form = AcknowledgeForm(request.POST)
            form.is_valid()
            lifecycle.acknowledge(finding, request.user, form.cleaned_data.get("note", ""))
            messages.success(request, f"Acknowledged the finding on {where}. It stays listed until it is fixed.")
        elif action == "suppress":
            suppress_form = SuppressForm(request.POST)
            if not suppress_form.is_valid() and "until" in suppress_form.errors:
                raise lifecycle.FindingError("Give the end date as YYYY-MM-DD.")
            until = suppress_form.cleaned_data.get("until")
            lifecycle.suppress(finding, request.user, until, suppress_form.cleaned_data.get("reason", ""))
            messages.success(request, f"Suppressed the finding on {where} until {until:%b %d, %Y}.")
        elif action == "reopen":
            lifecycle.reopen(finding, request.user)
            messages.success(request, f"Reopened the finding on {where}.")
        else:
            messages.error(request, "Choose acknowledge, suppress or reopen.")
    except lifecycle.FindingError as error:
        messages.error(request, f"Nothing changed on {where}: {error}")
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and \
            back.startswith(f"/w/{workspace.key}/"):
        return redirect(back)
    return redirect("drift", workspace.key)


@workspace_view(Can.VIEW)
def review_detail(request: WorkspaceRequest, review_id: int) -> HttpResponse:
    workspace = request.workspace
    review = get_object_or_404(DriftReview.objects.filter(workspace=workspace).select_related(
        "requested_by", "import_batch", "previous"), pk=review_id)
    found = DriftFinding.objects.filter(workspace=workspace).select_related("page__site")
    return render(request, "drift/review.html", _context(
        request, review=review,
        new=found.filter(first_review=review),
        resolved=found.filter(resolved_review=review),
        persisting=found.filter(first_seen_at__lt=review.reviewed_at, last_seen_at__gte=review.reviewed_at)
        if review.reviewed_at else found.none(),
    ))


@workspace_view(Can.VIEW)
def export_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    workspace = request.workspace
    filters = report.FindingFilters.from_params(request.GET)
    response = StreamingHttpResponse(report.csv_rows(workspace, filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="drift-{slugify(workspace.key)}-'
                                       f'{clock.now():%Y%m%d}.csv"')
    return response


@workspace_view(Can.VIEW)
def export_html(request: WorkspaceRequest) -> HttpResponse:
    """A standalone report (styles inline, no links into the app) a marketer can send to the owner."""
    workspace = request.workspace
    trend = report.trend(workspace)
    unresolved = report.findings(workspace, report.FindingFilters(status="unresolved"))
    html = render_to_string("drift/standalone.html", {
        "workspace": workspace, "latest": report.latest_review(workspace), "counts": report.status_counts(workspace),
        "rule_rows": report.rule_rows(workspace), "trend": trend, "chart": report.trend_chart(trend),
        "findings": [f for f in unresolved if f.status != FindingStatus.SUPPRESSED],
        "suppressed": [f for f in unresolved if f.status == FindingStatus.SUPPRESSED],
        "rules_by_id": BY_ID, "generated_at": clock.now(), "severities": Severity.choices,
    }, request=None)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="drift-report-{slugify(workspace.key)}-'
                                       f'{clock.now():%Y%m%d}.html"')
    return response


@workspace_view(Can.VIEW)
def zones(request: WorkspaceRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in (*ZoneState.values, "inactive") else ""
    review = zone_review.build(request.workspace, state)
    return render(request, "drift/zones.html", _context(
        request, review=review, state=state,
        states=[(value, ZoneState(value).label if value in ZoneState.values else "inactive in ServiceTitan")
                for value in review.state_counts]))
