"""Snapshots built by hand, so each rule is tested as the plain function it is (no database)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pagetojob.drift.rules import Detected, Rule
from pagetojob.drift.snapshot import ALL_FAMILIES, CapacityFacts, Item, PageFacts, Snapshot

TODAY = date(2026, 11, 29)


def item(family: str, id: int, name: str, active: bool = True, **fields: Any) -> Item:
    fields.setdefault("last_seen_at", datetime(2026, 11, 1, 12, 0))
    if "price" in fields and fields["price"] is not None:
        fields["price"] = Decimal(str(fields["price"]))
    if "member_price" in fields and fields["member_price"] is not None:
        fields["member_price"] = Decimal(str(fields["member_price"]))
    for key in ("zips", "cities"):
        if key in fields:
            fields[key] = tuple(fields[key])
    last_seen = fields.pop("last_seen_at")
    return Item(id, family, id * 10, name, active, last_seen, **fields)


def page(id: int, path: str, kind: str = "service", status: str | None = "approved", **fields: Any) -> PageFacts:
    values: dict[str, Any] = {
        "title": path, "city": "", "zips": [], "advertised_price": None, "offer_text": "", "offer_expires_on": None,
        "promises": [], "utm_campaign": "", "job_type_id": None, "business_unit_id": None, "campaign_id": None,
        "membership_type_id": None, "booking_provider_id": None, "approved_names": {}, "zone_ids": [],
        "service_ids": [],
    }
    values.update(fields)
    if values["advertised_price"] is not None:
        values["advertised_price"] = Decimal(str(values["advertised_price"]))
    binding_id = None if status is None else id + 1000
    return PageFacts(id=id, path=path, kind=kind, binding_id=binding_id, status=status, **values)


def rule_of(kind: str, id: int = 1, **fields: Any) -> CapacityFacts:
    values: dict[str, Any] = {"name": f"{kind} rule", "kind": kind, "business_unit_id": None, "job_type_id": None,
                              "zone_id": None, "weekdays": [], "starts_at": None, "ends_at": None, "same_day": False}
    values.update(fields)
    for key in ("starts_at", "ends_at"):
        if isinstance(values[key], str):
            values[key] = time.fromisoformat(values[key])
    return CapacityFacts(id=id, **values)


def snap(pages: list[PageFacts] = (), items: list[Item] = (), allowed: set[tuple[int, int]] = frozenset(),
         capacity: list[CapacityFacts] = (), latest: dict[str, datetime] | None = None,
         today: date = TODAY) -> Snapshot:
    grouped: dict[str, dict[int, Item]] = {family: {} for family in ALL_FAMILIES}
    for one in items:
        grouped[one.family][one.id] = one
    return Snapshot(1, today, list(pages), grouped, set(allowed), list(capacity), dict(latest or {}))


def run(rule: Rule, snapshot: Snapshot) -> list[Detected]:
    return list(rule.check(snapshot))
