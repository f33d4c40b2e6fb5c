"""Rule 3: inactive campaigns, and UTM campaign values that are not the campaign's exact name."""

from __future__ import annotations

import pytest

from pagetojob.drift.rules.campaigns import RULE, differences
from tests.drift.factory import item, page, run, snap

SUMMER = item("campaigns", 1, "Summer AC Demand")
WINTER = item("campaigns", 2, "Winter Furnace Promo 2025", active=False)


@pytest.mark.parametrize("value,expected", [
    ("summer-ac-demand", ["letter case", "spaces", "punctuation"]),
    ("summer ac demand", ["letter case"]),
    ("Summer  AC Demand", ["spaces"]),
    ("Summer AC Demand ", ["spaces"]),
    ("Summer_AC_Demand", ["spaces", "punctuation"]),
    ("Fall Heating Push", ["a different name"]),
])
def test_differences_are_called_out(value, expected):
    assert differences(value, "Summer AC Demand") == expected


def test_utm_differing_in_case_and_punctuation_is_a_medium_finding():
    found = run(RULE, snap([page(1, "/lp/summer", kind="campaign", campaign_id=1, utm_campaign="summer-ac-demand")],
                           [SUMMER]))
    assert len(found) == 1
    assert found[0].severity == "medium"
    assert "differs only in letter case, spaces and punctuation" in found[0].message
    assert "“Summer AC Demand” exactly" in found[0].fix


def test_utm_matching_exactly_passes():
    assert run(RULE, snap([page(1, "/lp", campaign_id=1, utm_campaign="Summer AC Demand")], [SUMMER])) == []


def test_inactive_campaign_is_high():
    found = run(RULE, snap([page(1, "/lp/winter", campaign_id=2, utm_campaign="Winter Furnace Promo 2025")],
                           [SUMMER, WINTER]))
    assert [(f.severity, f.aspect) for f in found] == [("high", "inactive")]


def test_utm_naming_no_campaign_points_at_the_nearest_one():
    found = run(RULE, snap([page(1, "/lp", utm_campaign="summer ac demand")], [SUMMER, WINTER]))
    assert len(found) == 1
    assert "matches no ServiceTitan campaign exactly" in found[0].message
    assert "Set the page's UTM campaign to “Summer AC Demand” exactly" in found[0].fix


def test_page_without_campaign_or_utm_passes():
    assert run(RULE, snap([page(1, "/about", kind="other")], [SUMMER])) == []
