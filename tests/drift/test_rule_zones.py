"""Rules 4 and 5: pages outside the active zones, paused zones promoted, and active zones without a page.

City and ZIP facts come from the offline `zipcodes` data (Phoenix-area places)."""

from __future__ import annotations

from pagetojob.drift.rules.zones import AREAS, GAPS
from tests.drift.factory import item, page, run, snap

EAST = item("zones", 1, "East Valley", state="active", cities=["Mesa", "Tempe"], zips=["85201", "85281"])
QUEEN = item("zones", 2, "Queen Creek", state="paused", cities=["Queen Creek"], zips=["85142"])
NORTH = item("zones", 3, "Cave Creek & Anthem", state="expansion", cities=["Cave Creek"], zips=["85331"])
BUCKEYE = item("zones", 4, "Buckeye", state="emergency_only", cities=["Buckeye"], zips=["85326"])
ZONES = [EAST, QUEEN, NORTH, BUCKEYE]


def areas(*pages):
    return run(AREAS, snap(list(pages), ZONES))


def test_city_outside_every_zone_is_high():
    found = areas(page(1, "/service-areas/flagstaff", kind="location", city="Flagstaff", zips=["86001", "86004"]))
    assert [(f.aspect, f.severity) for f in found] == [("outside", "high")]
    assert "Flagstaff (86001, 86004), outside every active zone" in found[0].message


def test_city_named_only_by_name_is_checked_through_its_zips():
    """Mesa is listed in East Valley; Tempe's ZIP 85282 is covered through the zone's city list."""
    assert areas(page(1, "/mesa", kind="location", city="Mesa"), page(2, "/tempe", kind="location",
                                                                      zips=["85282"])) == []
    found = areas(page(3, "/flagstaff", kind="location", city="Flagstaff, AZ"))
    assert len(found) == 1 and found[0].aspect == "outside"


def test_promoting_a_paused_zone_is_one_finding_whether_claimed_or_bound():
    found = areas(page(1, "/queen-creek", kind="location", city="Queen Creek", zips=["85142"], zone_ids=[2]))
    assert [(f.aspect, f.item.name) for f in found] == [("paused", "Queen Creek")]
    bound_only = areas(page(2, "/promo", kind="campaign", zone_ids=[1, 2]))
    assert [f.aspect for f in bound_only] == ["paused"]


def test_expansion_and_emergency_only_zones_are_medium():
    found = areas(page(1, "/cave-creek", kind="location", city="Cave Creek"),
                  page(2, "/buckeye", kind="location", city="Buckeye"),
                  page(3, "/buckeye-emergency", kind="location", city="Buckeye", promises=["emergency"]))
    assert sorted((f.page.path, f.aspect, f.severity) for f in found) == [
        ("/buckeye", "emergency_only", "medium"), ("/cave-creek", "expansion", "medium")]


def test_listed_zips_no_active_zone_covers_are_called_out():
    found = areas(page(1, "/mesa", kind="location", city="Mesa", zips=["85201", "86001", "99999", "8520"]))
    assert len(found) == 1 and found[0].aspect == "zips"
    assert "86001, 99999, 8520" in found[0].message


def test_active_zone_without_a_location_page_is_informational():
    fountain = item("zones", 5, "Fountain Hills", state="active", cities=["Fountain Hills"], zips=["85268"])
    found = run(GAPS, snap([page(1, "/mesa", kind="location", city="Mesa")], [EAST, fountain, QUEEN]))
    assert [(f.item.name, f.severity) for f in found] == [("Fountain Hills", "info")]


def test_zone_with_a_page_bound_to_it_or_claiming_it_passes():
    assert run(GAPS, snap([page(1, "/east", kind="location", zone_ids=[1])], [EAST])) == []
    assert run(GAPS, snap([page(1, "/tempe", kind="location", city="Tempe")], [EAST])) == []
