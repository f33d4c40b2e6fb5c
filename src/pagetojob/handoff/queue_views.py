"""The operator queue: every sync job by state, its payload and attempt timeline, and the operator's actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, WorkspaceRequest, can, workspace_view
from pagetojob.handoff import sync
from pagetojob.handoff.models import SyncJob, SyncKind, SyncState
from pagetojob.webhooks import records
from pagetojob.webhooks.models import TitanRecord

STATE_TONE: dict[str, str] = {
    SyncState.SENT: "ok", SyncState.MANUAL_COMPLETE: "ok", SyncState.HELD: "warn", SyncState.RETRYING: "warn",
    SyncState.NEEDS_REVIEW: "warn", SyncState.BLOCKED: "bad", SyncState.FAILED: "bad",
}
# The order an operator reads the queue in: what needs a person first.
STATE_ORDER = [SyncState.NEEDS_REVIEW, SyncState.FAILED, SyncState.BLOCKED, SyncState.HELD, SyncState.RETRYING,
               SyncState.IN_FLIGHT, SyncState.QUEUED, SyncState.DRAFT, SyncState.SENT, SyncState.MANUAL_COMPLETE,
               SyncState.CANCELLED]


@workspace_view(Can.VIEW)
def sync_queue(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    jobs = SyncJob.objects.filter(workspace=workspace).select_related("booking_request")
    state = request.GET.get("state", "")
    if state in SyncState.values:
        jobs = jobs.filter(state=state)
    kind = request.GET.get("kind", "")
    if kind in SyncKind.values:
        jobs = jobs.filter(kind=kind)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        jobs = jobs.filter(Q(idempotency_key__icontains=q) | Q(booking_request__name__icontains=q)
                           | Q(booking_request__phone__icontains=q))
    counts = sync.state_counts(workspace)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    # What ServiceTitan's webhook events said since (booking converted, job completed...), one query per page.
    outcomes = {record.external_id: records.describe(record) for record in TitanRecord.objects.filter(
        workspace=workspace, external_id__in=[job.idempotency_key for job in page.object_list])}
    for job in page.object_list:
        setattr(job, "outcome", outcomes.get(job.idempotency_key, ""))  # noqa: B010 - shown by the template only
    query = "&".join(f"{name}={value}" for name, value in (("state", state), ("kind", kind), ("q", q)) if value)
    return render(request, "handoff/queue.html", {
        "nav_section": "sync-queue", "page_obj": page, "state": state, "kind": kind, "q": q, "query": query,
        "states": [(value, SyncState(value).label, counts[value], STATE_TONE.get(value, "")) for value in STATE_ORDER],
        "kinds": SyncKind.choices, "total": sum(counts.values()), "tones": STATE_TONE,
        "needs_person": counts[SyncState.NEEDS_REVIEW] + counts[SyncState.FAILED] + counts[SyncState.BLOCKED],
        "held": counts[SyncState.HELD], "can_operate": can(request.membership, Can.OPERATE),
    })


@workspace_view(Can.VIEW)
def sync_job_detail(request: WorkspaceRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(SyncJob.objects.filter(workspace=request.workspace)
                            .select_related("booking_request", "page"), pk=job_id)
    plan, plan_error = None, ""
    if job.booking_request is not None:
        from pagetojob.handoff import steps

        try:
            plan = steps.dry_run(job)
        except Exception as error:  # the payload view must never hide the job itself
            plan_error = f"The payload could not be built: {error}"
    outcome = records.status_for(request.workspace, job.idempotency_key)
    return render(request, "handoff/job_detail.html", {
        "nav_section": "sync-queue", "job": job, "outcome": outcome, "attempts": job.attempts_log.all(), "plan": plan,
        "plan_error": plan_error, "tone": STATE_TONE.get(job.state, ""),
        "can_operate": can(request.membership, Can.OPERATE),
        # A held job is released by the gates themselves, not by a retry.
        "can_retry": job.state in (SyncState.FAILED, SyncState.NEEDS_REVIEW, SyncState.BLOCKED, SyncState.RETRYING),
        "can_close": job.state in sync.OPEN_STATES + (SyncState.FAILED,),
    })


@require_POST
@workspace_view(Can.OPERATE)
def sync_job_action(request: WorkspaceRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(SyncJob.objects.filter(workspace=request.workspace), pk=job_id)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "retry":
            sync.retry(job, request.user)
            messages.success(request, "Queued to be sent again; the worker picks it up within seconds.")
        elif action == "cancel":
            sync.cancel(job, request.user, note)
            messages.success(request, "Cancelled. Nothing more will be sent for this job.")
        elif action == "manual_complete":
            sync.mark_manual_complete(job, request.user, note)
            messages.success(request, "Marked manual-complete.")
        else:
            messages.error(request, "Choose retry, cancel or mark manual-complete.")
    except sync.SyncActionError as error:
        messages.error(request, str(error))
    return redirect("sync-job", request.workspace.key, job.pk)


@require_POST
@workspace_view(Can.OPERATE)
def release_held(request: WorkspaceRequest) -> HttpResponse:
    released = sync.release_held_jobs(request.workspace)
    if released:
        messages.success(request, f"{released} held job{'s' if released != 1 else ''} queued: every gate holds now.")
    else:
        messages.info(request, "Nothing released: the gates shown on each held job are still missing.")
    return redirect("sync-queue", request.workspace.key)
