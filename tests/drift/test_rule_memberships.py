"""Rule 7: membership pages bound to retired memberships or to recurring services that are gone."""

from __future__ import annotations

from pagetojob.drift.rules.memberships import RULE
from tests.drift.factory import item, page, run, snap

CLUB = item("membership-types", 1, "Comfort Club")
GOLD = item("membership-types", 2, "Legacy Gold Plan", active=False)
TUNE_UP = item("recurring-service-types", 11, "Spring AC Tune-Up", membership_type_id=1)


def test_retired_membership_is_high():
    found = run(RULE, snap([page(1, "/gold", kind="membership", membership_type_id=2)], [CLUB, GOLD]))
    assert [(f.severity, f.item.name) for f in found] == [("high", "Legacy Gold Plan")]
    assert "retired" in found[0].message


def test_recurring_service_gone_is_medium():
    gone = item("recurring-service-types", 12, "Fall Furnace Tune-Up", active=False, membership_type_id=1)
    found = run(RULE, snap([page(1, "/club", kind="membership", membership_type_id=1)], [CLUB, TUNE_UP, gone]))
    assert [(f.severity, f.item.name) for f in found] == [("medium", "Fall Furnace Tune-Up")]


def test_active_membership_with_active_services_passes():
    assert run(RULE, snap([page(1, "/club", kind="membership", membership_type_id=1)], [CLUB, TUNE_UP])) == []


def test_only_membership_pages_are_checked():
    assert run(RULE, snap([page(1, "/tune-up", kind="service", membership_type_id=2)], [GOLD])) == []
