"""Coverage and mapping gaps, computed in SQL so they cost the same few queries at any size.

A page is fully bound when its binding is approved, has every object its kind requires, binds only
active objects, and its job type is allowed in its business unit. Retired pages are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from pagetojob.accounts.models import Workspace
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind
from pagetojob.taxonomy.models import JobType

# What each page kind must be bound to before it counts as covered.
REQUIRED: dict[str, tuple[str, ...]] = {
    PageKind.SERVICE: ("job_type", "business_unit"),
    PageKind.LOCATION: ("business_unit", "zones"),
    PageKind.CAMPAIGN: ("job_type", "business_unit", "campaign"),
    PageKind.OFFER: ("job_type", "business_unit", "pricebook_services"),
    PageKind.MEMBERSHIP: ("membership_type",),
    PageKind.HOME: ("business_unit",),
    PageKind.OTHER: (),
}

FIELD_LABELS = {
    "job_type": "job type",
    "business_unit": "business unit",
    "campaign": "campaign",
    "zones": "zone",
    "pricebook_services": "pricebook service",
    "membership_type": "membership type",
}


def kinds_requiring(field: str) -> list[str]:
    return [kind for kind, fields in REQUIRED.items() if field in fields]


def _has_active(relation: str) -> Exists:
    through = getattr(Binding, relation).through
    target = "zone" if relation == "zones" else "pricebookservice"
    return Exists(through.objects.filter(binding_id=OuterRef("binding__id"), **{f"{target}__active": True}))


def _has_inactive(relation: str) -> Exists:
    through = getattr(Binding, relation).through
    target = "zone" if relation == "zones" else "pricebookservice"
    return Exists(through.objects.filter(binding_id=OuterRef("binding__id"), **{f"{target}__active": False}))


def _job_type_allowed() -> Exists:
    through = JobType.business_units.through
    return Exists(
        through.objects.filter(jobtype_id=OuterRef("binding__job_type_id"),
                               businessunit_id=OuterRef("binding__business_unit_id"))
    )


@dataclass(frozen=True)
class Gap:
    key: str
    label: str
    fix: str

    def condition(self) -> Q:
        return GAP_CONDITIONS[self.key]()


def _missing(field: str) -> Q:
    kinds = kinds_requiring(field)
    if field in ("zones", "pricebook_services"):
        return Q(kind__in=kinds) & ~Q(_has_active(field))
    return Q(kind__in=kinds) & Q(**{f"binding__{field}__isnull": True})


GAP_CONDITIONS = {
    "not_approved": lambda: Q(binding__status__in=[BindingStatus.DRAFT, BindingStatus.SUGGESTED]),
    "missing_job_type": lambda: _missing("job_type"),
    "missing_business_unit": lambda: _missing("business_unit"),
    "missing_campaign": lambda: _missing("campaign"),
    "missing_zones": lambda: _missing("zones"),
    "missing_pricebook_services": lambda: _missing("pricebook_services"),
    "missing_membership_type": lambda: _missing("membership_type"),
    "inactive_object": lambda: (
        Q(binding__job_type__active=False) | Q(binding__business_unit__active=False)
        | Q(binding__campaign__active=False) | Q(binding__membership_type__active=False)
        | Q(binding__booking_provider__active=False) | Q(_has_inactive("zones"))
        | Q(_has_inactive("pricebook_services"))
    ),
    "job_type_not_allowed": lambda: (
        Q(binding__job_type__isnull=False, binding__business_unit__isnull=False) & ~Q(_job_type_allowed())
    ),
}

GAPS: tuple[Gap, ...] = (
    Gap("not_approved", "Binding not approved", "Review the binding and approve it."),
    Gap("missing_job_type", "No job type", "Choose the job type this page books."),
    Gap("missing_business_unit", "No business unit", "Choose the business unit that does this work."),
    Gap("missing_campaign", "No campaign", "Bind the campaign this landing page belongs to."),
    Gap("missing_zones", "No active zone", "Bind the zone(s) this page serves."),
    Gap("missing_pricebook_services", "No pricebook service", "Bind the pricebook service the offer sells."),
    Gap("missing_membership_type", "No membership type", "Bind the membership type this page sells."),
    Gap("inactive_object", "Bound to an inactive object", "Replace the inactive object with an active one."),
    Gap("job_type_not_allowed", "Job type not allowed in business unit",
        "Pick a job type allowed in the business unit, or change the business unit."),
)
GAPS_BY_KEY = {gap.key: gap for gap in GAPS}


def live_pages(workspace: Workspace) -> QuerySet[Page]:
    return Page.objects.filter(workspace=workspace).exclude(binding__status=BindingStatus.RETIRED)


def any_gap() -> Q:
    condition = Q()
    for gap in GAPS:
        condition |= gap.condition()
    return condition


def fully_bound() -> Q:
    return Q(binding__status=BindingStatus.APPROVED) & ~any_gap()


def with_gap_flags(queryset: QuerySet[Page]) -> QuerySet[Page]:
    """Annotate each page with one boolean per gap (gap_<key>), in the same query."""
    return queryset.annotate(
        **{f"gap_{gap.key}": ExpressionWrapper(gap.condition(), output_field=BooleanField()) for gap in GAPS}
    )


def page_gaps(page: Page) -> list[Gap]:
    """Gaps of an annotated page (see with_gap_flags)."""
    if getattr(page, "binding", None) is not None and page.binding.status == BindingStatus.RETIRED:
        return []
    return [gap for gap in GAPS if getattr(page, f"gap_{gap.key}", False)]


@dataclass(frozen=True)
class CoverageSummary:
    total: int
    fully_bound: int
    retired: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    gap_counts: dict[str, int]

    @property
    def with_gaps(self) -> int:
        return self.total - self.fully_bound

    @property
    def score(self) -> int:
        return round(100 * self.fully_bound / self.total) if self.total else 0


def summarize(workspace: Workspace) -> CoverageSummary:
    pages = Page.objects.filter(workspace=workspace)
    live = ~Q(binding__status=BindingStatus.RETIRED)
    aggregates = {
        "total": Count("pk", filter=live),
        "fully_bound": Count("pk", filter=live & fully_bound()),
        "retired": Count("pk", filter=Q(binding__status=BindingStatus.RETIRED)),
    }
    for status in BindingStatus.values:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(binding__status=status))
    for kind in PageKind.values:
        aggregates[f"kind_{kind}"] = Count("pk", filter=live & Q(kind=kind))
    for gap in GAPS:
        aggregates[f"gap_{gap.key}"] = Count("pk", filter=live & gap.condition())
    row = pages.aggregate(**aggregates)
    return CoverageSummary(
        total=row["total"],
        fully_bound=row["fully_bound"],
        retired=row["retired"],
        by_status={status: row[f"status_{status}"] for status in BindingStatus.values},
        by_kind={kind: row[f"kind_{kind}"] for kind in PageKind.values},
        gap_counts={gap.key: row[f"gap_{gap.key}"] for gap in GAPS},
    )
