"""Rules 1 and 2: bound objects that ServiceTitan no longer has active, and job types outside their unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule, day, described, missing_since
from pagetojob.drift.snapshot import MULTI_OBJECTS, SINGLE_OBJECTS, Item, PageFacts, Snapshot
from pagetojob.sites.models import PageKind

OBJECT_RULE = "inactive_object"
UNIT_RULE = "job_type_not_allowed"


def _bound(snapshot: Snapshot, page: PageFacts) -> Iterator[tuple[Item, str]]:
    for name, (family, label) in SINGLE_OBJECTS.items():
        if name == "campaign":
            continue  # rule 3 owns campaigns
        if name == "membership_type" and page.kind == PageKind.MEMBERSHIP:
            continue  # rule 7 owns membership pages
        item = snapshot.item(family, page.object_id(name))
        if item is not None:
            yield item, label
    for name, (family, label) in MULTI_OBJECTS.items():
        for item_id in page.zone_ids if name == "zones" else page.service_ids:
            item = snapshot.items[family].get(item_id)
            if item is not None:
                yield item, label


def check_objects(snapshot: Snapshot) -> Iterator[Detected]:
    for page in snapshot.live_pages:
        if page.binding_id is None:
            continue
        for item, label in _bound(snapshot, page):
            gone_at = missing_since(snapshot, item)
            if item.active and gone_at is None:
                continue
            if not item.active:
                message = f"Bound to the {label} “{item.name}”, which is inactive in ServiceTitan."
                evidence = [f"{label.capitalize()} {described(item)}: inactive in ServiceTitan"]
            else:
                message = (f"Bound to the {label} “{item.name}”, which the latest ServiceTitan export no longer "
                           "lists.")
                seen = day(item.last_seen_at) if item.last_seen_at else "never"
                evidence = [f"{label.capitalize()} {described(item)}: last seen {seen}",
                            f"Newest export of {label}s applied {day(gone_at)}" if gone_at else ""]
            evidence.append(f"Binding status: {page.status}")
            yield Detected(
                OBJECT_RULE, Severity.HIGH, message,
                f"Bind an active {label} in the binding editor, or retire the page if this work is no longer sold.",
                page, item, evidence=[line for line in evidence if line])


def check_units(snapshot: Snapshot) -> Iterator[Detected]:
    units_of: dict[int, list[int]] = defaultdict(list)
    for job_type_id, unit_id in snapshot.allowed:
        units_of[job_type_id].append(unit_id)
    for page in snapshot.live_pages:
        if page.job_type_id is None or page.business_unit_id is None:
            continue
        if (page.job_type_id, page.business_unit_id) in snapshot.allowed:
            continue
        job_type = snapshot.item("job-types", page.job_type_id)
        unit = snapshot.item("business-units", page.business_unit_id)
        if job_type is None or unit is None:
            continue
        allowed = sorted(snapshot.items["business-units"][uid].name for uid in units_of.get(job_type.id, [])
                         if uid in snapshot.items["business-units"])
        where = ", ".join(f"“{name}”" for name in allowed) or "no business unit"
        yield Detected(
            UNIT_RULE, Severity.HIGH,
            f"The job type “{job_type.name}” is not allowed in the business unit “{unit.name}”: ServiceTitan "
            "will refuse a booking made with this pair.",
            f"Change the business unit to {where}, or pick a job type allowed in “{unit.name}”."
            if allowed else f"Allow the job type in “{unit.name}” in ServiceTitan, or pick another job type.",
            page, job_type,
            evidence=[f"Job type {described(job_type)} is allowed in: {where}",
                      f"Bound business unit: {described(unit)}"])


OBJECT = Rule(
    OBJECT_RULE, 1, "Bound to a missing or inactive object", Severity.HIGH,
    "A binding points at a job type, business unit, zone, pricebook service, membership type or booking provider "
    "that is inactive in ServiceTitan, or that the newest export of its family no longer lists. Requests from "
    "the page would be booked against something ServiceTitan no longer uses. (Campaigns are checked by rule 3, "
    "membership pages by rule 7.)",
    "Bind an active object in the binding editor, or retire the page.",
    check_objects,
)
UNITS = Rule(
    UNIT_RULE, 2, "Job type not allowed in the business unit", Severity.HIGH,
    "ServiceTitan lists, for each job type, the business units it may be booked in. A binding whose job type is "
    "not allowed in its business unit produces bookings ServiceTitan rejects or a dispatcher must redo.",
    "Pick a job type allowed in the business unit, or change the business unit.",
    check_units,
)
