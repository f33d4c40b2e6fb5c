"""Rule 8: the page promises same-day, 24/7 or emergency service that the capacity rules cannot honour."""

from __future__ import annotations

from collections.abc import Iterator

from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule
from pagetojob.drift.snapshot import CapacityFacts, PageFacts, Snapshot
from pagetojob.sites.models import CapacityKind

RULE_ID = "unbacked_promise"
ALL_DAYS = set(range(7))
PROMISE_WORDS = {
    "same_day": "same_day", "same-day": "same_day", "sameday": "same_day", "same day": "same_day",
    "24_7": "24_7", "24/7": "24_7", "247": "24_7", "24-7": "24_7", "24x7": "24_7",
    "emergency": "emergency", "emergencies": "emergency",
}
LABELS = {"same_day": "same-day", "24_7": "24/7", "emergency": "emergency"}
SAME_DAY_KINDS = (CapacityKind.BUSINESS_HOURS, CapacityKind.SERVICE_EXCEPTION, CapacityKind.AFTER_HOURS_EMERGENCY)


def promises_of(page: PageFacts) -> list[str]:
    found = {PROMISE_WORDS.get(str(value).strip().casefold()) for value in page.promises}
    return [key for key in LABELS if key in found]


def _applies(rule: CapacityFacts, page: PageFacts) -> bool:
    """The same reading as the CTA chooser: a rule without a business unit applies to every page."""
    if rule.business_unit_id is not None and page.business_unit_id is not None \
            and rule.business_unit_id != page.business_unit_id:
        return False
    return rule.job_type_id is None or rule.job_type_id == page.job_type_id


def unbacked(page: PageFacts, rules: list[CapacityFacts]) -> list[str]:
    applicable = [rule for rule in rules if _applies(rule, page)]
    after_hours = [rule for rule in applicable if rule.kind == CapacityKind.AFTER_HOURS_EMERGENCY]
    missing = []
    for promise in promises_of(page):
        if promise == "24_7" and not any(not rule.weekdays or ALL_DAYS <= set(rule.weekdays) for rule in after_hours):
            missing.append(promise)
        elif promise == "emergency" and not after_hours:
            missing.append(promise)
        elif promise == "same_day" and not any(rule.same_day and rule.kind in SAME_DAY_KINDS for rule in applicable):
            missing.append(promise)
    return missing


def _by_unit(rules: list[CapacityFacts]) -> dict[int | None, list[CapacityFacts]]:
    grouped: dict[int | None, list[CapacityFacts]] = {}
    for rule in rules:
        grouped.setdefault(rule.business_unit_id, []).append(rule)
    return grouped


def check(snapshot: Snapshot) -> Iterator[Detected]:
    by_unit = _by_unit(snapshot.capacity)
    for page in snapshot.live_pages:
        if not page.promises:
            continue
        # A page without a business unit may lean on any rule; one with a unit, on its own and the general ones.
        rules = snapshot.capacity if page.business_unit_id is None else \
            by_unit.get(page.business_unit_id, []) + by_unit.get(None, [])
        missing = unbacked(page, rules)
        if not missing:
            continue
        unit = snapshot.item("business-units", page.business_unit_id)
        who = f"“{unit.name}”" if unit else "this page"
        said = " and ".join(LABELS[key] for key in missing) + " service"
        needs = []
        if "24_7" in missing or "emergency" in missing:
            needs.append("an after-hours emergency rule" + (" for every day" if "24_7" in missing else ""))
        if "same_day" in missing:
            needs.append("a business-hours rule with same-day slots")
        yield Detected(
            RULE_ID, Severity.HIGH,
            f"The page promises {said}, but no capacity rule for {who} can honour it.",
            f"Add {' and '.join(needs)} for {who} in the capacity rules, or take the promise off the page.",
            page, unit, aspect="promise",
            evidence=[f"Promises on the page: {', '.join(LABELS[key] for key in promises_of(page))}",
                      f"Business unit: {unit.name if unit else 'none bound'}",
                      f"Missing: {'; '.join(needs)}"])


RULE = Rule(
    RULE_ID, 8, "Promise the capacity rules cannot honour", Severity.HIGH,
    "A page that promises same-day, 24/7 or emergency service needs capacity rules that back it: an after-hours "
    "emergency rule for the page's business unit (every day for 24/7), or business hours with same-day slots. "
    "Otherwise the visitor is promised what the office will not do.",
    "Add the capacity rule, or take the promise off the page.",
    check,
)
