"""The Suggestions screen: review proposed bindings, accept or reject them, or suggest for unbound pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.sites import bindings, coverage, suggestions
from pagetojob.sites.models import Binding, BindingStatus, Page

PAGE_SIZE = 50
HIGH_SCORE = 0.8  # "high confidence", and the score bulk accept starts from


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@workspace_view(Can.VIEW)
def suggestion_list(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    min_score = suggestions.parse_score(request.GET.get("min_score", "")) if request.GET.get("min_score") else None
    waiting = Binding.objects.filter(workspace=workspace, status=BindingStatus.SUGGESTED)
    counts = {
        "suggested": waiting.count(),
        "high": waiting.filter(suggestion_score__gte=HIGH_SCORE).count(),
        "unbound": suggestions.eligible(workspace).count(),
        "rejected": Binding.objects.filter(workspace=workspace, status=BindingStatus.DRAFT,
                                           suggestion_rejected_at__isnull=False).count(),
    }
    pages = coverage.with_gap_flags(
        Page.objects.filter(workspace=workspace, binding__status=BindingStatus.SUGGESTED).select_related(
            "binding", "binding__job_type", "binding__business_unit", "binding__membership_type")
        .prefetch_related("binding__zones", "binding__pricebook_services")
    ).order_by(F("binding__suggestion_score").desc(nulls_last=True), "path")
    if min_score is not None:
        pages = pages.filter(binding__suggestion_score__gte=min_score)
    page_obj = Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{
        "page": page,
        "binding": page.binding,
        "score": None if page.binding.suggestion_score is None else round(100 * page.binding.suggestion_score),
        "evidence": [{**item, "label": suggestions.FIELD_LABELS.get(item.get("field", ""), item.get("field", "")),
                      "percent": round(100 * float(item.get("score") or 0))}
                     for item in page.binding.suggestion_evidence or []],
        "gaps": [gap for gap in coverage.page_gaps(page) if gap.key != "not_approved"],
    } for page in page_obj.object_list]
    return render(request, "sites/suggestions.html", {
        "nav_section": "suggestions", "rows": rows, "page_obj": page_obj, "counts": counts,
        "min_score": request.GET.get("min_score", ""), "query": f"min_score={min_score}" if min_score else "",
        "accept_score": HIGH_SCORE, "high_score": round(100 * HIGH_SCORE),
        "threshold": round(100 * suggestions.CONFIDENCE_THRESHOLD),
        "can_edit": can(request.membership, Can.EDIT_MAP), "can_approve": can(request.membership, Can.APPROVE_MAP),
    })


@require_POST
@workspace_view(Can.EDIT_MAP)
def run_suggestions(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    counts = suggestions.suggest_for_workspace(workspace, request.user)
    if not counts["considered"]:
        messages.info(request, "No unbound pages: every page has a job type, is under review, or had its "
                               "suggestion rejected.")
    elif not counts["suggested"]:
        messages.info(request, f"Nothing to suggest for the {_plural(counts['considered'], 'unbound page')}: no "
                               "word of their URL, title or headings matched an active object. Bind them by hand.")
    else:
        parts = [f"Suggested bindings for {_plural(counts['suggested'], 'page')}"]
        if counts["no_match"]:
            parts.append(f"{_plural(counts['no_match'], 'page')} had nothing to match; bind them by hand")
        messages.success(request, "; ".join(parts) + ".")
    return redirect("suggestions", workspace.key)


@require_POST
@workspace_view(Can.APPROVE_MAP)
def accept_suggestions(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    only = request.POST.get("only", "")
    ids = [int(only)] if only.isdigit() else [int(v) for v in request.POST.getlist("page") if v.isdigit()]
    min_score = None
    if not ids:
        raw = request.POST.get("min_score", "")
        min_score = suggestions.parse_score(raw) if raw.strip() else None
        if min_score is None:
            messages.error(request, "Select the suggestions to accept, or give a score between 0 and 100 "
                                    "(for example 80) to accept every suggestion at or above it.")
            return redirect("suggestions", workspace.key)
    result = suggestions.accept_suggestions(workspace, request.user, page_ids=ids or None, min_score=min_score)
    if result.approved:
        messages.success(request, f"Accepted and approved {_plural(len(result.approved), 'binding')}.")
    elif not result.skipped:
        messages.info(request, f"No suggestion scores {round(100 * (min_score or 0))} or more.")
    if result.skipped:
        listed = "; ".join(f"{path} ({reason})" for path, reason in result.skipped[:8])
        more = f" and {len(result.skipped) - 8} more" if len(result.skipped) > 8 else ""
        messages.warning(request, f"Not approved: {listed}{more}. Open a binding to fill what is missing.")
    return redirect("suggestions", workspace.key)


@require_POST
@workspace_view(Can.EDIT_MAP)
def reject_suggestion(request: HttpRequest, page_id: int) -> HttpResponse:
    workspace = request.workspace
    page = get_object_or_404(Page.objects.filter(workspace=workspace).select_related("binding"), pk=page_id)
    binding = getattr(page, "binding", None)
    if binding is None or binding.status != BindingStatus.SUGGESTED:
        messages.warning(request, f"{page.path} has no suggestion waiting for review.")
        return redirect("suggestions", workspace.key)
    try:
        cleared = suggestions.reject_suggestion(binding, request.user)
    except bindings.BindingError as error:
        messages.error(request, str(error))
    else:
        what = f" Cleared {', '.join(cleared)}." if cleared else ""
        messages.success(request, f"Rejected the suggestion for {page.path}; it will not be suggested again.{what}")
    return redirect("suggestions", workspace.key)
