"""Which ServiceTitan objects a booking request maps to, and where each mapping came from.

The page's binding as it stood when the visitor submitted (the request's `binding_snapshot`) decides first:
that is what the visitor was shown. Each object is then looked up in the workspace's taxonomy by its
ServiceTitan id, so an object deactivated since is caught before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import prefetch_related_objects

from pagetojob.handoff.payloads import PRIORITY_BY_URGENCY, URGENCY_WORDS, HandoffIds
from pagetojob.intake.models import BookingRequest, RequestStatus
from pagetojob.sites.models import Binding, BindingStatus
from pagetojob.taxonomy.models import BookingProvider, BusinessUnit, Campaign, JobType, PricebookService, ZoneState

LABELS = {"business_unit": "Business unit", "job_type": "Job type", "campaign": "Campaign", "zone": "Zone",
          "priority": "Priority", "booking_provider": "Booking provider", "pricebook_service": "Pricebook service"}
MODELS: dict[str, type[BusinessUnit] | type[JobType] | type[Campaign]] = {
    "business_unit": BusinessUnit, "job_type": JobType, "campaign": Campaign}
MISSING_EFFECT = {
    "business_unit": "ServiceTitan receives the request without one and the office must choose it.",
    "job_type": "ServiceTitan receives the request without one and the office must choose it.",
    "campaign": "ServiceTitan cannot credit this request to a marketing campaign.",
}


@dataclass(frozen=True)
class MappedObject:
    role: str
    label: str
    st_id: int | None
    name: str
    active: bool | None  # None: not a ServiceTitan list item (priority) or not found
    source: str  # where the mapping came from, in plain words
    note: str = ""

    @property
    def found(self) -> bool:
        return bool(self.name)


@dataclass
class Mapping:
    objects: list[MappedObject]
    items: dict[str, Any]  # role -> the taxonomy row behind it (when there is one)
    ids: HandoffIds
    warnings: list[tuple[str, str, bool]] = field(default_factory=list)  # (code, message, blocking)


def _binding(request: BookingRequest) -> Binding | None:
    if request.page_id is None:
        return None
    return Binding.objects.filter(page_id=request.page_id, workspace=request.workspace).first()


def _from_snapshot(request: BookingRequest, role: str, snapshot: dict[str, Any], mapping: Mapping
                   ) -> MappedObject | None:
    model = MODELS[role]
    status = snapshot.get("status") or "draft"
    source = f"page binding when submitted ({status})"
    st_id, name = snapshot.get(f"{role}_st_id"), snapshot.get(role)
    if st_id is not None:
        item = model._default_manager.filter(workspace=request.workspace, st_id=st_id).first()
        if item is None:
            mapping.warnings.append((f"{role}_gone", f"{LABELS[role]} “{name}” (ServiceTitan id {st_id}) is no "
                                     "longer in the workspace's ServiceTitan lists: re-import them or rebind the "
                                     "page.", False))
            return MappedObject(role, LABELS[role], st_id, name or "", None, source, "not in the imported lists")
        mapping.items[role] = item
        note = f"renamed since (was “{name}”)" if name and name != item.name else ""
        return MappedObject(role, LABELS[role], item.st_id, item.name, item.active, source, note)
    if name:
        item = model._default_manager.filter(workspace=request.workspace, name=name).first()
        mapping.items[role] = item
        mapping.warnings.append((f"{role}_no_id", f"{LABELS[role]} “{name}” has no ServiceTitan id (it was entered by "
                                 "hand): import it from ServiceTitan so the id is known.", False))
        return MappedObject(role, LABELS[role], None, name, item.active if item else None, source, "no ServiceTitan id")
    return None


def _fallback(request: BookingRequest, role: str, mapping: Mapping) -> MappedObject | None:
    """Without a bound object: the request's own job type, the job type's only unit, the visit's UTM campaign."""
    item: Any = None
    source = ""
    if role == "job_type" and request.job_type_id is not None:
        item, source = JobType.objects.filter(pk=request.job_type_id, workspace=request.workspace).first(), \
            "the request's job type"
    elif role == "business_unit" and mapping.items.get("job_type") is not None:
        units = list(mapping.items["job_type"].business_units.all()[:2])
        if len(units) == 1:
            item, source = units[0], "the job type's only business unit"
    elif role == "campaign" and (request.context or {}).get("utm_campaign"):
        utm = request.context["utm_campaign"]
        item = Campaign.objects.filter(workspace=request.workspace, name__iexact=utm).first()
        source = f"matched the visit's UTM campaign “{utm}”"
    if item is None:
        return None
    mapping.items[role] = item
    return MappedObject(role, LABELS[role], item.st_id, item.name, item.active, source,
                        "" if item.st_id is not None else "no ServiceTitan id")


def _booking_provider(request: BookingRequest, snapshot: dict[str, Any], setting_id: int | None,
                      mapping: Mapping) -> MappedObject:
    providers = BookingProvider.objects.filter(workspace=request.workspace)
    label = LABELS["booking_provider"]
    candidates = ((snapshot.get("booking_provider_st_id"), "page binding when submitted"),
                  (setting_id, "the workspace's booking provider setting"))
    for st_id, source in candidates:
        if st_id is None:
            continue
        item = providers.filter(st_id=st_id).first()
        if item is not None:
            mapping.items["booking_provider"] = item
            if not item.active:
                mapping.warnings.append(("booking_provider_inactive", f"Booking provider tag “{item.name}” is "
                                         "inactive in ServiceTitan: choose an active one for this page.", False))
            return MappedObject("booking_provider", label, item.st_id, item.name, item.active, source)
        return MappedObject("booking_provider", label, st_id, f"Booking provider {st_id}", None, source,
                            "not in the imported booking provider tags")
    active = [item for item in providers.filter(active=True, st_id__isnull=False)[:2]]
    if len(active) == 1:
        mapping.items["booking_provider"] = active[0]
        return MappedObject("booking_provider", label, active[0].st_id, active[0].name, True,
                            "the workspace's only booking provider tag")
    mapping.warnings.append(("booking_provider", "No booking provider tag is chosen for this page, so the booking "
                             "cannot be sent: choose one on the page's binding in the Titan Map.", True))
    return MappedObject("booking_provider", label, None, "", None,
                        "several tags, none chosen" if active else "no booking provider tags imported")


def _zone(request: BookingRequest, mapping: Mapping) -> MappedObject:
    zone = request.zone
    label = LABELS["zone"]
    if zone is None or zone.workspace_id != request.workspace_id:
        where = f"ZIP {request.zip}" if request.zip else "The address"
        mapping.warnings.append(("out_of_area", f"{where} is outside every service zone: the office should confirm "
                                 "it can serve this address before booking.", False))
        return MappedObject("zone", label, None, "", None, f"no zone lists ZIP {request.zip or '—'}")
    mapping.items["zone"] = zone
    source = f"ZIP {request.zip} is in this zone"
    if zone.state == ZoneState.PAUSED:
        mapping.warnings.append(("zone_paused", f"Zone “{zone.name}” is paused: the office is not taking new work "
                                 "there right now.", False))
    elif zone.state == ZoneState.EXPANSION:
        mapping.warnings.append(("zone_expansion", f"Zone “{zone.name}” is an expansion area, not yet served: "
                                 "treat this as out of area.", False))
    elif zone.state == ZoneState.EMERGENCY_ONLY and request.urgency != "emergency":
        mapping.warnings.append(("zone_emergency_only", f"Zone “{zone.name}” takes emergencies only, and this "
                                 "request is not one.", False))
    if not zone.active:
        mapping.warnings.append(("zone_inactive", f"Zone “{zone.name}” is inactive in ServiceTitan.", False))
    note = "" if zone.state == ZoneState.ACTIVE else zone.get_state_display()
    return MappedObject("zone", label, zone.st_id, zone.name, zone.active, source, note)


def _pricebook(request: BookingRequest, binding: Binding | None, mapping: Mapping) -> MappedObject:
    label = LABELS["pricebook_service"]
    services = list(binding.pricebook_services.all().order_by("name", "pk")) if binding is not None else []
    if not services:
        return MappedObject("pricebook_service", label, None, "", None, "no service bound to the page")
    wanted = (request.service or "").strip().lower()
    chosen = next((service for service in services if service.name.lower() == wanted), None)
    source = "page binding, matching the chosen service" if chosen else "page binding"
    chosen = chosen or services[0]
    note = f"one of {len(services)} bound" if len(services) > 1 else ""
    if isinstance(chosen, PricebookService) and chosen.price is not None:
        note = "; ".join(part for part in (f"${chosen.price}", note) if part)
    mapping.items["pricebook_service"] = chosen
    if not chosen.active:
        mapping.warnings.append(("pricebook_service_inactive", f"Pricebook service “{chosen.name}” is inactive: "
                                 "the page may advertise something the office no longer sells.", False))
    return MappedObject("pricebook_service", label, chosen.st_id, chosen.name, chosen.active, source, note)


def resolve_mapping(request: BookingRequest, *, booking_provider_id: int | None = None) -> Mapping:
    snapshot = request.binding_snapshot or {}
    binding = _binding(request)
    mapping = Mapping([], {}, HandoffIds())
    if request.page_id is None:
        mapping.warnings.append(("no_page", "The request did not come from a page PageToJob knows, so no page "
                                 "binding applies: add the page to the Titan Map.", False))
    elif snapshot and snapshot.get("status") != BindingStatus.APPROVED:
        mapping.warnings.append(("binding_not_approved", f"The page's binding was {snapshot.get('status') or 'draft'}"
                                 ", not approved, when this request came in: review it in the Titan Map.", False))
    objects: dict[str, MappedObject] = {}
    for role in ("job_type", "business_unit", "campaign"):
        found = _from_snapshot(request, role, snapshot, mapping) or _fallback(request, role, mapping)
        if found is None:
            mapping.warnings.append((f"{role}_missing", f"No {LABELS[role].lower()} is mapped: "
                                     + MISSING_EFFECT[role], False))
            found = MappedObject(role, LABELS[role], None, "", None, "not mapped")
        elif found.active is False:
            mapping.warnings.append((f"{role}_inactive", f"{LABELS[role]} “{found.name}” is inactive in ServiceTitan: "
                                     "bind the page to an active one; it is left out of what is sent.", False))
        objects[role] = found
        if role == "job_type" and mapping.items.get("job_type") is not None and mapping.items["job_type"].pk:
            # The unit fallback, the allowed-units check and the job plan all read these: one query.
            prefetch_related_objects([mapping.items["job_type"]], "business_units")
    job_type, unit = mapping.items.get("job_type"), mapping.items.get("business_unit")
    if job_type is not None and unit is not None and job_type.pk and unit.pk:
        allowed = list(job_type.business_units.all())
        if allowed and unit not in allowed:
            mapping.warnings.append(("job_type_not_in_unit", f"Job type “{job_type.name}” is not allowed in business "
                                     f"unit “{unit.name}” in ServiceTitan.", False))
    urgency = URGENCY_WORDS.get(request.urgency, request.urgency)
    priority = PRIORITY_BY_URGENCY.get(request.urgency, "Normal")
    objects["priority"] = MappedObject("priority", LABELS["priority"], None, priority, None,
                                       f"from the visitor's urgency “{urgency}”")
    objects["zone"] = _zone(request, mapping)
    objects["booking_provider"] = _booking_provider(request, snapshot, booking_provider_id, mapping)
    objects["pricebook_service"] = _pricebook(request, binding, mapping)
    if request.status == RequestStatus.OUT_OF_AREA and objects["zone"].found:
        mapping.warnings.append(("out_of_area", "This request was marked out of area when it arrived.", False))

    def usable(role: str) -> int | None:
        found = objects[role]
        return found.st_id if found.active is not False else None

    mapping.ids = HandoffIds(business_unit_id=usable("business_unit"), job_type_id=usable("job_type"),
                             campaign_id=usable("campaign"), priority=priority,
                             booking_provider_id=objects["booking_provider"].st_id)
    order = ("business_unit", "job_type", "campaign", "zone", "priority", "booking_provider", "pricebook_service")
    mapping.objects = [objects[role] for role in order]
    return mapping
