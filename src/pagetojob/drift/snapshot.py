"""Everything a drift review compares, read once per review: one query per table, whatever the page count
(and one more per family with an applied import, for the items that export left out).

Rows are loaded as plain values into small slotted records; the large families (job types, pricebook
services, membership types, booking providers) only as far as bindings use them. A 10,000-page workspace
with 50,000 taxonomy items stays well inside the memory a worker should use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Max, OuterRef, TextField
from django.db.models.functions import Cast

from pagetojob.accounts.models import Workspace
from pagetojob.sites.models import Binding, BindingStatus, CapacityRule, Page
from pagetojob.taxonomy.models import (
    BatchStatus,
    BookingProvider,
    BusinessUnit,
    Campaign,
    ImportBatch,
    JobType,
    MembershipType,
    PricebookService,
    RecurringServiceType,
    Zone,
)

# Binding field -> (taxonomy family key of the importer, label a person reads)
SINGLE_OBJECTS: dict[str, tuple[str, str]] = {
    "job_type": ("job-types", "job type"),
    "business_unit": ("business-units", "business unit"),
    "campaign": ("campaigns", "campaign"),
    "membership_type": ("membership-types", "membership type"),
    "booking_provider": ("booking-providers", "booking provider"),
}
MULTI_OBJECTS: dict[str, tuple[str, str]] = {
    "zones": ("zones", "zone"),
    "pricebook_services": ("pricebook-services", "pricebook service"),
}
FAMILY_LABELS = {family: label for family, label in [*SINGLE_OBJECTS.values(), *MULTI_OBJECTS.values()]}
FAMILY_LABELS["recurring-service-types"] = "recurring service type"


@dataclass(slots=True)
class Item:
    """One taxonomy object, with the few family-specific fields the rules read."""

    id: int
    family: str
    st_id: int | None
    name: str
    active: bool
    last_seen_at: datetime | None
    code: str = ""
    price: Decimal | None = None
    member_price: Decimal | None = None
    state: str = ""
    zips: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    membership_type_id: int | None = None


@dataclass(slots=True)
class PageFacts:
    id: int
    path: str
    title: str
    kind: str
    city: str
    zips: list[str]
    advertised_price: Decimal | None
    offer_text: str
    offer_expires_on: date | None
    promises: list[str]
    utm_campaign: str
    binding_id: int | None
    status: str | None
    job_type_id: int | None
    business_unit_id: int | None
    campaign_id: int | None
    membership_type_id: int | None
    booking_provider_id: int | None
    approved_names: dict[str, Any]
    zone_ids: list[int] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """On the site and not retired from the map."""
        return self.status != BindingStatus.RETIRED

    def object_id(self, name: str) -> int | None:
        return getattr(self, f"{name}_id")


@dataclass(slots=True)
class CapacityFacts:
    id: int
    name: str
    kind: str
    business_unit_id: int | None
    job_type_id: int | None
    zone_id: int | None
    weekdays: list[int]
    starts_at: time | None
    ends_at: time | None
    same_day: bool


@dataclass
class Snapshot:
    workspace_id: int
    today: date
    pages: list[PageFacts]
    items: dict[str, dict[int, Item]]  # family key -> id -> item
    allowed: set[tuple[int, int]]  # (job type id, business unit id)
    capacity: list[CapacityFacts]
    latest_import: dict[str, datetime]  # family key -> when its newest applied import was applied
    derived: dict[str, Any] = field(default_factory=dict)  # what several rules compute once (the zone index)

    @property
    def live_pages(self) -> list[PageFacts]:
        live = self.derived.get("live_pages")
        if live is None:
            live = self.derived["live_pages"] = [page for page in self.pages if page.live]
        return live

    def item(self, family: str, item_id: int | None) -> Item | None:
        return self.items[family].get(item_id) if item_id is not None else None

    @property
    def objects_checked(self) -> int:
        return sum(len(items) for items in self.items.values())


def _items(model: Any, family: str, workspace: Workspace, extra: tuple[str, ...] = (),
           bound: Exists | None = None) -> dict[int, Item]:
    """One family's items; `bound` narrows a large family (a 30,000-row pricebook) to what bindings use."""
    columns = ("id", "st_id", "name", "active", *extra)
    rows = model._default_manager.filter(workspace=workspace)
    if bound is not None:
        rows = rows.filter(bound)
    items: dict[int, Item] = {}
    for row in rows.values_list(*columns):
        fields = dict(zip(extra, row[4:], strict=True))
        if "zips" in fields:
            fields["zips"] = tuple(str(z) for z in fields["zips"] or ())
            fields["cities"] = tuple(str(c) for c in fields["cities"] or ())
        if "membership_type" in fields:
            fields["membership_type_id"] = fields.pop("membership_type")
        items[row[0]] = Item(row[0], family, row[1], row[2], row[3], None, **fields)
    return items


def _json(text: str | None, empty: type) -> Any:
    if not text or text in ("[]", "{}", "null"):
        return empty()
    value = json.loads(text)
    return value if isinstance(value, empty) else empty()


def _mark_missing(model: Any, items: dict[int, Item], workspace: Workspace, since: datetime) -> None:
    """Items the newest applied export of their family left out: last seen before it was applied."""
    for pk, seen in model._default_manager.filter(workspace=workspace, last_seen_at__lt=since).values_list(
            "pk", "last_seen_at"):
        if pk in items:
            items[pk].last_seen_at = seen


ALL_FAMILIES = ("job-types", "business-units", "campaigns", "zones", "pricebook-services", "membership-types",
                "recurring-service-types", "booking-providers")


def load(workspace: Workspace, today: date, families: tuple[str, ...] = ALL_FAMILIES) -> Snapshot:
    """Read the workspace; `families` limits the taxonomy read (the zone review needs only zones)."""
    # JSON columns come back as text and are decoded here: most are "[]" or "{}", which need no parser.
    as_text = {name: Cast(name, TextField()) for name in ("zips", "promises", "binding__approved_names")}
    page_columns = (
        "id", "path", "title", "kind", "city", "zips_text", "advertised_price", "offer_text", "offer_expires_on",
        "promises_text", "utm_campaign", "binding__id", "binding__status", "binding__job_type_id",
        "binding__business_unit_id", "binding__campaign_id", "binding__membership_type_id",
        "binding__booking_provider_id", "names_text",
    )
    pages: list[PageFacts] = []
    by_binding: dict[int, PageFacts] = {}
    # Pages a sitemap re-import no longer lists are off the site: they promise nothing.
    rows = (Page.objects.filter(workspace=workspace, missing_since__isnull=True)
            .annotate(zips_text=as_text["zips"], promises_text=as_text["promises"],
                      names_text=as_text["binding__approved_names"])
            .order_by("path", "id").values_list(*page_columns))
    for row in rows:
        page = PageFacts(*row[:5], _json(row[5], list), *row[6:9], _json(row[9], list),  # type: ignore[call-arg]
                         *row[10:18], _json(row[18], dict))
        pages.append(page)
        if page.binding_id is not None:
            by_binding[page.binding_id] = page
    zone_links = Binding.zones.through.objects.filter(binding__workspace=workspace)
    for binding_id, zone_id in zone_links.values_list("binding_id", "zone_id"):
        if binding_id in by_binding:
            by_binding[binding_id].zone_ids.append(zone_id)
    service_links = Binding.pricebook_services.through.objects.filter(binding__workspace=workspace)
    for binding_id, service_id in service_links.values_list("binding_id", "pricebookservice_id"):
        if binding_id in by_binding:
            by_binding[binding_id].service_ids.append(service_id)

    imports = (ImportBatch.objects.filter(workspace=workspace, status=BatchStatus.APPLIED, applied_at__isnull=False)
               .values_list("family").annotate(at=Max("applied_at")).order_by())
    latest: dict[str, datetime] = dict(imports)
    through_services = Binding.pricebook_services.through
    in_use = {  # the big families are read only as far as bindings use them
        "job-types": Exists(Binding.objects.filter(job_type=OuterRef("pk"))),
        "pricebook-services": Exists(through_services.objects.filter(pricebookservice=OuterRef("pk"))),
        "membership-types": Exists(Binding.objects.filter(membership_type=OuterRef("pk"))),
        "recurring-service-types": Exists(Binding.objects.filter(membership_type=OuterRef("membership_type"))),
        "booking-providers": Exists(Binding.objects.filter(booking_provider=OuterRef("pk"))),
    }
    specs: dict[str, tuple[Any, tuple[str, ...]]] = {
        "job-types": (JobType, ()),
        "business-units": (BusinessUnit, ()),
        "campaigns": (Campaign, ()),
        "zones": (Zone, ("state", "zips", "cities")),
        "pricebook-services": (PricebookService, ("code", "price", "member_price")),
        "membership-types": (MembershipType, ("price",)),
        "recurring-service-types": (RecurringServiceType, ("membership_type",)),
        "booking-providers": (BookingProvider, ()),
    }
    items: dict[str, dict[int, Item]] = {}
    for family in ALL_FAMILIES:
        model, extra = specs[family]
        items[family] = _items(model, family, workspace, extra, in_use.get(family)) if family in families else {}
        if family in latest and items[family]:
            _mark_missing(model, items[family], workspace, latest[family])
    if families != ALL_FAMILIES:
        return Snapshot(workspace.pk, today, pages, items, set(), [], latest)
    allowed = set(JobType.business_units.through.objects.filter(jobtype__workspace=workspace)
                  .values_list("jobtype_id", "businessunit_id"))
    capacity = [
        CapacityFacts(*row[:6], list(row[6] or []), *row[7:])
        for row in CapacityRule.objects.filter(workspace=workspace, active=True).values_list(
            "id", "name", "kind", "business_unit_id", "job_type_id", "zone_id", "weekdays", "starts_at", "ends_at",
            "same_day")
    ]
    return Snapshot(workspace.pk, today, pages, items, allowed, capacity, latest)
