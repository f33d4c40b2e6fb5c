"""The drift rules, in the order the product lists them. `detect` runs them all over one snapshot."""

from __future__ import annotations

from pagetojob.drift.models import SEVERITY_RANK
from pagetojob.drift.rules import bindings, campaigns, memberships, objects, prices, promises, zones
from pagetojob.drift.rules.base import Detected, Rule
from pagetojob.drift.snapshot import Snapshot

RULES: tuple[Rule, ...] = (
    objects.OBJECT,
    objects.UNITS,
    campaigns.RULE,
    zones.AREAS,
    zones.GAPS,
    prices.RULE,
    memberships.RULE,
    promises.RULE,
    bindings.BINDINGS,
    bindings.RENAMES,
)
BY_ID = {rule.id: rule for rule in RULES}


def detect(snapshot: Snapshot, rules: tuple[Rule, ...] = RULES) -> list[Detected]:
    """Every finding of every rule, one per fingerprint, most severe first."""
    found: dict[str, Detected] = {}
    for rule in rules:
        for detected in rule.check(snapshot):
            found.setdefault(detected.fingerprint, detected)
    order = {rule.id: rule.number for rule in RULES}
    return sorted(found.values(), key=lambda d: (SEVERITY_RANK[d.severity], order.get(d.rule, 99),
                                                 d.page.path if d.page else "", d.item.name if d.item else ""))


__all__ = ["BY_ID", "RULES", "Detected", "Rule", "detect"]
