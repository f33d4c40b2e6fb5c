"""Storing a booking request: the request, its notification and its handoff draft commit together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import reverse

from pagetojob.accounts import mail
from pagetojob.core import clock
from pagetojob.intake import abuse, hooks
from pagetojob.intake.models import BookingRequest, IntakeSettings, RequestStatus
from pagetojob.intake.validation import clean
from pagetojob.sites.discovery import normalize_path
from pagetojob.sites.models import Page, Site
from pagetojob.taxonomy.models import Zone, ZoneState


@dataclass
class Stored:
    request: BookingRequest
    created: bool


def idempotency_key(site: Site, submission_id: str) -> str:
    """Deterministic per site and submission: the same visitor click always maps to the same key."""
    digest = hashlib.sha256(f"{site.workspace_id}:{site.pk}:{submission_id}".encode()).hexdigest()[:32]
    return f"p2j-{digest}"


def find_page(site: Site, page_url: str) -> Page | None:
    if not page_url:
        return None
    path = normalize_path(urlsplit(page_url).path)
    # One query for the page, its binding and what the snapshot names; zones come with one more.
    return (Page.objects.filter(site=site, path__in={path, path + "/"})
            .select_related("binding__job_type", "binding__business_unit", "binding__campaign",
                            "binding__booking_provider")
            .prefetch_related("binding__zones").first())


def zone_for_zip(workspace_id: int, zip_code: str) -> Zone | None:
    """The zone serving a ZIP: active first, then emergency-only, paused, expansion."""
    order = [ZoneState.ACTIVE, ZoneState.EMERGENCY_ONLY, ZoneState.PAUSED, ZoneState.EXPANSION]
    zones = [zone for zone in Zone.objects.filter(workspace_id=workspace_id, active=True) if zip_code in zone.zips]
    zones.sort(key=lambda zone: order.index(zone.state) if zone.state in order else len(order))
    return zones[0] if zones else None


def binding_snapshot(page: Page | None) -> dict:
    if page is None or not hasattr(page, "binding"):
        return {}
    binding = page.binding
    return {
        "status": binding.status,
        "job_type": binding.job_type.name if binding.job_type else None,
        "job_type_st_id": binding.job_type.st_id if binding.job_type else None,
        "business_unit": binding.business_unit.name if binding.business_unit else None,
        "business_unit_st_id": binding.business_unit.st_id if binding.business_unit else None,
        "campaign": binding.campaign.name if binding.campaign else None,
        "campaign_st_id": binding.campaign.st_id if binding.campaign else None,
        "zones": [zone.name for zone in binding.zones.all()],
        "booking_provider_st_id": binding.booking_provider.st_id if binding.booking_provider else None,
        "booking_path": binding.booking_path,
        "cta_mode": binding.cta_mode,
    }


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
    existing = BookingRequest.objects.filter(site=site, submission_id=submission_id).first()
    if existing is not None:
        return Stored(existing, False)  # a retry of a stored submission is answered even when rate-limited
    abuse.check_rate(site.pk, client_ip_hash, now)
    spam = abuse.spam_reason(payload, now)
    page = find_page(site, data.values["page_url"])
    zone = zone_for_zip(site.workspace_id, data.values["zip"])
    status = RequestStatus.NEW if zone is not None and zone.state != ZoneState.EXPANSION else RequestStatus.OUT_OF_AREA
    if spam:
        status = RequestStatus.SPAM
    intake_settings = IntakeSettings.for_site(site)
    consent_text = {}
    if data.values["consent_sms"]:
        consent_text["sms"] = intake_settings.consent_sms_text
    if data.values["consent_email"]:
        consent_text["email"] = intake_settings.consent_email_text
    job_type = page.binding.job_type if page is not None and hasattr(page, "binding") else None
    snapshot = binding_snapshot(page)
    recipients = [] if spam else (intake_settings.notification_emails or _fallback_recipients(site))
    prepared = {} if spam else hooks.prepare(site.workspace)
    # Everything read above stays outside the write transaction: on SQLite it holds the one write lock.
    try:
        with transaction.atomic():
            request = BookingRequest.objects.create(
                workspace=site.workspace, site=site, page=page,
                idempotency_key=idempotency_key(site, submission_id), status=status, job_type=job_type,
                context=data.context, device_class=data.context.get("device_class", "")[:16],
                binding_snapshot=snapshot, zone=zone, zone_state=zone.state if zone else "",
                consent_text=consent_text, client_ip_hash=client_ip_hash, user_agent=user_agent[:300],
                created_at=now, **data.values,
            )
            if spam:
                # Kept for the operator to review (the inbox's spam filter); nobody is emailed, nothing handed off.
                return Stored(request, True)
            link = settings.PAGETOJOB_BASE_URL.rstrip("/") + reverse(
                "booking-request", args=[site.workspace.key, request.pk])
            subject = f"New request: {request.name} — {request.service or 'service not chosen'}"
            emails = mail.enqueue_many("lead_notification", recipients, subject, _notification_body(request, link),
                                       site.workspace)
            request.notification = emails[0] if emails else None
            request.save(update_fields=["notification"])
            hooks.request_stored(request, prepared)
    except IntegrityError:
        # Two copies of one submission raced; the first one won and is the answer to both.
        existing = BookingRequest.objects.filter(site=site, submission_id=submission_id).first()
        if existing is None:
            raise
        return Stored(existing, False)
    return Stored(request, True)


def mark_notified(email) -> None:
    """After the worker sent a request's office email: `new` becomes `notified`; other statuses stay."""
    BookingRequest.objects.filter(notification_id=email.pk, status=RequestStatus.NEW).update(
        status=RequestStatus.NOTIFIED)


def _fallback_recipients(site: Site) -> list[str]:
    """Without configured recipients, the workspace's owners, admins and operators hear about leads."""
    from pagetojob.accounts.models import Membership, Role

    return sorted(set(Membership.objects.filter(
        workspace_id=site.workspace_id, role__in=[Role.OWNER, Role.ADMIN, Role.OPERATOR],
    ).values_list("user__email", flat=True)))
