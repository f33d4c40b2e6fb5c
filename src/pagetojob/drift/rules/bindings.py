"""Rules 9 and 10: pages without an approved binding or competing for one, and objects renamed since approval."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pagetojob.drift import places
from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule, described
from pagetojob.drift.snapshot import SINGLE_OBJECTS, PageFacts, Snapshot
from pagetojob.sites.models import BindingStatus, PageKind

BINDING_RULE = "unapproved_or_competing"
RENAME_RULE = "renamed_object"

# How much an unreviewed page matters: pages that take ad money first; "other" pages (about, blog) sell nothing.
WEIGHT: dict[str, str] = {
    PageKind.CAMPAIGN: Severity.MEDIUM,
    PageKind.OFFER: Severity.MEDIUM,
    PageKind.SERVICE: Severity.LOW,
    PageKind.LOCATION: Severity.LOW,
    PageKind.MEMBERSHIP: Severity.LOW,
    PageKind.HOME: Severity.LOW,
}

STATE_WORDS: dict[str, str] = {BindingStatus.DRAFT: "has only a draft binding",
               BindingStatus.SUGGESTED: "has a suggested binding nobody has reviewed yet"}


def _signature(page: PageFacts) -> tuple | None:
    """What a page is bound to; two approved pages with the same signature compete for the same searches and ads."""
    if page.kind not in WEIGHT or not (page.job_type_id or page.campaign_id or page.membership_type_id):
        return None
    place = places.city_key(page.city) if page.kind == PageKind.LOCATION else ""
    return (page.job_type_id, page.business_unit_id, page.campaign_id, page.membership_type_id,
            frozenset(page.zone_ids), frozenset(page.service_ids), place)


def _binding_words(snapshot: Snapshot, page: PageFacts) -> str:
    parts = []
    for name, (family, _) in SINGLE_OBJECTS.items():
        item = snapshot.item(family, page.object_id(name))
        if item is not None and name != "booking_provider":
            parts.append(item.name)
    parts += [snapshot.items["zones"][zid].name for zid in sorted(page.zone_ids) if zid in snapshot.items["zones"]]
    return " · ".join(parts)


def check_bindings(snapshot: Snapshot) -> Iterator[Detected]:
    groups: dict[tuple, list[PageFacts]] = defaultdict(list)
    for page in snapshot.live_pages:
        if page.kind not in WEIGHT:
            continue
        if page.status != BindingStatus.APPROVED:
            state = STATE_WORDS.get(page.status or "", "has no binding")
            yield Detected(
                BINDING_RULE, WEIGHT[page.kind],
                f"This {PageKind(page.kind).label} page {state}: its requests reach ServiceTitan without a reviewed "
                "job type, business unit and campaign.",
                "Review the binding and approve it, or retire the page if it should not take bookings.",
                page, None, aspect="unapproved",
                evidence=[f"Binding status: {page.status or 'none'}", f"Page kind: {PageKind(page.kind).label}"])
            continue
        signature = _signature(page)
        if signature is not None:
            groups[signature].append(page)
    for pages in groups.values():
        if len(pages) < 2:
            continue
        for page in pages:
            others = [other.path for other in pages if other.id != page.id]
            yield Detected(
                BINDING_RULE, Severity.MEDIUM,
                f"The page competes with {', '.join(others[:3])}{' …' if len(others) > 3 else ''} for the same "
                "binding: searches, ads and leads split between them.",
                "Keep one page for this binding: redirect or retire the other, or bind each page to what it really "
                "sells (its own city, zone or service).",
                page, None, aspect="competing",
                evidence=[f"Same binding: {_binding_words(snapshot, page)}",
                          f"Other page{'s' if len(others) > 1 else ''}: {', '.join(others)}"])


def check_renames(snapshot: Snapshot) -> Iterator[Detected]:
    for page in snapshot.live_pages:
        if page.status != BindingStatus.APPROVED or not page.approved_names:
            continue
        for name, (family, label) in SINGLE_OBJECTS.items():
            approved = page.approved_names.get(name)
            item = snapshot.item(family, page.object_id(name))
            if not approved or item is None or item.name == approved:
                continue
            yield Detected(
                RENAME_RULE, Severity.LOW,
                f"The {label} was renamed in ServiceTitan since the binding was approved: “{approved}” is now "
                f"“{item.name}”.",
                "Check that the binding still fits under the new name, then approve it again so the new name is "
                "recorded.",
                page, item, aspect="renamed",
                evidence=[f"Name at approval: “{approved}”", f"Name now: {described(item)}"])


BINDINGS = Rule(
    BINDING_RULE, 9, "No approved binding, or pages competing for one", Severity.MEDIUM,
    "Every page that sells or books should have an approved binding; campaign and offer pages weigh most, "
    "pages such as About or a blog post are not counted. Two approved pages with the same binding (same job type, "
    "business unit, campaign, zones, services and, for location pages, city) compete for the same searches and "
    "split their leads.",
    "Approve or retire unreviewed pages; keep one page per binding.",
    check_bindings,
)
RENAMES = Rule(
    RENAME_RULE, 10, "Object renamed since approval", Severity.LOW,
    "A bound object keeps its ServiceTitan id but has a new name since the binding was approved (name drift). "
    "The binding still works, but what the page says may no longer match what the office sees.",
    "Check the binding still fits, and approve it again to record the new name.",
    check_renames,
)
