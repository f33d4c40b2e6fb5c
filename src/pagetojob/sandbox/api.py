"""The ServiceTitan endpoints the sandbox answers, as plain functions of a tenant, the query and the body.

Each route names the module, the path after `/tenant/{tenant}` exactly as the official OpenAPI documents
write it, and the function that answers. Functions return `(status, body)` or raise `ApiError`; the HTTP
layer does authentication, faults and the wire format around them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from . import records
from .store import QueryError, Record, Tenant, page_of

STATUS_TYPES = {
    400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    401: "https://tools.ietf.org/html/rfc7235#section-3.1",
    403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
    404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
    405: "https://tools.ietf.org/html/rfc7231#section-6.5.5",
    409: "https://tools.ietf.org/html/rfc7231#section-6.5.8",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc7231#section-6.6.1",
}


class ApiError(Exception):
    """An answer in ServiceTitan's error body (`type`, `title`, `status`, `traceId`, `errors`, `data`)."""

    def __init__(self, status: int, title: str, errors: dict[str, list[str]] | None = None,
                 data: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(title)
        self.status, self.title = status, title
        self.errors, self.data, self.headers = errors or {}, data or {}, headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.title, self.errors, self.data)


def error_body(status: int, title: str, errors: dict[str, list[str]] | None = None,
               data: dict[str, Any] | None = None) -> dict[str, Any]:
    trace = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-00"
    return {"type": STATUS_TYPES.get(status, "about:blank"), "title": title, "status": status, "traceId": trace,
            "errors": errors or {}, "data": data or {}}


def validation_error(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(400, "One or more validation errors occurred.", errors)


@dataclass
class Call:
    """One API call as the endpoint functions see it."""

    tenant: Tenant
    params: dict[str, str]
    body: Any
    path_args: dict[str, int]
    export_page_size: int


Answer = tuple[int, Any]


@dataclass(frozen=True)
class Route:
    method: str
    module: str
    template: str  # after the module prefix, e.g. /tenant/{tenant}/jobs
    answer: Callable[[Call], Answer]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(self.template).replace(r"\{", "{")
                                       .replace(r"\}", "}")) + "$")


def _lookup(tenant: Tenant, kind: str, record_id: int, label: str) -> Record:
    record = tenant.get(kind, record_id)
    if record is None:
        raise ApiError(404, f"{label} with id {record_id} was not found.", data={"id": record_id})
    return record


def _list(kind: str, *, has_active: bool) -> Callable[[Call], Answer]:
    def answer(call: Call) -> Answer:
        return 200, page_of(call.tenant.all(kind), call.params, has_active=has_active)
    return answer


def list_membership_types(call: Call) -> Answer:
    """Duration billing and recurring services are null unless `includeDurationBilling` / `includeRecurringServices`
    ask for them, as the official document describes."""
    status, page = _list("membership_type", has_active=True)(call)
    wanted = {name: call.params.get(flag, "").lower() == "true" for name, flag in
              (("durationBilling", "includeDurationBilling"), ("recurringServices", "includeRecurringServices"))}
    page["data"] = [{**item, **{name: None for name, keep in wanted.items() if not keep}} for item in page["data"]]
    return status, page


def _one(kind: str, label: str) -> Callable[[Call], Answer]:
    def answer(call: Call) -> Answer:
        return 200, _lookup(call.tenant, kind, call.path_args["id"], label).body
    return answer


def _export(kind: str, extra: dict[str, Any] | None = None) -> Callable[[Call], Answer]:
    """An export feed; `extra` holds fields only the feed's shape has (the jobs feed says `active`)."""
    def answer(call: Call) -> Answer:
        page = call.tenant.export(kind, call.params.get("from"), call.export_page_size)
        if extra:
            page["data"] = [{**item, **extra} for item in page["data"]]
        return 200, page
    return answer


def _check_refs(tenant: Tenant, body: dict[str, Any], refs: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """Field -> message for every id in the body that names no record of this tenant."""
    errors: dict[str, list[str]] = {}
    for name, (kind, label) in refs.items():
        value = body.get(name)
        if value is not None and tenant.get(kind, value) is None:
            errors[name] = [f"{label} {value} does not exist in tenant {tenant.tenant_id}."]
    return errors


# --------------------------------------------------------------------------- bookings (crm)

def _provider(call: Call) -> Record:
    provider_id = call.path_args["booking_provider"]
    record = call.tenant.get("booking_provider_tag", provider_id)
    if record is None:
        raise ApiError(404, f"Booking provider {provider_id} was not found in tenant {call.tenant.tenant_id}.",
                       data={"bookingProvider": provider_id})
    return record


def create_booking(call: Call) -> Answer:
    """Creates a booking. Like ServiceTitan, a second create with the same externalId makes a second booking:
    clients that are unsure whether a create went through must look the externalId up before retrying."""
    provider = _provider(call)
    errors = _check_refs(call.tenant, call.body, {"campaignId": ("campaign", "Campaign"),
                                                  "businessUnitId": ("business_unit", "Business unit"),
                                                  "jobTypeId": ("job_type", "Job type")})
    if errors:
        raise validation_error(errors)
    tenant = call.tenant
    with tenant.lock:
        body = records.booking(call.body, record_id=tenant.new_id("booking"), provider_id=provider.id,
                               now=datetime.now(UTC))
        tenant.add("booking", body, external_id=call.body["externalId"], request=call.body)
    return 200, body


def list_bookings(call: Call) -> Answer:
    """Both booking lists take `externalId` in the official document: it is how a client finds the booking a
    create made when the answer never arrived."""
    external_id = call.params.get("externalId")
    items = call.tenant.by_external_id("booking", external_id) if external_id else call.tenant.all("booking")
    if "booking_provider" in call.path_args:
        _provider(call)
        items = [r for r in items if r.body["bookingProviderId"] == call.path_args["booking_provider"]]
    return 200, page_of(items, call.params, has_active=False)


def get_booking(call: Call) -> Answer:
    record = _lookup(call.tenant, "booking", call.path_args["id"], "Booking")
    if "booking_provider" in call.path_args and record.body["bookingProviderId"] != call.path_args["booking_provider"]:
        raise ApiError(404, f"Booking {record.id} was not made by booking provider "
                            f"{call.path_args['booking_provider']}.", data={"id": record.id})
    return 200, record.body


# --------------------------------------------------------------------------- leads (crm)

def create_lead(call: Call) -> Answer:
    errors = _check_refs(call.tenant, call.body, {"campaignId": ("campaign", "Campaign"),
                                                  "businessUnitId": ("business_unit", "Business unit"),
                                                  "jobTypeId": ("job_type", "Job type"),
                                                  "bookingId": ("booking", "Booking")})
    if errors:
        raise validation_error(errors)
    tenant = call.tenant
    with tenant.lock:
        body = records.lead(call.body, record_id=tenant.new_id("lead"), now=datetime.now(UTC))
        tenant.add("lead", body, request=call.body)
    return 200, body


# --------------------------------------------------------------------------- jobs (jpm)

def create_job(call: Call) -> Answer:
    """Creates a job with its appointments; the job appears in the jobs export feed, and a booking it names
    becomes Converted with the job's id."""
    request, tenant = call.body, call.tenant
    errors = _check_refs(tenant, request, {"campaignId": ("campaign", "Campaign"),
                                           "businessUnitId": ("business_unit", "Business unit"),
                                           "jobTypeId": ("job_type", "Job type"),
                                           "bookingId": ("booking", "Booking"), "leadId": ("lead", "Lead")})
    job_type = tenant.get("job_type", request["jobTypeId"])
    if "jobTypeId" not in errors and "businessUnitId" not in errors and job_type is not None \
            and request["businessUnitId"] not in job_type.body["businessUnitIds"]:
        errors["jobTypeId"] = [f"Job type {job_type.id} ({job_type.body['name']}) is not allowed in business unit "
                               f"{request['businessUnitId']}; it is allowed in {job_type.body['businessUnitIds']}."]
    appointments = request.get("appointments") or []
    if not appointments:
        errors["appointments"] = ["A job needs at least one appointment."]
    for index, appointment in enumerate(appointments):
        try:
            if records.parse_iso(appointment["end"]) <= records.parse_iso(appointment["start"]):
                errors[f"appointments.{index}.end"] = ["The appointment must end after it starts."]
        except (KeyError, TypeError, ValueError):
            errors[f"appointments.{index}"] = ["start and end must be date-times, e.g. 2025-07-01T15:00:00Z."]
    if errors:
        raise validation_error(errors)
    with tenant.lock:
        now = datetime.now(UTC)
        first_appointment = tenant.new_id("appointment")
        for _ in appointments[1:]:
            tenant.new_id("appointment")
        body = records.created_job(request, record_id=tenant.new_id("job"), invoice_id=tenant.new_id("invoice"),
                                   first_appointment_id=first_appointment, now=now)
        tenant.add("job", body, request=request, now=now)
        if request.get("bookingId") is not None:
            tenant.touch("booking", request["bookingId"], {"status": "Converted", "jobId": body["id"]})
    return 200, body


def list_jobs(call: Call) -> Answer:
    return 200, page_of(call.tenant.all("job"), call.params, has_active=False)


# --------------------------------------------------------------------------- attributions (marketingads)

def _attribution(kind: str, target_field: str, target_kind: str, label: str) -> Callable[[Call], Answer]:
    def answer(call: Call) -> Answer:
        errors = _check_refs(call.tenant, call.body, {target_field: (target_kind, label)})
        if errors:
            raise validation_error(errors)
        tenant = call.tenant
        with tenant.lock:
            body = {"id": tenant.new_id(kind), **call.body}
            tenant.add(kind, body, external_id=str(call.body[target_field]), request=call.body)
        return 200, None  # the documented answer is 200 without a body
    return answer


# --------------------------------------------------------------------------- capacity (dispatch)

TENANT_TIME_ZONE = timezone(timedelta(hours=-7), "MST")  # Phoenix keeps standard time all year
SLOTS = ((8, 10), (10, 12), (12, 14), (14, 16), (16, 18))
TECHNICIANS_PER_UNIT = 3
MAX_CAPACITY_DAYS = 31


def capacity(call: Call) -> Answer:
    """Two-hour arrival windows, 8:00 to 18:00 tenant time, each business unit with three technicians; a window
    loses a technician for every booking that starts in it. Busy windows follow a fixed pattern so the answer
    is the same for the same question."""
    request, tenant = call.body, call.tenant
    try:
        start = records.parse_iso(request["startsOnOrAfter"])
        end = records.parse_iso(request["endsOnOrBefore"])
    except ValueError:
        raise validation_error({"startsOnOrAfter": ["startsOnOrAfter and endsOnOrBefore must be date-times."]})\
            from None
    if end <= start:
        raise validation_error({"endsOnOrBefore": ["endsOnOrBefore must be after startsOnOrAfter."]})
    if end - start > timedelta(days=MAX_CAPACITY_DAYS):
        raise validation_error({"endsOnOrBefore": [f"Ask for at most {MAX_CAPACITY_DAYS} days at a time."]})
    errors = _check_refs(tenant, request, {"jobTypeId": ("job_type", "Job type")})
    unit_ids = list(request.get("businessUnitIds") or [])
    unknown = [unit for unit in unit_ids if tenant.get("business_unit", unit) is None]
    if unknown:
        errors["businessUnitIds"] = [f"Business units {unknown} do not exist in tenant {tenant.tenant_id}."]
    if errors:
        raise validation_error(errors)
    if not unit_ids:
        if request.get("jobTypeId") is not None:
            unit_ids = list(tenant.get("job_type", request["jobTypeId"]).body["businessUnitIds"])  # type: ignore[union-attr]
        else:
            unit_ids = [r.id for r in tenant.all("business_unit") if r.body["active"]]
    booked = [records.parse_iso(b.request["start"]) for b in tenant.all("booking")
              if b.request and b.request.get("start")]
    availabilities = []
    day = start.astimezone(TENANT_TIME_ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        for first, last in SLOTS:
            slot_start, slot_end = day.replace(hour=first), day.replace(hour=last)
            if slot_start < start or slot_end > end:
                continue
            busy = (slot_start.toordinal() + first) % 3  # a fixed pattern of technicians already out
            taken = sum(1 for moment in booked if slot_start <= moment < slot_end)
            total = float(TECHNICIANS_PER_UNIT * len(unit_ids))
            open_count = max(0.0, total - busy - taken)
            technicians = [{"id": 7000 + n, "name": f"Sandbox Technician {n + 1}",
                            "status": "Available" if n < open_count else "Unavailable", "hasRequiredSkills": True}
                           for n in range(int(total))]
            availabilities.append({
                "start": slot_start.replace(tzinfo=None).isoformat(), "end": slot_end.replace(tzinfo=None).isoformat(),
                "startUtc": records.iso(slot_start), "endUtc": records.iso(slot_end), "businessUnitIds": unit_ids,
                "totalAvailability": total, "openAvailability": open_count, "technicians": technicians,
                "isAvailable": open_count > 0, "isExceedingIdealBookingPercentage": open_count < total / 3})
        day += timedelta(days=1)
    return 200, {"timeStamp": records.iso(datetime.now(UTC)), "availabilities": availabilities}


ROUTES: tuple[Route, ...] = (
    Route("GET", "settings", "/tenant/{tenant}/business-units", _list("business_unit", has_active=True)),
    Route("GET", "settings", "/tenant/{tenant}/business-units/{id}", _one("business_unit", "Business unit")),
    Route("GET", "settings", "/tenant/{tenant}/export/business-units", _export("business_unit")),
    Route("GET", "jpm", "/tenant/{tenant}/job-types", _list("job_type", has_active=True)),
    Route("GET", "jpm", "/tenant/{tenant}/job-types/{id}", _one("job_type", "Job type")),
    Route("POST", "jpm", "/tenant/{tenant}/jobs", create_job),
    Route("GET", "jpm", "/tenant/{tenant}/jobs", list_jobs),
    Route("GET", "jpm", "/tenant/{tenant}/jobs/{id}", _one("job", "Job")),
    Route("GET", "jpm", "/tenant/{tenant}/export/jobs", _export("job", {"active": True})),
    Route("GET", "marketing", "/tenant/{tenant}/campaigns", _list("campaign", has_active=True)),
    Route("GET", "marketing", "/tenant/{tenant}/campaigns/{id}", _one("campaign", "Campaign")),
    Route("GET", "dispatch", "/tenant/{tenant}/zones", _list("zone", has_active=True)),
    Route("GET", "dispatch", "/tenant/{tenant}/zones/{id}", _one("zone", "Zone")),
    Route("POST", "dispatch", "/tenant/{tenant}/capacity", capacity),
    Route("GET", "pricebook", "/tenant/{tenant}/services", _list("service", has_active=True)),
    Route("GET", "pricebook", "/tenant/{tenant}/services/{id}", _one("service", "Service")),
    Route("GET", "pricebook", "/tenant/{tenant}/export/services", _export("service")),
    Route("GET", "memberships", "/tenant/{tenant}/membership-types", list_membership_types),
    Route("GET", "memberships", "/tenant/{tenant}/membership-types/{id}", _one("membership_type", "Membership type")),
    Route("GET", "memberships", "/tenant/{tenant}/export/membership-types", _export("membership_type")),
    Route("GET", "memberships", "/tenant/{tenant}/recurring-service-types",
          _list("recurring_service_type", has_active=True)),
    Route("GET", "memberships", "/tenant/{tenant}/recurring-service-types/{id}",
          _one("recurring_service_type", "Recurring service type")),
    Route("GET", "memberships", "/tenant/{tenant}/export/recurring-service-types", _export("recurring_service_type")),
    Route("GET", "crm", "/tenant/{tenant}/booking-provider-tags", _list("booking_provider_tag", has_active=False)),
    Route("GET", "crm", "/tenant/{tenant}/booking-provider-tags/{id}",
          _one("booking_provider_tag", "Booking provider tag")),
    Route("POST", "crm", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings", create_booking),
    Route("GET", "crm", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings", list_bookings),
    Route("GET", "crm", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings/{id}", get_booking),
    Route("GET", "crm", "/tenant/{tenant}/bookings", list_bookings),
    Route("GET", "crm", "/tenant/{tenant}/bookings/{id}", get_booking),
    Route("POST", "crm", "/tenant/{tenant}/leads", create_lead),
    Route("GET", "crm", "/tenant/{tenant}/leads", _list("lead", has_active=False)),
    Route("GET", "crm", "/tenant/{tenant}/leads/{id}", _one("lead", "Lead")),
    Route("POST", "marketingads", "/tenant/{tenant}/web-booking-attributions",
          _attribution("web_booking_attribution", "bookingId", "booking", "Booking")),
    Route("POST", "marketingads", "/tenant/{tenant}/web-lead-form-attributions",
          _attribution("web_lead_form_attribution", "leadId", "lead", "Lead")),
    Route("GET", "accounting", "/tenant/{tenant}/export/invoices", _export("invoice")),
    Route("GET", "accounting", "/tenant/{tenant}/export/payments", _export("payment")),
)

COMPILED = tuple((route, route.pattern) for route in ROUTES)
MODULES = frozenset(route.module for route in ROUTES)


def find(module: str, rest: str) -> list[Route]:
    """The routes of `module` whose path matches `rest`, whatever their method."""
    return [route for route, pattern in COMPILED if route.module == module and pattern.match(rest)]


def path_arguments(route: Route, rest: str) -> dict[str, int]:
    """The path's ids as integers; ApiError 404 when one is not a number (ServiceTitan's ids are int64)."""
    matched = route.pattern.match(rest)
    assert matched is not None
    values: dict[str, int] = {}
    for name, text in matched.groupdict().items():
        if not text.isdigit():
            raise ApiError(404, f"'{text}' is not a valid {name}: ServiceTitan ids are whole numbers.")
        values[name] = int(text)
    return values


def run(route: Route, call: Call) -> Answer:
    try:
        return route.answer(call)
    except QueryError as problem:
        raise validation_error({problem.field: [str(problem)]}) from None
