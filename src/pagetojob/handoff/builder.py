"""The handoff plan of one booking request: what it maps to in ServiceTitan, what looks wrong, and the exact calls.

The plan is a dry run: nothing here talks to ServiceTitan. The sync worker sends exactly the bodies of
`plan.requests` (in order, filling each `Fill` from an earlier response), so what an operator reads on the
handoff screen is what goes out.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pagetojob.handoff import payloads
from pagetojob.handoff.job_rules import JobCheck, JobFacts, JobInputs, check_job
from pagetojob.handoff.mapping import MappedObject, resolve_mapping
from pagetojob.intake.models import BookingRequest
from pagetojob.titan.client import ENVIRONMENTS

INTEGRATION_BASE_URL = ENVIRONMENTS["integration"][0]  # shown until a tenant connection names its own
MASK = "••••"
TENANT_PLACEHOLDER = "{tenant}"
PROVIDER_PLACEHOLDER = "{bookingProvider}"
JOB_APPROVAL_FLAG = "approve_direct_jobs"


@dataclass(frozen=True)
class HandoffWarning:
    code: str
    message: str
    blocking: bool = False  # True: the call cannot be sent as planned until someone fixes it


@dataclass(frozen=True)
class Fill:
    """A body field whose value is known only after an earlier call: `field` = response[`step`][`response_field`]."""

    field: str
    step: int
    response_field: str
    label: str


@dataclass(frozen=True)
class DryRunRequest:
    step: int  # 1-based position in the plan
    title: str
    capability: str  # the readiness capability that must allow this call
    operation_id: str  # as named in the official OpenAPI document
    method: str
    path: str  # module prefix included, e.g. /crm/v2/tenant/{tenant}/leads
    url: str
    headers: dict[str, str]
    body: dict[str, Any]
    fills: tuple[Fill, ...] = ()
    # GET path (with query) that finds the record this call creates, for an outcome-unknown retry; "" when none.
    lookup_path: str = ""

    @property
    def lookup_url(self) -> str:
        return self.url[: len(self.url) - len(self.path)] + self.lookup_path if self.lookup_path else ""

    def resolve(self, responses: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """The body to send, with every `Fill` taken from the responses of the earlier steps (1-based)."""
        body = copy.deepcopy(self.body)
        for fill in self.fills:
            if fill.step < 1 or fill.step > len(responses):
                raise ValueError(f"Step {self.step} needs the response of step {fill.step} for {fill.field}.")
            value = responses[fill.step - 1].get(fill.response_field)
            if value is None:
                raise ValueError(f"The response of step {fill.step} has no {fill.response_field!r} for {fill.field}.")
            body[fill.field] = value
        return body

    @property
    def body_json(self) -> str:
        """Pretty JSON for people: fields filled later read as ‹what goes there›."""
        shown = copy.deepcopy(self.body)
        for fill in self.fills:
            shown[fill.field] = f"‹{fill.label}›"
        return json.dumps(shown, indent=2, ensure_ascii=False)

    @property
    def headers_text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.headers.items())

    @property
    def as_text(self) -> str:
        """The whole call as one copyable block."""
        return f"{self.method} {self.url}\n{self.headers_text}\n\n{self.body_json}"


@dataclass
class JobCreatePlan:
    check: JobCheck
    request: DryRunRequest | None = None


@dataclass
class HandoffPlan:
    booking_request_id: int
    idempotency_key: str
    mode: str  # "booking" or "lead"
    tenant_id: str  # the tenant id, or "{tenant}" when none is known yet
    base_url: str
    ids: payloads.HandoffIds
    mapped: list[MappedObject]
    warnings: list[HandoffWarning]
    requests: list[DryRunRequest]
    job_create: JobCreatePlan
    capabilities: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[HandoffWarning]:
        return [warning for warning in self.warnings if warning.blocking]

    def mapped_object(self, role: str) -> MappedObject:
        return next(item for item in self.mapped if item.role == role)


def masked_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {MASK}", "ST-App-Key": MASK, "Content-Type": "application/json"}


def _request(step: int, title: str, capability: str, operation_id: str, path: str, base_url: str,
             body: dict[str, Any], fills: tuple[Fill, ...] = (), lookup_path: str = "") -> DryRunRequest:
    return DryRunRequest(step, title, capability, operation_id, "POST", path, base_url.rstrip("/") + path,
                         masked_headers(), body, fills, lookup_path)


def _job_approved(workspace) -> bool:
    from pagetojob.readiness.catalog import FLAGS_BY_KEY
    from pagetojob.readiness.evaluate import flag_enabled

    return JOB_APPROVAL_FLAG in FLAGS_BY_KEY and flag_enabled(workspace, JOB_APPROVAL_FLAG)


def build_handoff(booking_request: BookingRequest, *, tenant_id: int | str | None = None, base_url: str | None = None,
                  prefer_leads: bool | None = None, booking_provider_id: int | None = None,
                  job_inputs: JobInputs | None = None, approve_job_writes: bool | None = None) -> HandoffPlan:
    """The dry-run handoff of one request. Deterministic: the same request and map give the same plan."""
    workspace = booking_request.workspace
    time_zone = workspace.time_zone
    tenant = str(tenant_id) if tenant_id not in (None, "") else TENANT_PLACEHOLDER
    base = (base_url or INTEGRATION_BASE_URL).rstrip("/")
    mode = "lead" if prefer_leads else "booking"
    mapping = resolve_mapping(booking_request, booking_provider_id=booking_provider_id)
    warnings = [HandoffWarning(code, message, blocking) for code, message, blocking in mapping.warnings]
    ids = mapping.ids
    requests: list[DryRunRequest] = []
    if booking_request.status == "spam":
        warnings.insert(0, HandoffWarning("spam", "This request is marked as spam: it will not be handed off.", True))
    if payloads.address(booking_request) is None:
        warnings.append(HandoffWarning("address", "The address is incomplete (street, city, state and ZIP are "
                                                  "needed), so ServiceTitan receives it without one."))
    if mode == "booking":
        provider = str(ids.booking_provider_id) if ids.booking_provider_id is not None else PROVIDER_PLACEHOLDER
        bookings = f"/crm/v2/tenant/{tenant}/booking-provider/{provider}/bookings"
        requests.append(_request(
            1, "Create the booking", "booking_handoff", "Bookings_Create", bookings, base,
            payloads.booking_body(booking_request, ids, time_zone=time_zone),
            lookup_path=f"{bookings}?{urlencode({'externalId': booking_request.idempotency_key})}"))
        requests.append(_request(
            2, "Attribute the booking to the web visit", "attribution_post", "WebBookingAttributions_Create",
            f"/marketingads/v2/tenant/{tenant}/web-booking-attributions", base,
            payloads.booking_attribution_body(booking_request, None),
            (Fill("bookingId", 1, "id", "id of the booking created in step 1"),)))
    else:
        try:
            lead = payloads.lead_body(booking_request, ids, time_zone=time_zone)
        except payloads.PayloadError as error:
            warnings.append(HandoffWarning("lead_campaign", str(error), True))
        else:
            # Leads have no externalId: the lookup narrows by name and time, then the key in the summary decides.
            query = urlencode({"leadCustomerName": booking_request.name,
                               "createdOnOrAfter": payloads.utc_text(booking_request.created_at)})
            requests.append(_request(1, "Create the lead", "lead_handoff", "Leads_Create",
                                     f"/crm/v2/tenant/{tenant}/leads", base, lead,
                                     lookup_path=f"/crm/v2/tenant/{tenant}/leads?{query}"))
            requests.append(_request(
                2, "Attribute the lead to the web visit", "attribution_post", "WebLeadFormAttributions_Create",
                f"/marketingads/v2/tenant/{tenant}/web-lead-form-attributions", base,
                payloads.lead_attribution_body(booking_request, None),
                (Fill("leadId", 1, "id", "id of the lead created in step 1"),)))
    session = payloads.web_session_data(booking_request)
    if not session["landingPageUrl"]:
        warnings.append(HandoffWarning("landing_page", "No landing page was recorded for this visit, so Marketing "
                                                       "Ads cannot tell which page brought it in."))
    job_create = _job_plan(booking_request, mapping, job_inputs or JobInputs(), tenant, base, time_zone,
                           _job_approved(workspace) if approve_job_writes is None else approve_job_writes)
    warnings.sort(key=lambda warning: not warning.blocking)  # what stops sending first; otherwise in found order
    capabilities = ["booking_handoff" if mode == "booking" else "lead_handoff", "attribution_post"]
    return HandoffPlan(booking_request.pk, booking_request.idempotency_key, mode, tenant, base, ids, mapping.objects,
                       warnings, requests, job_create, capabilities)


def _job_plan(booking_request: BookingRequest, mapping, inputs: JobInputs, tenant: str, base: str, time_zone: str,
              approved: bool) -> JobCreatePlan:
    job_type = mapping.items.get("job_type")
    business_unit = mapping.items.get("business_unit")
    campaign = mapping.items.get("campaign")
    units = list(job_type.business_units.all()) if job_type is not None and job_type.pk else []
    facts = JobFacts(
        business_unit_id=mapping.ids.business_unit_id, business_unit_name=business_unit.name if business_unit else "",
        job_type_id=mapping.ids.job_type_id, job_type_name=job_type.name if job_type else "",
        job_type_business_unit_ids=tuple(unit.st_id for unit in units if unit.st_id is not None),
        job_type_business_unit_names=tuple(sorted(unit.name for unit in units)),
        campaign_id=mapping.ids.campaign_id, campaign_name=campaign.name if campaign else "",
        campaign_active=campaign.active if campaign else None,
    )
    duration = job_type.duration_minutes if job_type is not None else None
    appointment = inputs.appointment or payloads.appointment_for(booking_request, duration, time_zone)
    check = check_job(facts, inputs, appointment, approved=approved)
    if not check.allowed or inputs.customer_id is None or inputs.location_id is None or appointment is None:
        return JobCreatePlan(check)
    body = payloads.job_body(booking_request, mapping.ids, customer_id=inputs.customer_id,
                             location_id=inputs.location_id, appointment=appointment, booking_id=inputs.booking_id)
    return JobCreatePlan(check, _request(1, "Create the job directly", "direct_job_creation", "Jobs_Create",
                                         f"/jpm/v2/tenant/{tenant}/jobs", base, body))
