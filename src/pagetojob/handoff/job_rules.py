"""The rules a direct job must pass before PageToJob may create it in ServiceTitan (behind its own approval).

A job skips the office's review, so every rule is checked here and each failure says, in plain words, what
is missing and where to fix it. Capacity is read in the shape of ServiceTitan's `Dispatch.V2.CapacityResponse`
availabilities (`startUtc`, `endUtc`, `businessUnitIds`, `isAvailable`, `openAvailability`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pagetojob.handoff.payloads import Appointment


@dataclass(frozen=True)
class JobInputs:
    """What a direct job needs beyond the request itself; the ServiceTitan client supplies these when connected."""

    customer_id: int | None = None
    location_id: int | None = None
    capacity: list[dict[str, Any]] | None = None  # Dispatch.V2.CapacityResponse["availabilities"]
    appointment: Appointment | None = None  # defaults to the preferred window at the job type's length
    booking_id: int | None = None


@dataclass(frozen=True)
class JobFacts:
    """The mapped objects as the rules see them (names for the messages, ids and flags for the checks)."""

    business_unit_id: int | None
    business_unit_name: str
    job_type_id: int | None
    job_type_name: str
    job_type_business_unit_ids: tuple[int, ...]
    job_type_business_unit_names: tuple[str, ...]
    campaign_id: int | None
    campaign_name: str
    campaign_active: bool | None


@dataclass
class JobCheck:
    approved: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.approved and not self.reasons


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def covering_slot(capacity: Iterable[dict[str, Any]], appointment: Appointment, business_unit_id: int | None,
                  ) -> dict[str, Any] | None:
    """An open availability that holds the whole appointment for the business unit, if one does."""
    hours = (appointment.end - appointment.start).total_seconds() / 3600
    for slot in capacity:
        start, end = _parse(slot.get("startUtc")), _parse(slot.get("endUtc"))
        if start is None or end is None or start.tzinfo is None or end.tzinfo is None:
            continue
        units = slot.get("businessUnitIds") or []
        if business_unit_id is not None and units and business_unit_id not in units:
            continue
        if not slot.get("isAvailable") or float(slot.get("openAvailability") or 0) < hours:
            continue
        if start <= appointment.start and appointment.end <= end:
            return slot
    return None


def check_job(facts: JobFacts, inputs: JobInputs, appointment: Appointment | None, *, approved: bool) -> JobCheck:
    """Every reason a direct job may not be created now; an empty list (with approval) means it may."""
    check = JobCheck(approved)
    reasons = check.reasons
    if not approved:
        reasons.append("Direct job creation is not approved for this workspace: once the contractor has approved it "
                       "in writing, turn on “Direct job creation approved” on the readiness page.")
    if inputs.customer_id is None:
        reasons.append("No ServiceTitan customer is known for this request: match it to a customer (or create one) "
                       "first.")
    if inputs.location_id is None:
        reasons.append("No ServiceTitan location is known for this request: a job needs the customer's service "
                       "location.")
    if facts.business_unit_id is None:
        reasons.append("No business unit with a ServiceTitan id is mapped: bind the page to one in the Titan Map.")
    if facts.job_type_id is None:
        reasons.append("No job type with a ServiceTitan id is mapped: bind the page to one in the Titan Map.")
    if (facts.business_unit_id is not None and facts.job_type_id is not None
            and facts.business_unit_id not in facts.job_type_business_unit_ids):
        allowed = ", ".join(facts.job_type_business_unit_names) or "no business unit"
        reasons.append(f"Job type “{facts.job_type_name}” is not allowed in business unit "
                       f"“{facts.business_unit_name}” (ServiceTitan allows it in: {allowed}).")
    if facts.campaign_id is None:
        reasons.append("No campaign with a ServiceTitan id is mapped: ServiceTitan requires a campaign on every job.")
    elif facts.campaign_active is False:
        reasons.append(f"Campaign “{facts.campaign_name}” is inactive: choose an active campaign for this page.")
    if appointment is None:
        reasons.append("The visitor chose no day: a job needs an appointment time, so the office must book it.")
    elif inputs.capacity is None:
        reasons.append("Capacity was not checked: a job is created only inside open ServiceTitan capacity.")
    elif covering_slot(inputs.capacity, appointment, facts.business_unit_id) is None:
        reasons.append(f"No open capacity covers {appointment.start:%a %b %d %H:%M}–{appointment.end:%H:%M} "
                       f"for business unit “{facts.business_unit_name or 'unmapped'}”.")
    return check
