"""Rules 4 and 5: pages offering service where no active zone books it, and active zones without a page."""

from __future__ import annotations

from collections.abc import Iterator

from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule, described
from pagetojob.drift.service_areas import Claim, ZoneIndex, build_index, claim_of, serving, zones_of_location_pages
from pagetojob.drift.snapshot import Item, PageFacts, Snapshot
from pagetojob.sites.models import CapacityKind
from pagetojob.taxonomy.models import ZoneState

AREA_RULE = "outside_active_zones"
GAP_RULE = "zone_without_page"


def _zone_line(zone: Item) -> str:
    state = "inactive in ServiceTitan" if not zone.active else ZoneState(zone.state).label
    return f"Zone {described(zone)}: {state}"


def _paused(snapshot: Snapshot, page: PageFacts, zone: Item, claim: Claim) -> Detected:
    evidence = [_zone_line(zone)]
    if claim.has_claim:
        evidence.append(f"The page offers service in: {claim.label()}")
    if zone.id in page.zone_ids:
        evidence.append("The page's binding includes this zone")
    rule = next((r for r in snapshot.capacity if r.kind == CapacityKind.ZONE_PAUSE and r.zone_id == zone.id), None)
    if rule:
        evidence.append(f"Capacity rule “{rule.name}” pauses it")
    return Detected(
        AREA_RULE, Severity.HIGH,
        f"The page promotes “{zone.name}”, a paused zone: visitors are invited to book work that will not be "
        "scheduled.",
        "Show the paused message (CTA mode paused) or take the page down until the zone is active again; unbind "
        "the zone if the page should not serve it.",
        page, zone, aspect="paused", evidence=evidence)


def _outside(index: ZoneIndex, page: PageFacts, claim: Claim) -> Iterator[Detected]:
    zones = [index.zones[zid] for zid in sorted(claim.covering) if index.zones[zid].active]
    states = {zone.state for zone in zones}
    where = claim.label()
    evidence = [f"The page offers service in: {where}"]
    if claim.not_zips:
        evidence.append(f"Not US ZIP codes: {', '.join(claim.not_zips)}")
    if ZoneState.EMERGENCY_ONLY in states:
        if "emergency" in page.promises:
            return
        zone = next(z for z in zones if z.state == ZoneState.EMERGENCY_ONLY)
        yield Detected(
            AREA_RULE, Severity.MEDIUM,
            f"The page offers routine service in {where}, where the zone “{zone.name}” takes emergencies only.",
            "Make the page emergency-only (CTA mode call now, emergency wording), or serve the area fully in "
            "ServiceTitan.",
            page, zone, aspect="emergency_only", evidence=[*evidence, _zone_line(zone)])
    elif ZoneState.EXPANSION in states:
        zone = next(z for z in zones if z.state == ZoneState.EXPANSION)
        yield Detected(
            AREA_RULE, Severity.MEDIUM,
            f"The page offers service in {where}, which only the expansion zone “{zone.name}” covers: it is not "
            "served yet.",
            "Keep the page unpublished or phone-first until the zone becomes active in ServiceTitan.",
            page, zone, aspect="expansion", evidence=[*evidence, _zone_line(zone)])
    else:
        evidence.append("No zone covers these ZIPs or this city" if not zones else
                        "Only inactive zones cover it")
        yield Detected(
            AREA_RULE, Severity.HIGH,
            f"The page offers service in {where}, outside every active zone: ServiceTitan cannot book it.",
            "Remove the page or its booking form, or add these ZIPs to an active zone in ServiceTitan if you now "
            "serve them.",
            page, None, aspect="outside", evidence=evidence)


def check_areas(snapshot: Snapshot) -> Iterator[Detected]:
    index = build_index(snapshot)
    for page in snapshot.live_pages:
        claim = claim_of(index, page)
        paused = {zid for zid in page.zone_ids
                  if zid in index.zones and index.zones[zid].active and index.zones[zid].state == ZoneState.PAUSED}
        if claim.has_claim:
            if not any(serving(index.zones[zid]) for zid in claim.covering):
                claimed_paused = {zid for zid in claim.covering if index.zones[zid].active
                                  and index.zones[zid].state == ZoneState.PAUSED}
                if claimed_paused:
                    paused |= claimed_paused
                else:
                    yield from _outside(index, page, claim)
            elif claim.uncovered:
                yield Detected(
                    AREA_RULE, Severity.MEDIUM,
                    f"The page lists {len(claim.uncovered)} ZIP{'s' if len(claim.uncovered) != 1 else ''} that no "
                    f"active zone covers: {', '.join(claim.uncovered[:8])}"
                    + (" …" if len(claim.uncovered) > 8 else "") + ".",
                    "Remove those ZIPs from the page, or add them to an active zone in ServiceTitan.",
                    page, None, aspect="zips",
                    evidence=[f"Listed ZIPs: {', '.join(claim.zips + claim.not_zips)}",
                              f"Not covered by an active zone: {', '.join(claim.uncovered)}"])
        for zone_id in sorted(paused):
            yield _paused(snapshot, page, index.zones[zone_id], claim)


def check_gaps(snapshot: Snapshot) -> Iterator[Detected]:
    index = build_index(snapshot)
    pages_by_zone = zones_of_location_pages(index, snapshot)
    for zone in sorted(index.zones.values(), key=lambda z: z.name):
        if not serving(zone) or pages_by_zone.get(zone.id):
            continue
        places_text = ", ".join(zone.cities[:4]) or ", ".join(zone.zips[:6]) or "no cities or ZIPs listed"
        yield Detected(
            GAP_RULE, Severity.INFO,
            f"No location page covers the active zone “{zone.name}” ({places_text}).",
            f"Publish a service-area page for {zone.cities[0] if zone.cities else zone.name} and bind it to the zone, "
            "so local searches there can book.",
            None, zone, aspect="no_page",
            evidence=[_zone_line(zone), f"Cities: {', '.join(zone.cities) or '—'}",
                      f"ZIPs: {len(zone.zips)}", "Location pages bound to it or claiming a place in it: none"])


AREAS = Rule(
    AREA_RULE, 4, "Page outside the active zones", Severity.HIGH,
    "A page that names a city or ZIPs must fall inside a zone ServiceTitan books routine work in. Pages whose "
    "place is outside every zone, only in an expansion or emergency-only zone, that list ZIPs no active zone "
    "covers, or that promote a paused zone invite bookings ServiceTitan cannot schedule. City ZIPs come from an "
    "offline US ZIP data set.",
    "Fix the page's place or its booking form, or change the zones in ServiceTitan.",
    check_areas,
)
GAPS = Rule(
    GAP_RULE, 5, "Active zone with no location page", Severity.INFO,
    "An active zone that no live location page is bound to or names a place in: a coverage gap where local "
    "searches find no page that can book. Informational.",
    "Publish a service-area page for the zone and bind it.",
    check_gaps,
)
