"""Rule 8: same-day, 24/7 and emergency promises the capacity rules cannot honour."""

from __future__ import annotations

from pagetojob.drift.rules.promises import RULE
from tests.drift.factory import item, page, rule_of, run, snap

HVAC = item("business-units", 1, "HVAC Service")
PLUMBING = item("business-units", 2, "Plumbing Service")
AFTER_HOURS_HVAC = rule_of("after_hours_emergency", 1, business_unit_id=1, weekdays=list(range(7)),
                           starts_at="18:00", ends_at="07:00", same_day=True)
HOURS = rule_of("business_hours", 2, business_unit_id=2, weekdays=[0, 1, 2, 3, 4], same_day=True)


def test_24_7_plumbing_without_an_after_hours_rule_is_found():
    found = run(RULE, snap([page(1, "/emergency-plumber", business_unit_id=2, promises=["24_7", "emergency"])],
                           [HVAC, PLUMBING], capacity=[AFTER_HOURS_HVAC, HOURS]))
    assert len(found) == 1
    assert found[0].message == ("The page promises 24/7 and emergency service, but no capacity rule for "
                                "“Plumbing Service” can honour it.")
    assert "after-hours emergency rule for every day" in found[0].fix


def test_promises_backed_by_rules_pass():
    pages = [page(1, "/emergency-ac", business_unit_id=1, promises=["24/7", "emergency", "same-day"]),
             page(2, "/drains", business_unit_id=2, promises=["same_day"])]
    assert run(RULE, snap(pages, [HVAC, PLUMBING], capacity=[AFTER_HOURS_HVAC, HOURS])) == []


def test_24_7_needs_every_day():
    weekdays_only = rule_of("after_hours_emergency", 3, business_unit_id=1, weekdays=[0, 1, 2, 3, 4])
    found = run(RULE, snap([page(1, "/ac", business_unit_id=1, promises=["24_7"])], [HVAC],
                           capacity=[weekdays_only]))
    assert len(found) == 1 and "24/7" in found[0].message


def test_same_day_needs_a_same_day_rule():
    no_same_day = rule_of("business_hours", 4, business_unit_id=2, same_day=False)
    found = run(RULE, snap([page(1, "/drains", business_unit_id=2, promises=["same_day"])], [PLUMBING],
                           capacity=[no_same_day]))
    assert len(found) == 1 and "same-day" in found[0].message
