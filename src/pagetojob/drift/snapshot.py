"""Everything a drift review compares, read once per review: one query per table, whatever the page count.

Rows are loaded as plain values into small slotted records, so a 10,000-page workspace with 50,000
taxonomy items stays well inside the memory a worker should use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Max

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


PAGE_FIELDS = ("id", "path", "title", "kind", "city", "zips", "advertised_price", "offer_text", "offer_expires_on",
               "promises", "utm_campaign", "binding_id", "status", "job_type_id", "business_unit_id", "campaign_id",
               "membership_type_id", "booking_provider_id", "approved_names")


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
        return [page for page in self.pages if page.live]

    def item(self, family: str, item_id: int | None) -> Item | None:
        return self.items[family].get(item_id) if item_id is not None else None

    @property
    def objects_checked(self) -> int:
        return sum(len(items) for items in self.items.values())


def _items(model: Any, family: str, workspace: Workspace, extra: tuple[str, ...] = ()) -> dict[int, Item]:
    columns = ("id", "st_id", "name", "active", "last_seen_at", *extra)
    items: dict[int, Item] = {}
    for row in model._default_manager.filter(workspace=workspace).values_list(*columns):
        fields = dict(zip(extra, row[5:], strict=True))
        if "zips" in fields:
            fields["zips"] = tuple(str(z) for z in fields["zips"] or ())
            fields["cities"] = tuple(str(c) for c in fields["cities"] or ())
        if "membership_type" in fields:
            fields["membership_type_id"] = fields.pop("membership_type")
        items[row[0]] = Item(row[0], family, row[1], row[2], row[3], row[4], **fields)
    return items


ALL_FAMILIES = ("job-types", "business-units", "campaigns", "zones", "pricebook-services", "membership-types",
                "recurring-service-types", "booking-providers")


def load(workspace: Workspace, today: date, families: tuple[str, ...] = ALL_FAMILIES) -> Snapshot:
    """Read the workspace; `families` limits the taxonomy read (the zone review needs only zones)."""
    page_columns = (
        "id", "path", "title", "kind", "city", "zips", "advertised_price", "offer_text", "offer_expires_on",
        "promises", "utm_campaign", "binding__id", "binding__status", "binding__job_type_id",
        "binding__business_unit_id", "binding__campaign_id", "binding__membership_type_id",
        "binding__booking_provider_id", "binding__approved_names",
    )
    pages: list[PageFacts] = []
    by_binding: dict[int, PageFacts] = {}
    # Pages a sitemap re-import no longer lists are off the site: they promise nothing.
    rows = (Page.objects.filter(workspace=workspace, missing_since__isnull=True).order_by("path", "id")
            .values_list(*page_columns))
    for row in rows:
        values = dict(zip(PAGE_FIELDS, row, strict=True))
        values["zips"] = list(values["zips"] or [])
        values["promises"] = list(values["promises"] or [])
        values["approved_names"] = dict(values["approved_names"] or {})
        page = PageFacts(**values)
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

    readers = {
        "job-types": lambda: _items(JobType, "job-types", workspace),
        "business-units": lambda: _items(BusinessUnit, "business-units", workspace),
        "campaigns": lambda: _items(Campaign, "campaigns", workspace),
        "zones": lambda: _items(Zone, "zones", workspace, ("state", "zips", "cities")),
        "pricebook-services": lambda: _items(PricebookService, "pricebook-services", workspace,
                                             ("code", "price", "member_price")),
        "membership-types": lambda: _items(MembershipType, "membership-types", workspace, ("price",)),
        "recurring-service-types": lambda: _items(RecurringServiceType, "recurring-service-types", workspace,
                                                  ("membership_type",)),
        "booking-providers": lambda: _items(BookingProvider, "booking-providers", workspace),
    }
    items: dict[str, dict[int, Item]] = {family: readers[family]() if family in families else {}
                                         for family in ALL_FAMILIES}
    if families != ALL_FAMILIES:
        return Snapshot(workspace.pk, today, pages, items, set(), [], {})
    allowed = set(JobType.business_units.through.objects.filter(jobtype__workspace=workspace)
                  .values_list("jobtype_id", "businessunit_id"))
    capacity = [
        CapacityFacts(*row[:6], list(row[6] or []), *row[7:])
        for row in CapacityRule.objects.filter(workspace=workspace, active=True).values_list(
            "id", "name", "kind", "business_unit_id", "job_type_id", "zone_id", "weekdays", "starts_at", "ends_at",
            "same_day")
    ]
    imports = (ImportBatch.objects.filter(workspace=workspace, status=BatchStatus.APPLIED, applied_at__isnull=False)
               .values_list("family").annotate(at=Max("applied_at")).order_by())
    latest: dict[str, datetime] = dict(imports)
    return Snapshot(workspace.pk, today, pages, items, allowed, capacity, latest)
