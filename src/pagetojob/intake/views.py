from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.intake import inbox
from pagetojob.intake.models import BookingRequest, RequestStatus
from pagetojob.webhooks import records


@workspace_view(Can.VIEW)
def request_list(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    requests = BookingRequest.objects.filter(workspace=workspace).select_related("page", "notification", "zone")
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        requests = requests.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        requests = requests.filter(Q(name__icontains=q) | Q(phone__icontains=q))
    counts = dict(BookingRequest.objects.filter(workspace=workspace).values_list("status").annotate(n=Count("pk")))
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(request, "intake/requests.html", {
        "nav_section": "requests", "page_obj": page, "status": status, "q": q,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in RequestStatus.choices],
        "total": sum(counts.values()), "query": f"status={status}" if status else "",
    })


@workspace_view(Can.VIEW)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    booking = get_object_or_404(
        BookingRequest.objects.filter(workspace=request.workspace).select_related("page", "notification", "zone",
                                                                                  "completed_by"),
        pk=request_id)
    return render(request, "intake/request_detail.html", {
        "nav_section": "requests", "booking": booking, "sync_jobs": booking.sync_jobs.order_by("pk"),
        "titan_status": records.status_for(request.workspace, booking.idempotency_key),
        "can_operate": can(request.membership, Can.OPERATE),
        "context_rows": [(key.replace("_", " "), value) for key, value in booking.context.items()
                         if key not in ("first_touch", "last_touch")],
    })


@workspace_view(Can.VIEW)
def request_by_key(request: HttpRequest, idempotency_key: str) -> HttpResponse:
    """The office email's link names the request by its idempotency key, known before the request is stored."""
    booking = get_object_or_404(BookingRequest.objects.filter(workspace=request.workspace),
                                idempotency_key=idempotency_key)
    return redirect("booking-request", request.workspace.key, booking.pk)


@require_POST
@workspace_view(Can.OPERATE)
def request_status(request: HttpRequest, request_id: int) -> HttpResponse:
    booking = get_object_or_404(BookingRequest.objects.filter(workspace=request.workspace), pk=request_id)
    try:
        inbox.set_status(booking, request.user, request.POST.get("status", ""), request.POST.get("note", ""))
    except inbox.InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The request from {booking.name} is now {booking.get_status_display()}.")
    return redirect("booking-request", request.workspace.key, booking.pk)
