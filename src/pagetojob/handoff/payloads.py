"""Request bodies for ServiceTitan, built from a booking request and the ids its Titan Map resolved to.

Field names and required fields follow the official OpenAPI documents (crm v2 `CreateBookingRequest` and
`LeadCreateRequest`, marketing-ads v2 `CreateWebBookingAttributionRequest` / `CreateWebLeadFormAttributionRequest`
with `WebSessionData`, jpm v2 `JobCreateRequest`). Every function here is pure: the same request and ids give
the same body, byte for byte, so a retry never sends something different from what the operator saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRIORITY_BY_URGENCY = {"emergency": "Urgent", "today": "High", "this_week": "Normal", "flexible": "Low"}
URGENCY_WORDS = {"emergency": "Emergency — as soon as possible", "today": "Today", "this_week": "This week",
                 "flexible": "Flexible"}
# Local hours of each preferred window: (arrival from, arrival until).
WINDOW_HOURS = {"morning": (8, 12), "afternoon": (12, 16), "evening": (16, 19), "any": (8, 17)}
WINDOW_WORDS = {"morning": "morning (8–12)", "afternoon": "afternoon (12–4)", "evening": "evening (4–7)",
                "any": "any time"}
COUNTRY = "USA"
BOOKING_SOURCE = "Website (PageToJob)"
# Web-session fields of the attribution body and the source-context keys they are read from (first match wins).
SESSION_FIELDS = (
    ("gclid", "gclid"), ("gbraid", "gbraid"), ("wbraid", "wbraid"), ("fbclid", "fbclid"), ("msclkid", "msclkid"),
    ("utmSource", "utm_source"), ("utmMedium", "utm_medium"), ("utmCampaign", "utm_campaign"),
    ("utmAdgroup", "utm_adgroup"), ("utmTerm", "utm_term"), ("utmContent", "utm_content"),
    ("googleAnalyticsClientId", "ga_client_id"),
)


class PayloadError(ValueError):
    """A body cannot be built because something it requires is missing; the message says what to fix."""


@dataclass(frozen=True)
class HandoffIds:
    """The ServiceTitan ids a request resolved to; None where the Titan Map has no usable mapping."""

    business_unit_id: int | None = None
    job_type_id: int | None = None
    campaign_id: int | None = None
    priority: str = "Normal"
    booking_provider_id: int | None = None


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def utc_text(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, to the second: the form ServiceTitan documents for its date-times."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_bounds(day: date, window: str, time_zone: str) -> tuple[datetime, datetime]:
    """The preferred arrival window on a day, in the workspace's time zone, as aware datetimes."""
    start_hour, end_hour = WINDOW_HOURS.get(window, WINDOW_HOURS["any"])
    tz = zone_info(time_zone)
    return (datetime.combine(day, time(start_hour), tzinfo=tz), datetime.combine(day, time(end_hour), tzinfo=tz))


def requested_start(request, time_zone: str) -> str | None:
    """The start of the preferred window in UTC; None when the visitor chose no day (bookings allow that)."""
    if request.preferred_date is None:
        return None
    return utc_text(window_bounds(request.preferred_date, request.preferred_window, time_zone)[0])


def summary_text(request) -> str:
    """What the office reads in ServiceTitan: the visitor's words first, then how to reach and where from."""
    urgency = URGENCY_WORDS.get(request.urgency, request.urgency)
    lines = [f"{request.service or 'Service not chosen'} — {urgency}"]
    when = (request.preferred_date.strftime("%a %b %d, %Y").replace(" 0", " ") if request.preferred_date
            else "any day")
    lines.append(f"Preferred: {when}, {WINDOW_WORDS.get(request.preferred_window, request.preferred_window)}")
    if request.notes:
        lines.append(f"Notes: {request.notes}")
    lines.append("Returning customer" if request.customer_type == "returning" else "New customer")
    if request.membership_interest:
        lines.append("Interested in a membership")
    consent = request.consent_text or {}
    if consent.get("sms"):
        lines.append(f"Agreed to texts: \u201c{consent['sms']}\u201d")
    if consent.get("email"):
        lines.append(f"Agreed to email: \u201c{consent['email']}\u201d")
    if request.page_url:
        lines.append(f"Page: {request.page_url}")
    lines.append(f"PageToJob request {request.idempotency_key}")
    return "\n".join(lines)


def address(request) -> dict[str, Any] | None:
    """The service address, or None when the street, city, state or ZIP is missing (the object requires them)."""
    if not (request.street and request.city and request.state and request.zip):
        return None
    body: dict[str, Any] = {"street": request.street}
    if request.unit:
        body["unit"] = request.unit
    body.update({"city": request.city, "state": request.state, "zip": request.zip, "country": COUNTRY})
    return body


def contacts(request) -> list[dict[str, Any]]:
    """Phone and email; a phone the visitor agreed to receive texts on is a mobile phone, with the wording kept."""
    consent = request.consent_text or {}
    rows: list[dict[str, Any]] = []
    if request.phone:
        phone: dict[str, Any] = {"type": "MobilePhone" if request.consent_sms else "Phone", "value": request.phone}
        if request.consent_sms and consent.get("sms"):
            phone["memo"] = f"Agreed to texts: {consent['sms']}"[:500]
        rows.append(phone)
    if request.email:
        email: dict[str, Any] = {"type": "Email", "value": request.email}
        if request.consent_email and consent.get("email"):
            email["memo"] = f"Agreed to email: {consent['email']}"[:500]
        rows.append(email)
    return rows


def _put(body: dict[str, Any], key: str, value: Any) -> None:
    """Optional fields are left out rather than sent as null, so a body shows only what is known."""
    if value not in (None, "", []):
        body[key] = value


def booking_body(request, ids: HandoffIds, *, time_zone: str = "UTC") -> dict[str, Any]:
    """`POST /crm/v2/tenant/{tenant}/booking-provider/{bookingProvider}/bookings` (Crm.V2.CreateBookingRequest)."""
    body: dict[str, Any] = {
        "source": BOOKING_SOURCE,
        "name": request.name,
        "summary": summary_text(request),
        "isFirstTimeClient": request.customer_type != "returning",
        "externalId": request.idempotency_key,
    }
    _put(body, "address", address(request))
    _put(body, "contacts", contacts(request))
    body["customerType"] = "Residential"
    _put(body, "start", requested_start(request, time_zone))
    _put(body, "campaignId", ids.campaign_id)
    _put(body, "businessUnitId", ids.business_unit_id)
    _put(body, "jobTypeId", ids.job_type_id)
    body["priority"] = ids.priority
    return body


def follow_up_date(request, time_zone: str) -> str:
    """When the office should call back: the preferred window's start, else soon after the request arrived."""
    start = requested_start(request, time_zone)
    if start is not None:
        return start
    delay = timedelta(0) if request.urgency in ("emergency", "today") else timedelta(days=1)
    return utc_text(request.created_at + delay)


def lead_body(request, ids: HandoffIds, *, time_zone: str = "UTC") -> dict[str, Any]:
    """`POST /crm/v2/tenant/{tenant}/leads` (Crm.V2.LeadCreateRequest): the visitor's details as capture fields."""
    if ids.campaign_id is None:
        raise PayloadError("A lead needs a campaign: bind the page to an active campaign with a ServiceTitan id.")
    body: dict[str, Any] = {"campaignId": ids.campaign_id, "summary": summary_text(request)}
    _put(body, "businessUnitId", ids.business_unit_id)
    _put(body, "jobTypeId", ids.job_type_id)
    body["priority"] = ids.priority
    body["followUpDate"] = follow_up_date(request, time_zone)
    body["leadCustomerName"] = request.name
    _put(body, "leadPhone", request.phone)
    _put(body, "leadEmail", request.email)
    _put(body, "leadStreet", request.street)
    _put(body, "leadUnit", request.unit)
    _put(body, "leadCity", request.city)
    _put(body, "leadState", request.state)
    _put(body, "leadZip", request.zip)
    if request.street or request.city or request.zip:
        body["leadCountry"] = COUNTRY
    return body


def _context_value(context: dict[str, Any], key: str) -> str:
    """A source-context value: the request's own, else its first touch (where the visit began)."""
    value = context.get(key)
    if value in (None, ""):
        value = (context.get("first_touch") or {}).get(key)
    return str(value) if value not in (None, "") else ""


def web_session_data(request) -> dict[str, Any]:
    """Marketing.Ads.V2.WebSessionData from the stored source context (landing page, referrer, click ids, UTMs)."""
    context = request.context or {}
    first_touch = context.get("first_touch") or {}
    landing = context.get("landing_page") or first_touch.get("url") or request.page_url or ""
    referrer = context.get("referrer") or first_touch.get("referrer") or ""
    session: dict[str, Any] = {"landingPageUrl": str(landing), "referrerUrl": str(referrer)}
    for field, key in SESSION_FIELDS:
        _put(session, field, _context_value(context, key))
    return session


def booking_attribution_body(request, booking_id: int | None) -> dict[str, Any]:
    """`POST /marketingads/v2/tenant/{tenant}/web-booking-attributions`; the booking id is known once it exists."""
    return {"webSessionData": web_session_data(request), "bookingId": booking_id}


def lead_attribution_body(request, lead_id: int | None) -> dict[str, Any]:
    """`POST /marketingads/v2/tenant/{tenant}/web-lead-form-attributions` for a lead captured from the form."""
    return {"webSessionData": web_session_data(request), "leadId": lead_id}


@dataclass(frozen=True)
class Appointment:
    start: datetime
    end: datetime
    arrival_window_start: datetime | None = None
    arrival_window_end: datetime | None = None


def appointment_for(request, duration_minutes: int | None, time_zone: str) -> Appointment | None:
    """The appointment a direct job would ask for: the start of the preferred window for the job type's length."""
    if request.preferred_date is None:
        return None
    window_start, window_end = window_bounds(request.preferred_date, request.preferred_window, time_zone)
    length = timedelta(minutes=duration_minutes or 120)
    return Appointment(window_start, window_start + length, window_start, window_end)


def job_body(request, ids: HandoffIds, *, customer_id: int, location_id: int, appointment: Appointment,
             booking_id: int | None = None) -> dict[str, Any]:
    """`POST /jpm/v2/tenant/{tenant}/jobs` (Jpm.V2.JobCreateRequest); call only after the job rules passed."""
    missing = [name for name, value in (("business unit", ids.business_unit_id), ("job type", ids.job_type_id),
                                        ("campaign", ids.campaign_id)) if value is None]
    if missing:
        raise PayloadError(f"A job needs a {', '.join(missing)} with a ServiceTitan id.")
    visit: dict[str, Any] = {"start": utc_text(appointment.start), "end": utc_text(appointment.end)}
    if appointment.arrival_window_start and appointment.arrival_window_end:
        visit["arrivalWindowStart"] = utc_text(appointment.arrival_window_start)
        visit["arrivalWindowEnd"] = utc_text(appointment.arrival_window_end)
    body: dict[str, Any] = {
        "customerId": customer_id, "locationId": location_id, "businessUnitId": ids.business_unit_id,
        "jobTypeId": ids.job_type_id, "priority": ids.priority, "campaignId": ids.campaign_id,
        "appointments": [visit], "summary": summary_text(request),
    }
    _put(body, "bookingId", booking_id)
    return body
