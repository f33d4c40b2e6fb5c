"""Where pages say they work against where zones let ServiceTitan book: shared by rules 4 and 5 and the
zone review screen.

A zone covers its own ZIPs and every standard ZIP of the cities it lists. A page's claim is its ZIPs, or,
when it names only a city, that city's standard ZIPs and the city name itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pagetojob.drift import places
from pagetojob.drift.snapshot import Item, PageFacts, Snapshot
from pagetojob.taxonomy.models import ZoneState


def serving(zone: Item) -> bool:
    """A zone ServiceTitan books routine work in: active in ServiceTitan and in the active state."""
    return zone.active and zone.state == ZoneState.ACTIVE


@dataclass
class ZoneIndex:
    zones: dict[int, Item]
    states: list[str]
    by_zip: dict[str, set[int]]
    by_city: dict[str, set[tuple[int, str]]]  # city name -> (zone id, the state the zone names, or "")
    claims: dict[int, Claim] = field(default_factory=dict)  # page id -> its claim, worked out once

    def zones_named(self, city: str) -> set[int]:
        """Zones listing this city; "Mesa, AZ" does not match a zone that lists "Mesa, NM"."""
        name, state = places.split_city(city)
        return {zone_id for zone_id, zone_state in self.by_city.get(places.city_key(name), set())
                if not state or not zone_state or state == zone_state}


@dataclass
class Claim:
    """What one page claims and which zones that claim falls in."""

    page: PageFacts
    zips: list[str]  # the ZIPs claimed (the page's own, or its city's)
    explicit: bool  # the page lists its ZIPs (rather than only a city)
    not_zips: list[str] = field(default_factory=list)  # values the page lists that are not real US ZIPs
    covering: set[int] = field(default_factory=set)  # zones covering any part of the claim
    uncovered: list[str] = field(default_factory=list)  # listed ZIPs no serving zone covers

    @property
    def has_claim(self) -> bool:
        return bool(self.zips or self.page.city or self.not_zips)

    def label(self, limit: int = 6) -> str:
        city = self.page.city
        shown = ", ".join(self.zips[:limit]) + (f" and {len(self.zips) - limit} more" if len(self.zips) > limit else "")
        if city and self.explicit and shown:
            return f"{city} ({shown})"
        return city or shown or ", ".join(self.not_zips)


def build_index(snapshot: Snapshot) -> ZoneIndex:
    cached = snapshot.derived.get("zone_index")
    if cached is not None:
        return cached
    zones = snapshot.items["zones"]
    states = places.states_of(z for zone in zones.values() for z in zone.zips)
    by_zip: dict[str, set[int]] = defaultdict(set)
    by_city: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for zone in zones.values():
        for zip_code in zone.zips:
            cleaned = places.clean_zip(zip_code)
            if cleaned:
                by_zip[cleaned].add(zone.id)
        for city in zone.cities:
            name, state = places.split_city(city)
            by_city[places.city_key(name)].add((zone.id, state))
            for zip_code in places.city_zips(city, states):
                by_zip[zip_code].add(zone.id)
    index = ZoneIndex(zones, states, by_zip, by_city)
    snapshot.derived["zone_index"] = index
    return index


def claim_of(index: ZoneIndex, page: PageFacts) -> Claim:
    cached = index.claims.get(page.id)
    if cached is None:
        cached = index.claims[page.id] = _claim(index, page)
    return cached


def _claim(index: ZoneIndex, page: PageFacts) -> Claim:
    listed = [str(value).strip() for value in page.zips if str(value).strip()]
    zips = [places.clean_zip(value) for value in listed]
    real = [z for z in dict.fromkeys(zips) if z and places.zip_place(z)]
    not_zips = [value for value, cleaned in zip(listed, zips, strict=True)
                if not cleaned or not places.zip_place(cleaned)]
    claim = Claim(page, real, explicit=bool(listed), not_zips=not_zips)
    if not listed and page.city:
        claim.zips = sorted(places.city_zips(page.city, index.states))
    for zip_code in claim.zips:
        claim.covering |= index.by_zip.get(zip_code, set())
    if page.city:
        claim.covering |= index.zones_named(page.city)
    if claim.explicit:
        served = {z for z in claim.zips if any(serving(index.zones[zid]) for zid in index.by_zip.get(z, ()))}
        claim.uncovered = [z for z in claim.zips if z not in served] + not_zips
    return claim


def zones_of_location_pages(index: ZoneIndex, snapshot: Snapshot) -> dict[int, list[PageFacts]]:
    """zone id -> the live location pages bound to it or claiming a place inside it."""
    pages_by_zone: dict[int, list[PageFacts]] = defaultdict(list)
    for page in snapshot.live_pages:
        if page.kind != "location":
            continue
        zone_ids = set(page.zone_ids) | claim_of(index, page).covering
        for zone_id in zone_ids:
            if zone_id in index.zones:
                pages_by_zone[zone_id].append(page)
    return pages_by_zone
