"""The handoff screen: what one booking request becomes in ServiceTitan, shown as a dry run."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from pagetojob.accounts.access import Can, WorkspaceRequest, workspace_view
from pagetojob.handoff.builder import build_handoff
from pagetojob.intake.models import BookingRequest
from pagetojob.readiness.evaluate import evaluate


@workspace_view(Can.VIEW)
def handoff_screen(request: WorkspaceRequest, request_id: int) -> HttpResponse:
    workspace = request.workspace
    booking = get_object_or_404(
        BookingRequest.objects.filter(workspace=workspace).select_related("workspace", "page", "zone"), pk=request_id)
    mode = "lead" if request.GET.get("mode") == "lead" else "booking"
    plan = build_handoff(booking, prefer_leads=mode == "lead")
    readiness = evaluate(workspace)  # one read of the gates for every capability the screen names
    gates = readiness.capability(plan.capabilities[0])  # booking_handoff, or lead_handoff for a lead
    steps = [{"request": step, "access": readiness.capability(step.capability)} for step in plan.requests]
    return render(request, "handoff/handoff.html", {
        "nav_section": "requests", "booking": booking, "plan": plan, "mode": mode, "gates": gates, "steps": steps,
        "job_access": readiness.capability("direct_job_creation"),
        "mapped_count": sum(1 for item in plan.mapped if item.found),
    })
