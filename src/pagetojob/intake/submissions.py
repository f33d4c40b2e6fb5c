"""Storing a booking request: the request, its notification and its handoff draft commit together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from pagetojob.accounts import mail
from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import clock, fastsql, writes
from pagetojob.intake import abuse, hooks, lookup
from pagetojob.intake.models import BookingRequest, RequestStatus
from pagetojob.intake.validation import clean
from pagetojob.sites.models import Page, Site
from pagetojob.taxonomy.models import ZoneState


@dataclass
class Stored:
    request: BookingRequest
    created: bool


def idempotency_key(site: Site, submission_id: str) -> str:
    """Deterministic per site and submission: the same visitor click always maps to the same key."""
    digest = hashlib.sha256(f"{site.workspace_id}:{site.pk}:{submission_id}".encode()).hexdigest()[:32]
    return f"p2j-{digest}"


def find_page(site: Site, page_url: str) -> Page | None:
    """The page a URL names, with its binding, for the hosted form's pre-filled choices."""
    if not page_url:
        return None
    return (Page.objects.filter(site=site, path__in=lookup.page_paths(page_url))
            .select_related("binding__job_type", "binding__business_unit", "binding__campaign",
                            "binding__booking_provider")
            .prefetch_related("binding__zones").first())


def _notification_body(request: BookingRequest, link: str) -> str:
    address = (request.street, request.unit, request.city, request.state, request.zip)
    lines = [
        f"New booking request from {request.name} ({request.get_urgency_display()}).",
        "",
        f"Service: {request.service or 'not chosen'}",
        f"Phone: {request.phone or '—'}    Email: {request.email or '—'}",
        "Address: " + " ".join(part for part in address if part),
        f"Preferred: {request.preferred_date or 'any day'}, {request.get_preferred_window_display()}",
        f"Page: {request.page_url or '—'}",
    ]
    snapshot = request.binding_snapshot or {}
    labels = (("job_type", "job type"), ("business_unit", "business unit"), ("campaign", "campaign"))
    mapped = [f"{label} {snapshot[key]}" for key, label in labels if snapshot.get(key)]
    if mapped:
        lines.append(f"Page's binding ({snapshot.get('status', 'draft')}): " + ", ".join(mapped))
    if request.status == RequestStatus.OUT_OF_AREA:
        lines.append("This address is outside every active service zone.")
    if request.notes:
        lines += ["", "Notes:", request.notes]
    lines += ["", f"Open it in PageToJob: {link}"]
    return "\n".join(lines)


def submit(site: Site, payload, *, client_ip_hash: str = "", user_agent: str = "") -> Stored:
    """Validate and store one submission; the same submission id returns the stored request unchanged."""
    from django.conf import settings

    now = clock.now()
    data = clean(payload, now.date())
    submission_id = data.values["submission_id"]
    existing = _stored_request(site, submission_id)
    if existing is not None:
        return Stored(existing, False)  # a retry of a stored submission is answered even when rate-limited
    spam = abuse.spam_reason(payload, now)
    page = lookup.page_binding(site.pk, data.values["page_url"])
    zone = lookup.zone_for_zip(site.workspace_id, data.values["zip"])
    status = RequestStatus.NEW if zone is not None and zone.state != ZoneState.EXPANSION else RequestStatus.OUT_OF_AREA
    if spam:
        status = RequestStatus.SPAM
    form = lookup.form_settings(site.pk)
    consent_text = {}
    if data.values["consent_sms"]:
        consent_text["sms"] = form.consent_sms_text
    if data.values["consent_email"]:
        consent_text["email"] = form.consent_email_text
    recipients = [] if spam else (form.notification_emails or lookup.lead_recipients(site.workspace_id))
    key = idempotency_key(site, submission_id)
    request = BookingRequest(
        workspace=site.workspace, site=site, page_id=page.page_id if page else None,
        idempotency_key=key, status=status, job_type_id=page.job_type_id if page else None,
        context=data.context, device_class=data.context.get("device_class", "")[:16],
        binding_snapshot=page.snapshot if page else {}, zone_id=zone.id if zone else None,
        zone_state=zone.state if zone else "", consent_text=consent_text, client_ip_hash=client_ip_hash,
        user_agent=user_agent[:300], created_at=now, **data.values,
    )
    emails = None
    if not spam:
        # The office email's link names the request by key, which exists before the row does, so the email
        # is stored first and the request is stored with its notification in one statement.
        link = settings.PAGETOJOB_BASE_URL.rstrip("/") + reverse(
            "booking-request-by-key", args=[site.workspace.key, key])
        subject = f"New request: {request.name} — {request.service or 'service not chosen'}"
        emails = mail.stage_many("lead_notification", recipients, subject, _notification_body(request, link),
                                 site.workspace)
    # Everything is read and every row prepared before the write transaction: on SQLite it holds the one
    # write lock, so inside it there are only the statements themselves.
    staged_request = fastsql.Pending([request])
    prepared = {} if spam else hooks.prepare(request)
    try:
        with writes.serialized_write(), transaction.atomic():
            # Counted inside the write: a limited submission rolls back with nothing stored but its answer.
            abuse.check_rate(site.pk, client_ip_hash, now)
            if emails is not None:
                notification: OutboundEmail = emails.run()[0]
                staged_request.link("notification_id", notification.pk)
            staged_request.run()
            if emails is not None:
                request.notification = notification
            if spam:
                # Kept for the operator to review (the inbox's spam filter); nobody is emailed, nothing handed off.
                return Stored(request, True)
            hooks.request_stored(request, prepared)
    except IntegrityError:
        # Two copies of one submission raced; the first one won and is the answer to both.
        existing = _stored_request(site, submission_id)
        if existing is None:
            raise
        return Stored(existing, False)
    return Stored(request, True)


def _stored_request(site: Site, submission_id: str) -> BookingRequest | None:
    """A submission seen before (the common answer, "no", is one index lookup)."""
    request_id = lookup.stored_submission(site.pk, submission_id)
    return BookingRequest.objects.get(pk=request_id) if request_id is not None else None


def mark_notified(email) -> None:
    """After the worker sent a request's office email: `new` becomes `notified`; other statuses stay."""
    BookingRequest.objects.filter(notification_id=email.pk, status=RequestStatus.NEW).update(
        status=RequestStatus.NOTIFIED)
