"""The handoff screen: what one booking request becomes in ServiceTitan, shown as a dry run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pagetojob.accounts.access import Can, workspace_view
from pagetojob.accounts.models import Membership, Workspace
from pagetojob.handoff.builder import build_handoff
from pagetojob.intake.models import BookingRequest
from pagetojob.readiness.evaluate import tenant_access


class WorkspaceRequest(HttpRequest):
    """What `workspace_view` adds to a request."""

    workspace: Workspace
    membership: Membership


@workspace_view(Can.VIEW)
def handoff_screen(request: WorkspaceRequest, request_id: int) -> HttpResponse:
    workspace = request.workspace
    booking = get_object_or_404(
        BookingRequest.objects.filter(workspace=workspace).select_related("workspace", "page", "zone"), pk=request_id)
    mode = "lead" if request.GET.get("mode") == "lead" else "booking"
    plan = build_handoff(booking, prefer_leads=mode == "lead")
    gates = tenant_access(workspace, plan.capabilities[0])  # booking_handoff, or lead_handoff for a lead
    steps = [{"request": step, "access": tenant_access(workspace, step.capability)} for step in plan.requests]
    return render(request, "handoff/handoff.html", {
        "nav_section": "requests", "booking": booking, "plan": plan, "mode": mode, "gates": gates, "steps": steps,
        "job_access": tenant_access(workspace, "direct_job_creation"),
        "mapped_count": sum(1 for item in plan.mapped if item.found),
    })
