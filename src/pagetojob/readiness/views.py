from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.readiness import changes
from pagetojob.readiness.catalog import FLAGS_BY_KEY
from pagetojob.readiness.evaluate import Status, evaluate
from pagetojob.readiness.models import ModuleAnswer
from pagetojob.webhooks import endpoints as webhook_endpoints
from pagetojob.webhooks import validation as webhook_validation

STATUS_ORDER = [Status.LIVE, Status.LIVE_READY, Status.MANUAL_READY, Status.NEEDS_CUSTOMER, Status.API_GATED,
                Status.BLOCKED]


@workspace_view(Can.VIEW)
def readiness_page(request: HttpRequest) -> HttpResponse:
    readiness = evaluate(request.workspace)
    counts = {status: 0 for status in STATUS_ORDER}
    for state in readiness.capabilities:
        counts[state.status] += 1
    return render(request, "readiness/readiness.html", {
        "nav_section": "readiness", "r": readiness, "counts": counts,
        "can_manage": can(request.membership, Can.MANAGE_READINESS),
        "answers": ModuleAnswer.choices, "is_staff": request.user.is_superuser,
        "webhook_run": webhook_validation.latest(request.workspace),
        "webhook_configured": webhook_endpoints.is_configured(request.workspace.pk),
    })


@require_POST
@workspace_view(Can.MANAGE_READINESS)
def save_module(request: HttpRequest) -> HttpResponse:
    try:
        row = changes.set_module_answer(request.workspace, request.user, request.POST.get("module", ""),
                                        request.POST.get("answer", ""), request.POST.get("note", ""))
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Recorded: {changes.MODULE_LABELS[row.module]} — {row.get_answer_display()}.")
    return redirect("readiness", request.workspace.key)


@require_POST
@workspace_view(Can.MANAGE_READINESS)
def save_gate(request: HttpRequest) -> HttpResponse:
    gate = request.POST.get("gate", "")
    satisfied = request.POST.get("satisfied") == "1"
    if gate == "app_approval":
        if not request.user.is_superuser:
            raise PermissionDenied("App approval is recorded by PageToJob staff.")
        scope_workspace = None
    elif gate in changes.RECORDABLE_GATES:
        scope_workspace = request.workspace
    else:
        messages.error(request, "That gate is proved by the system, not recorded by hand.")
        return redirect("readiness", request.workspace.key)
    try:
        changes.record_gate(scope_workspace, request.user, gate, satisfied, request.POST.get("evidence", ""),
                            request.POST.get("environment", "integration"), audit_workspace=request.workspace)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{changes.GATE_LABELS[gate]} {'recorded' if satisfied else 'withdrawn'}.")
    return redirect("readiness", request.workspace.key)


@require_POST
@workspace_view(Can.MANAGE_READINESS)
def save_flag(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("flag", "")
    try:
        row = changes.set_flag(request.workspace, request.user, key, request.POST.get("enabled") == "1",
                               request.POST.get("reason", ""))
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{FLAGS_BY_KEY[key].label} is {'on' if row.enabled else 'off'}.")
    return redirect("readiness", request.workspace.key)


@require_POST
@workspace_view(Can.MANAGE_READINESS)
def validate_webhooks(request: HttpRequest) -> HttpResponse:
    """Send the sandbox's signed, forged and replayed events to this server's own receiver and record the result."""
    try:
        run = changes.validate_webhooks(request.workspace, request.user, settings.PAGETOJOB_BASE_URL)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        if run.passed:
            messages.success(request, "Webhooks validated: every step passed. The webhook gate holds.")
        else:
            messages.error(request, webhook_validation.summary(run))
    return redirect(reverse("readiness", args=[request.workspace.key]) + "#webhook-validation")
