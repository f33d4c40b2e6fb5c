"""Public intake endpoints: the hosted form and the embed post here; nothing here waits on ServiceTitan."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from pagetojob.intake import abuse, submissions
from pagetojob.intake.models import RequestStatus
from pagetojob.intake.validation import ZIP, SubmissionInvalid
from pagetojob.sites.models import Site
from pagetojob.taxonomy.models import ZoneState

router = Router(tags=["intake"])
MAX_BODY_BYTES = 32 * 1024


def public_site(site_key: str) -> Site:
    """The site a public form or API call names; site keys are unique across workspaces."""
    return get_object_or_404(Site.objects.select_related("workspace"), key=site_key)


def client_ip_hash(request: HttpRequest) -> str:
    """Only a salted hash of the address is kept, enough for rate limits and abuse review."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


@router.post("/intake/{site_key}/requests", auth=None, url_name="intake-requests")
def create_request(request: HttpRequest, site_key: str):
    site = public_site(site_key)
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"errors": {"body": "The request is too large."}}, status=413)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errors": {"body": "Send the request as JSON."}}, status=400)
    try:
        stored = submissions.submit(site, payload, client_ip_hash=client_ip_hash(request),
                                    user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except SubmissionInvalid as invalid:
        return JsonResponse({"errors": invalid.errors}, status=422)
    except abuse.RateLimited as limited:
        who = "this address" if limited.scope == "address" else "this site"
        message = (f"Too many requests from {who} just now. Please try again in {limited.retry_after} seconds, "
                   "or call us.")
        response = JsonResponse({"errors": {"body": message}, "retry_after": limited.retry_after}, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    booking = stored.request
    # A bot must not learn that it was caught: spam gets the answer a visitor would.
    status = RequestStatus.NEW if booking.status == RequestStatus.SPAM else booking.status
    return JsonResponse({"id": booking.pk, "status": status, "idempotency_key": booking.idempotency_key,
                         "created": stored.created}, status=201 if stored.created else 200)


ZONE_ANSWERS = {
    ZoneState.ACTIVE: (True, "Good news — we serve {zip}."),
    ZoneState.EMERGENCY_ONLY: (True, "In {zip} we take emergency calls only; for anything else please call us."),
    ZoneState.PAUSED: (False, "We're not booking new work in {zip} right now. Leave your request and we'll call "
                              "you, or call us."),
    ZoneState.EXPANSION: (False, "We don't serve {zip} yet. Leave your request and we'll let you know, or call us."),
}


@router.get("/intake/{site_key}/zones", auth=None, url_name="intake-zone-check")
def zone_check(request: HttpRequest, site_key: str, zip: str = ""):
    site = public_site(site_key)
    code = zip.strip()[:10]
    if not ZIP.match(code):
        return JsonResponse({"valid": False, "served": False, "message": "Enter a 5-digit ZIP code."})
    zone = submissions.zone_for_zip(site.workspace_id, code[:5])
    if zone is None:
        return JsonResponse({"valid": True, "served": False, "state": "outside",
                             "message": f"We don't serve {code[:5]} yet. You can still send your request, or call "
                                        "us."})
    served, message = ZONE_ANSWERS.get(zone.state, (True, "We serve {zip}."))
    return JsonResponse({"valid": True, "served": served, "state": zone.state, "zone": zone.name,
                         "message": message.format(zip=code[:5])})
