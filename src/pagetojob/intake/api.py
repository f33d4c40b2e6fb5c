"""Public intake endpoints: the hosted form and the embed post here; nothing here waits on ServiceTitan."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from ninja import Router

from pagetojob.accounts.models import Workspace
from pagetojob.core import fastsql
from pagetojob.intake import abuse, lookup, submissions
from pagetojob.intake.models import RequestStatus
from pagetojob.intake.validation import ZIP, SubmissionInvalid
from pagetojob.sites.models import Site
from pagetojob.taxonomy.models import ZoneState

router = Router(tags=["intake"])
MAX_BODY_BYTES = 32 * 1024


def public_site(site_key: str) -> Site:
    """The site a public form or API call names; site keys are unique across workspaces.

    Two single-table statements rather than a joined ORM query: every public submission starts here.
    """
    quote = connection.ops.quote_name
    sites = fastsql.select(Site, f"{quote('key')} = %s", [site_key])
    if not sites:
        raise Http404("No site with this key.")
    site = sites[0]
    workspaces = fastsql.select(Workspace, "id = %s", [site.workspace_id])
    site.workspace = workspaces[0]
    return site


def client_ip_hash(request: HttpRequest) -> str:
    """Only a salted hash of the address is kept, enough for rate limits and abuse review."""
    address = abuse.client_address(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""),
                                   settings.PAGETOJOB_TRUSTED_PROXIES)
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
def zone_check(request: HttpRequest, site_key: str, zip: str = "", page_url: str = ""):
    """What the form tells a visitor about their ZIP, and the call to action their zone calls for."""
    from pagetojob.intake.form_views import page_cta

    site = public_site(site_key)
    code = zip.strip()[:10]
    if not ZIP.match(code):
        return JsonResponse({"valid": False, "served": False, "message": "Enter a 5-digit ZIP code."})
    zone = lookup.zone_for_zip(site.workspace_id, code[:5])
    page = submissions.find_page(site, page_url[:2000]) if page_url else None
    if zone is None:
        answer = {"valid": True, "served": False, "state": "outside",
                  "message": f"We don't serve {code[:5]} yet. You can still send your request, or call us."}
    else:
        served, message = ZONE_ANSWERS.get(zone.state, (True, "We serve {zip}."))
        answer = {"valid": True, "served": served, "state": zone.state, "zone": zone.name,
                  "message": message.format(zip=code[:5])}
    cta = page_cta(site, page, zone_state=zone.state if zone else None)
    answer["cta"] = {"mode": cta.mode, "primary": cta.primary, "secondary": cta.secondary, "phone": cta.phone,
                     "tel": cta.tel, "show_form": cta.show_form}
    return JsonResponse(answer)
