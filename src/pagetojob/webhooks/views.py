from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.webhooks import endpoints, records, validation
from pagetojob.webhooks.forms import WebhookSettingsForm
from pagetojob.webhooks.models import EventOutcome, RejectedDeliveries, TitanRecord, WebhookEvent

VERIFICATION_FILTERS = {"current": "current key", "previous": "previous key"}


def _pretty(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


def _linked(workspace_id: int, events: list[WebhookEvent]) -> dict[int, TitanRecord]:
    """The record each event on the page now belongs to (merged rows included), in one query."""
    keys = Q()
    for event in events:
        for name in ("external_id", "booking_id", "lead_id", "job_id"):
            value = getattr(event, name)
            if value:
                keys |= Q(**{name: value})
    if not keys:
        return {}
    found = list(TitanRecord.objects.filter(workspace_id=workspace_id).filter(keys))
    linked = {}
    for event in events:
        for record in found:
            if any(getattr(event, name) and getattr(event, name) == getattr(record, name)
                   for name in ("external_id", "booking_id", "lead_id", "job_id")):
                linked[event.pk] = record
                break
    return linked


@workspace_view(Can.VIEW)
def event_log(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    events = WebhookEvent.objects.filter(workspace=workspace)
    outcome = request.GET.get("outcome", "")
    if outcome in EventOutcome.values:
        events = events.filter(outcome=outcome)
    key = request.GET.get("key", "")
    if key in VERIFICATION_FILTERS:
        events = events.filter(verification__contains=VERIFICATION_FILTERS[key])
    kind = request.GET.get("type", "").strip()[:60]
    if kind:
        events = events.filter(event_type__icontains=kind)
    q = request.GET.get("q", "").strip()[:120]
    if q:
        lookup = Q(event_id__icontains=q) | Q(external_id__icontains=q)
        if q.isdigit() and len(q) < 19:
            lookup |= Q(booking_id=int(q)) | Q(job_id=int(q)) | Q(lead_id=int(q)) | Q(invoice_id=int(q))
        events = events.filter(lookup)
    counted = WebhookEvent.objects.filter(workspace=workspace)
    if request.GET.get("validation") != "1":
        events, counted = events.filter(is_validation=False), counted.filter(is_validation=False)
    counts = dict(counted.order_by().values_list("outcome").annotate(n=Count("pk")))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    linked = _linked(workspace.pk, rows)
    for event in rows:
        event.pretty = _pretty(event.raw_body)  # type: ignore[attr-defined]
        record = linked.get(event.pk)
        event.record = record  # type: ignore[attr-defined]
        event.record_label = records.describe(record) if record else ""  # type: ignore[attr-defined]
    rejected = list(RejectedDeliveries.objects.filter(workspace=workspace).order_by("-count"))
    params = {name: value for name, value in (("outcome", outcome), ("key", key), ("type", kind), ("q", q),
                                              ("validation", request.GET.get("validation", ""))) if value}
    endpoint = endpoints.endpoint_for(workspace)
    return render(request, "webhooks/events.html", {
        "nav_section": "webhooks", "page_obj": page, "rows": rows, "outcome": outcome, "key": key, "kind": kind,
        "q": q, "show_validation": request.GET.get("validation") == "1",
        "outcomes": [(value, label, counts.get(value, 0)) for value, label in EventOutcome.choices],
        "total": sum(counts.values()), "rejected": rejected, "rejected_total": sum(r.count for r in rejected),
        "query": "&".join(f"{name}={value}" for name, value in params.items()),
        "endpoint": endpoint, "recent_records": TitanRecord.objects.filter(workspace=workspace)[:10],
        "can_manage": can(request.membership, Can.MANAGE_READINESS),  # type: ignore[attr-defined]
    })


@workspace_view(Can.VIEW)
def webhook_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    endpoint = endpoints.endpoint_for(workspace)
    can_manage = can(request.membership, Can.MANAGE_READINESS)  # type: ignore[attr-defined]
    initial = {"signature_header": endpoint.signature_header, "encoding": endpoint.encoding,
               "timestamp_header": endpoint.timestamp_header, "signed_content": endpoint.signed_content,
               "tolerance_seconds": endpoint.tolerance_seconds, "keep_previous": True}
    if request.method == "POST":
        if not can_manage:
            messages.error(request, "Only owners and admins can change the webhook settings.")
            return redirect("webhook-settings", workspace.key)
        form = WebhookSettingsForm(request.POST)
        if form.is_valid():
            try:
                endpoints.save_settings(workspace, request.user, **form.cleaned_data)
            except endpoints.SettingsInvalid as invalid:
                for field, message in invalid.errors.items():
                    form.add_error(field, message)
            else:
                messages.success(request, "Webhook settings saved."
                                 + (" Validate with the sandbox again: the key changed."
                                    if form.cleaned_data["new_key"] else ""))
                return redirect("webhook-settings", workspace.key)
        status = 400
    else:
        form = WebhookSettingsForm(initial=initial)
        status = 200
    return render(request, "webhooks/settings.html", {
        "nav_section": "webhooks", "form": form, "endpoint": endpoint, "can_manage": can_manage,
        "receiver_url": validation.receiver_url(settings.PAGETOJOB_BASE_URL, workspace),
        "key_problem": endpoints.key_problem(endpoint) if endpoint.pk else "",
        "last_run": validation.latest(workspace), "max_kb": settings.PAGETOJOB_WEBHOOK_MAX_BYTES // 1024,
    }, status=status)
