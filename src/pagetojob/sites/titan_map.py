"""The Titan Map list: filtering, sorting and CSV export over a workspace's pages and bindings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from pagetojob.accounts.models import Workspace
from pagetojob.sites.coverage import GAPS, GAPS_BY_KEY, any_gap, fully_bound, page_gaps, with_gap_flags
from pagetojob.sites.models import BindingStatus, Page, PageKind
from pagetojob.taxonomy.models import PricebookService, Zone

SORTS = {
    "path": "path",
    "-path": "-path",
    "kind": "kind",
    "-kind": "-kind",
    "status": "binding__status",
    "-status": "-binding__status",
    "job_type": "binding__job_type__name",
    "-job_type": "-binding__job_type__name",
    "business_unit": "binding__business_unit__name",
    "-business_unit": "-binding__business_unit__name",
    "updated": "binding__updated_at",
    "-updated": "-binding__updated_at",
}
OBJECT_FILTERS = {
    "job_type": "binding__job_type",
    "business_unit": "binding__business_unit",
    "campaign": "binding__campaign",
    "zone": "binding__zones",
    "pricebook_service": "binding__pricebook_services",
    "membership_type": "binding__membership_type",
}


@dataclass
class MapFilters:
    kind: str = ""
    status: str = ""
    gap: str = ""
    q: str = ""
    sort: str = "path"
    object_field: str = ""
    object_id: int | None = None

    @classmethod
    def from_params(cls, params) -> MapFilters:
        object_id = params.get("object_id", "")
        return cls(
            kind=params.get("kind", "") if params.get("kind", "") in PageKind.values else "",
            status=params.get("status", "") if params.get("status", "") in BindingStatus.values else "",
            gap=params.get("gap", "") if params.get("gap", "") in (*GAPS_BY_KEY, "any", "none") else "",
            q=params.get("q", "").strip()[:200],
            sort=params.get("sort", "path") if params.get("sort", "path") in SORTS else "path",
            object_field=params.get("object", "") if params.get("object", "") in OBJECT_FILTERS else "",
            object_id=int(object_id) if str(object_id).isdigit() and len(str(object_id)) < 18 else None,
        )

    def as_query(self, **overrides: str) -> str:
        from urllib.parse import urlencode

        values = {"kind": self.kind, "status": self.status, "gap": self.gap, "q": self.q, "sort": self.sort,
                  "object": self.object_field, "object_id": self.object_id or ""}
        values.update(overrides)
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})


def map_pages(workspace: Workspace, filters: MapFilters) -> QuerySet[Page]:
    pages = Page.objects.filter(workspace=workspace)
    if filters.kind:
        pages = pages.filter(kind=filters.kind)
    if filters.status:
        pages = pages.filter(binding__status=filters.status)
    if filters.gap == "any":
        pages = pages.exclude(binding__status=BindingStatus.RETIRED).filter(any_gap())
    elif filters.gap == "none":
        pages = pages.filter(fully_bound())
    elif filters.gap:
        pages = pages.exclude(binding__status=BindingStatus.RETIRED).filter(GAPS_BY_KEY[filters.gap].condition())
    if filters.q:
        pages = pages.filter(Q(path__icontains=filters.q) | Q(title__icontains=filters.q))
    if filters.object_field and filters.object_id:
        pages = pages.filter(**{OBJECT_FILTERS[filters.object_field]: filters.object_id}).distinct()
    return pages.order_by(SORTS[filters.sort], "pk")


def with_rows(pages: QuerySet[Page]) -> QuerySet[Page]:
    """Everything a row shows, in a fixed number of queries."""
    return with_gap_flags(pages).select_related(
        "site", "binding", "binding__job_type", "binding__business_unit", "binding__campaign",
        "binding__membership_type", "binding__booking_provider",
    ).prefetch_related(
        Prefetch("binding__zones", queryset=Zone.objects.only("id", "name", "active", "state")),
        Prefetch("binding__pricebook_services", queryset=PricebookService.objects.only("id", "name", "code", "active")),
    )


EXPORT_COLUMNS = [
    "page_url", "path", "title", "kind", "status", "job_type", "job_type_st_id", "business_unit",
    "business_unit_st_id", "campaign", "campaign_st_id", "zones", "pricebook_services", "membership_type",
    "booking_provider", "booking_path", "scheduler_id", "cta_mode", "gaps", "approved_at",
]


def _name_and_id(item) -> tuple[str, str]:
    if item is None:
        return "", ""
    return item.name, str(item.st_id or "")


def export_rows(workspace: Workspace, filters: MapFilters) -> Iterator[str]:
    """Yield the map as CSV text, chunk by chunk, so a large site streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    pages = with_rows(map_pages(workspace, filters))
    for page in pages.iterator(chunk_size=500):
        binding = page.binding
        job_type, job_type_id = _name_and_id(binding.job_type)
        unit, unit_id = _name_and_id(binding.business_unit)
        campaign, campaign_id = _name_and_id(binding.campaign)
        writer.writerow([
            page.url, page.path, page.title, page.kind, binding.status, job_type, job_type_id, unit, unit_id,
            campaign, campaign_id,
            "; ".join(zone.name for zone in binding.zones.all()),
            "; ".join(f"{service.code} {service.name}".strip() for service in binding.pricebook_services.all()),
            binding.membership_type.name if binding.membership_type else "",
            binding.booking_provider.name if binding.booking_provider else "",
            binding.booking_path, binding.scheduler_id, binding.cta_mode,
            "; ".join(gap.label for gap in page_gaps(page)),
            binding.approved_at.isoformat() if binding.approved_at else "",
        ])
        if buffer.tell() > 32_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


GAP_CHOICES = [(gap.key, gap.label) for gap in GAPS]
