"""Mapping suggestions: propose a page's job type, business unit, zones, services and membership type.

A page's concepts (URL slug, title, headings, read through the trade lexicon) are scored against the
concepts in the names of the workspace's active objects. Equipment (AC, furnace, water heater) and
action (repair, install, tune-up) are separate concepts, so "/ac-replacement" prefers an install job
type over "AC Repair". A suggestion lands on the binding as `suggested`, with its score and evidence;
people accept it (through the usual approval, which gaps still block) or reject it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.sites import bindings
from pagetojob.sites.lexicon import ACTION, CONCEPTS, TRADE
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind
from pagetojob.sites.suggestion_scoring import (
    PageText,
    match_membership,
    match_services,
    match_zones,
    name_concepts,
    quote,
    read_page,
    score_concepts,
    words_by_source,
)
from pagetojob.taxonomy.models import BusinessUnit, JobType, MembershipType, PricebookService, Zone

# Below this no job type is proposed; benchmarks/suggestions.py shows precision and recall around it.
CONFIDENCE_THRESHOLD = 0.62
AMBIGUITY_GAP = 0.1
# The field whose score is the suggestion's score, by page kind (what that kind of page must be bound to).
PRIMARY_FIELD: dict[str, str] = {PageKind.MEMBERSHIP: "membership_type", PageKind.LOCATION: "zones"}
FIELD_LABELS = {"job_type": "Job type", "business_unit": "Business unit", "zones": "Zone",
                "pricebook_services": "Pricebook service", "membership_type": "Membership type"}


@dataclass
class Ranked:
    job_type: JobType
    score: float
    used: list[str]


@dataclass
class PageSuggestion:
    page: Page
    ranked: list[Ranked] = field(default_factory=list)
    job_type: JobType | None = None
    business_unit: BusinessUnit | None = None
    zones: list[Zone] = field(default_factory=list)
    pricebook_services: list[PricebookService] = field(default_factory=list)
    membership_type: MembershipType | None = None
    score: float = 0.0
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.job_type or self.business_unit or self.zones or self.pricebook_services
                    or self.membership_type)

    def note(self, field_name: str, obj: Any, matched: list[str], reason: str, score: float) -> None:
        self.evidence.append({"field": field_name, "object": obj.name, "id": obj.pk, "matched": matched,
                              "reason": reason, "score": round(score, 3)})


class Catalogue:
    """The workspace's active objects with the concepts of their names, read once per run."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        units = list(BusinessUnit.objects.filter(workspace=workspace, active=True))
        self.unit_concepts = {unit.pk: name_concepts(unit.name) for unit in units}
        self.job_types: list[tuple[JobType, dict[str, float]]] = []
        self.allowed: dict[int, list[BusinessUnit]] = {}
        self.unit_ids: dict[int, set[int]] = {}  # every unit each active job type is allowed in, active or not
        for job_type in JobType.objects.filter(workspace=workspace, active=True).prefetch_related("business_units"):
            self.unit_ids[job_type.pk] = {unit.pk for unit in job_type.business_units.all()}
            concepts = name_concepts(job_type.name)
            if concepts:
                self.job_types.append((job_type, concepts))
                self.allowed[job_type.pk] = sorted(
                    (unit for unit in job_type.business_units.all() if unit.pk in self.unit_concepts),
                    key=lambda unit: unit.name)
        self.units = sorted(units, key=lambda unit: unit.name)
        self.zones = list(Zone.objects.filter(workspace=workspace, active=True))
        self.services = [(s, name_concepts(s.name), name_concepts(s.category, code=s.code))
                         for s in PricebookService.objects.filter(workspace=workspace, active=True)]
        self.memberships = list(MembershipType.objects.filter(workspace=workspace, active=True))

    def allows(self, job_type: JobType, unit: BusinessUnit) -> bool:
        """Whether a job type may be booked in a unit, without a query for the catalogue's job types."""
        if job_type.pk in self.unit_ids:
            return unit.pk in self.unit_ids[job_type.pk]
        return job_type.business_units.filter(pk=unit.pk).exists()

    def rank(self, text: PageText, allowed_in: BusinessUnit | None = None) -> list[Ranked]:
        ranked = []
        for job_type, concepts in self.job_types:
            if allowed_in is not None and allowed_in not in self.allowed[job_type.pk]:
                continue
            match = score_concepts(concepts, text)
            if match.score > 0:
                ranked.append(Ranked(job_type, match.score, match.used))
        ranked.sort(key=lambda r: (-r.score, r.job_type.name))
        return ranked

    def choose_unit(self, job_type: JobType, text: PageText) -> tuple[BusinessUnit | None, str]:
        """The business unit for a job type: one it is allowed in, preferring one whose name shares concepts."""
        allowed = self.allowed.get(job_type.pk, [])
        if not allowed:
            return None, f"no active business unit allows {job_type.name}"
        if len(allowed) == 1:
            return allowed[0], f"the only active business unit that allows {job_type.name}"
        job_concepts = name_concepts(job_type.name)
        trades = {CONCEPTS[c].trade for c in job_concepts} - {None}
        best, best_score, shared = allowed[0], -1.0, []
        for unit in allowed:
            score, labels = 0.0, []
            for concept in self.unit_concepts[unit.pk]:
                if concept in job_concepts or (CONCEPTS[concept].kind == TRADE and concept in trades):
                    score += 1.0 if CONCEPTS[concept].kind == TRADE else 0.6
                elif concept in text.terms:
                    score += 0.2
                elif concept == "repair" and not any(CONCEPTS[c].kind == ACTION for c in job_concepts):
                    score += 0.3  # a job type that names no action belongs with service work
                else:
                    continue
                labels.append(CONCEPTS[concept].label)
            if score > best_score:
                best, best_score, shared = unit, score, labels
        if shared:
            return best, f"{job_type.name} is allowed in {best.name}, whose name shares {', '.join(shared)}"
        return best, f"{job_type.name} is allowed in {best.name} (first of {len(allowed)})"

    def unit_for_trade(self, text: PageText) -> BusinessUnit | None:
        """For a page without a job type (a service-area page): the one service unit of the page's trade."""
        trades = {CONCEPTS[c].trade for c in text.terms} - {None}
        fitting = [unit for unit in self.units
                   if any(CONCEPTS[c].kind == TRADE and c in trades for c in self.unit_concepts[unit.pk])
                   and "repair" in self.unit_concepts[unit.pk]]
        return fitting[0] if len(fitting) == 1 else None


def suggest_for_page(page: Page, catalogue: Catalogue, brands: Iterable[str] = (),
                     allowed_in: BusinessUnit | None = None) -> PageSuggestion:
    """The best binding for one page; a field whose match is below its threshold stays empty."""
    text = read_page(page.path, page.title, page.headings, [catalogue.workspace.name, page.site.name, *brands],
                     page.offer_text, page.advertised_price)
    result = PageSuggestion(page, ranked=[] if page.kind == PageKind.HOME else catalogue.rank(text, allowed_in))
    scores: dict[str, float] = {}
    job_concepts: dict[str, float] = {}
    score = confidence(result.ranked)
    if result.ranked and score >= CONFIDENCE_THRESHOLD:
        top = result.ranked[0]
        result.job_type, scores["job_type"] = top.job_type, score
        job_concepts = name_concepts(top.job_type.name)
        matched, where = words_by_source(text, top.used)
        reason = f"{where} matched job type {top.job_type.name}"
        if score < top.score:
            reason += f" (close to {result.ranked[1].job_type.name})"
        result.note("job_type", top.job_type, matched, reason, score)
        if allowed_in is None:
            unit, reason = catalogue.choose_unit(top.job_type, text)
            if unit is not None:
                result.business_unit = unit
                result.note("business_unit", unit, [], reason, score)
    elif page.kind in (PageKind.LOCATION, PageKind.HOME) and allowed_in is None:
        unit = catalogue.unit_for_trade(text)
        if unit is not None:
            result.business_unit, scores["business_unit"] = unit, 0.7
            words = [w for c, term in text.terms.items() if CONCEPTS[c].trade for w in term.words[:1]]
            result.note("business_unit", unit, words[:3],
                        f"{quote(words[:3]) or 'the words'} on the page: {unit.name} does that work", 0.7)
    for found in match_zones(page.city, page.zips, text, catalogue.zones):
        result.zones.append(found.obj)
        result.note("zones", found.obj, found.matched, found.reason, found.score)
        scores["zones"] = max(scores.get("zones", 0.0), found.score)
    for found in match_services(text, catalogue.services, job_concepts):
        result.pricebook_services.append(found.obj)
        result.note("pricebook_services", found.obj, found.matched, found.reason, found.score)
        scores["pricebook_services"] = max(scores.get("pricebook_services", 0.0), found.score)
    membership = match_membership(page.kind == PageKind.MEMBERSHIP, text, catalogue.memberships)
    if membership:
        result.membership_type, scores["membership_type"] = membership.obj, membership.score
        result.note("membership_type", membership.obj, membership.matched, membership.reason, membership.score)
    primary = PRIMARY_FIELD.get(page.kind, "job_type")
    if primary in scores:
        result.score = scores[primary]
    elif scores:
        result.score = round(0.8 * max(scores.values()), 3)
    return result


def confidence(ranked: list[Ranked]) -> float:
    """The top score, less a little when the runner-up is nearly as good (the choice is then a guess)."""
    if not ranked:
        return 0.0
    gap = ranked[0].score - ranked[1].score if len(ranked) > 1 else 1.0
    return round(ranked[0].score - 0.5 * max(0.0, AMBIGUITY_GAP - gap), 3)


def repeated_title_segments(pages: Iterable[Page], share: float = 0.25) -> dict[int, list[str]]:
    """Title segments repeated across a site's pages ("| Smith Heating & Air"): the brand, not the topic."""
    per_site: dict[int, Counter[str]] = {}
    sizes: Counter[int] = Counter()
    for page in pages:
        sizes[page.site_id] += 1
        parts = {p.strip() for p in (page.title or "").replace("–", "|").replace("—", "|").split("|") if p.strip()}
        per_site.setdefault(page.site_id, Counter()).update(parts)
    return {site: [seg for seg, n in counts.items() if n >= 3 and n >= share * sizes[site]]
            for site, counts in per_site.items()}


def eligible(workspace: Workspace, page_ids: Iterable[int] | None = None):
    """Bindings a suggestion may fill: draft, no job type, and no rejected suggestion."""
    queryset = Binding.objects.filter(workspace=workspace, status=BindingStatus.DRAFT, job_type__isnull=True,
                                      suggestion_rejected_at__isnull=True)
    if page_ids is not None:
        queryset = queryset.filter(page_id__in=list(page_ids))
    return queryset


def suggest_for_workspace(workspace: Workspace, actor: Any, page_ids: Iterable[int] | None = None,
                          threshold: float = 0.0) -> dict[str, int]:
    """Fill the eligible bindings with suggestions (empty fields only); one audit entry for the run."""
    pages_without = Page.objects.filter(workspace=workspace, binding__isnull=True)
    if page_ids is not None:
        page_ids = list(page_ids)
        pages_without = pages_without.filter(pk__in=page_ids)
    Binding.objects.bulk_create([Binding(workspace=workspace, page=page) for page in pages_without])
    catalogue = Catalogue(workspace)
    brands = repeated_title_segments(Page.objects.filter(workspace=workspace).only("site_id", "title"))
    counts = {"considered": 0, "suggested": 0, "no_match": 0, "below_threshold": 0}
    paths: list[str] = []
    now = clock.now()
    with transaction.atomic():
        queryset = eligible(workspace, page_ids).select_for_update(of=("self",))
        rows = (queryset.select_related("page", "page__site", "business_unit", "job_type")
                .prefetch_related("zones", "pricebook_services").order_by("page__path"))
        for binding in rows:
            counts["considered"] += 1
            unit = binding.business_unit if binding.business_unit and binding.business_unit.active else None
            suggestion = suggest_for_page(binding.page, catalogue, brands.get(binding.page.site_id, []), unit)
            if suggestion.empty:
                counts["no_match"] += 1
                continue
            if suggestion.score < threshold:
                counts["below_threshold"] += 1
                continue
            filled = _fill(binding, suggestion, catalogue)
            if not filled:
                counts["no_match"] += 1
                continue
            binding.status = BindingStatus.SUGGESTED
            binding.suggestion_score = suggestion.score
            binding.suggestion_evidence = [e for e in suggestion.evidence if e["field"] in filled]
            binding.suggested_at = now
            binding.save()
            counts["suggested"] += 1
            paths.append(binding.page.path)
        if counts["considered"]:
            audit.record(workspace, actor, "binding.suggest",
                         f"Suggested bindings for {counts['suggested']} of {counts['considered']} unbound pages",
                         details={"Suggested": counts["suggested"], "No match": counts["no_match"],
                                  "Below the score threshold": counts["below_threshold"], "Threshold": threshold,
                                  "Pages": paths[:50]})
    return counts


def _fill(binding: Binding, suggestion: PageSuggestion, catalogue: Catalogue) -> set[str]:
    """Set the suggested objects on the binding's empty fields; returns the fields that were filled."""
    filled: set[str] = set()
    if suggestion.job_type and binding.job_type_id is None:
        binding.job_type = suggestion.job_type
        filled.add("job_type")
    if suggestion.business_unit and binding.business_unit_id is None:
        binding.business_unit = suggestion.business_unit
        filled.add("business_unit")
    if binding.job_type and binding.business_unit and not catalogue.allows(binding.job_type, binding.business_unit):
        binding.job_type = None  # never suggest a job type outside its business unit
        filled.discard("job_type")
    if suggestion.membership_type and binding.membership_type_id is None:
        binding.membership_type = suggestion.membership_type
        filled.add("membership_type")
    for name in ("zones", "pricebook_services"):
        objects = getattr(suggestion, name)
        if objects and not getattr(binding, name).all():  # prefetched: no query per page
            getattr(binding, name).set(objects)
            filled.add(name)
    return filled


def accept_suggestions(workspace: Workspace, actor: Any, page_ids: Iterable[int] | None = None,
                       min_score: float | None = None) -> bindings.ApprovalResult:
    """Approve suggested bindings by page or above a score; gaps still block approval, with the reason."""
    if page_ids is None and min_score is None:
        raise ValueError("Name the pages to accept or a minimum score.")
    queryset = Binding.objects.filter(workspace=workspace, status=BindingStatus.SUGGESTED)
    requested = set(page_ids) if page_ids is not None else None
    if requested is not None:
        queryset = queryset.filter(page_id__in=requested)
    if min_score is not None:
        queryset = queryset.filter(suggestion_score__gte=min_score)
    ids = list(queryset.values_list("page_id", flat=True))
    result = bindings.approve(workspace, actor, ids) if ids else bindings.ApprovalResult()
    if requested:
        others = Page.objects.filter(workspace=workspace, pk__in=requested - set(ids))
        result.skipped.extend((path, "not a suggestion waiting for review")
                              for path in others.values_list("path", flat=True))
    return result


def reject_suggestion(binding: Binding, actor: Any) -> list[str]:
    """Clear what the suggestion filled in, back to draft, and never suggest this page again by itself."""
    if binding.status != BindingStatus.SUGGESTED:
        raise bindings.BindingError({"status": "only a suggested binding can be rejected."})
    suggested = {(item.get("field"), item.get("id")) for item in binding.suggestion_evidence or []}
    cleared: list[str] = []
    with transaction.atomic():
        for name in ("job_type", "business_unit", "membership_type"):
            current = getattr(binding, name)
            if current is not None and (name, current.pk) in suggested:
                setattr(binding, name, None)
                cleared.append(f"{FIELD_LABELS[name]} {current.name}")
        for name in ("zones", "pricebook_services"):
            related = getattr(binding, name)
            items = [item for item in related.all() if (name, item.pk) in suggested]
            if items:
                related.remove(*items)
                cleared.extend(f"{FIELD_LABELS[name]} {item.name}" for item in items)
        details = {"Score": binding.suggestion_score, "Cleared": cleared,
                   "Evidence": [item.get("reason", "") for item in binding.suggestion_evidence or []]}
        binding.status = BindingStatus.DRAFT
        binding.suggestion_rejected_at = clock.now()
        binding.suggestion_score = None
        binding.suggestion_evidence = []
        binding.save()
        audit.record(binding.workspace, actor, "binding.suggestion_reject",
                     f"Rejected the suggested binding of {binding.page.path}", target=binding, details=details)
    return cleared


def parse_score(value: Any) -> float | None:
    """A score typed in a form: "0.8", "80" or "80%" give 0.8; None when it is not a number in 0..100."""
    try:
        number = Decimal(str(value).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    number = number / 100 if number > 1 else number
    return float(number) if 0 <= number <= 1 else None

