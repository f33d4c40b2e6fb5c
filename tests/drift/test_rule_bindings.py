"""Rules 9 and 10: unapproved or competing pages, and bound objects renamed since approval."""

from __future__ import annotations

from pagetojob.drift.rules.bindings import BINDINGS, RENAMES
from tests.drift.factory import item, page, run, snap

AC = item("job-types", 1, "AC Repair")
HVAC = item("business-units", 2, "HVAC Service")
LSA = item("campaigns", 3, "Google Local Services Ads")
PHX = item("zones", 4, "Phoenix Metro", state="active")


def test_unapproved_pages_are_weighed_by_kind_and_other_pages_are_left_out():
    pages = [page(1, "/lp/promo", kind="campaign", status="draft"), page(2, "/furnace", status="suggested"),
             page(3, "/about", kind="other", status="draft"), page(4, "/new", status=None)]
    found = {f.page.path: f.severity for f in run(BINDINGS, snap(pages))}
    assert found == {"/lp/promo": "medium", "/furnace": "low", "/new": "low"}


def test_two_approved_pages_with_the_same_binding_compete():
    same = {"job_type_id": 1, "business_unit_id": 2, "zone_ids": [4]}
    found = run(BINDINGS, snap([page(1, "/ac-repair", **same), page(2, "/ac-repair-phoenix", **same)],
                               [AC, HVAC, PHX]))
    assert sorted(f.page.path for f in found) == ["/ac-repair", "/ac-repair-phoenix"]
    assert all(f.aspect == "competing" for f in found)
    assert "AC Repair · HVAC Service · Phoenix Metro" in found[0].evidence[0]


def test_location_pages_for_different_cities_do_not_compete():
    same = {"job_type_id": 1, "business_unit_id": 2, "zone_ids": [4], "kind": "location"}
    assert run(BINDINGS, snap([page(1, "/mesa", city="Mesa", **same), page(2, "/tempe", city="Tempe", **same)],
                              [AC, HVAC, PHX])) == []


def test_renamed_campaign_is_name_drift():
    renamed = page(1, "/lp/google-lsa", campaign_id=3, approved_names={"campaign": "Google LSA - Phoenix"})
    found = run(RENAMES, snap([renamed], [LSA]))
    assert len(found) == 1
    assert found[0].message == ("The campaign was renamed in ServiceTitan since the binding was approved: "
                                "“Google LSA - Phoenix” is now “Google Local Services Ads”.")


def test_same_names_and_unapproved_bindings_pass():
    same = page(1, "/lp", campaign_id=3, approved_names={"campaign": "Google Local Services Ads"})
    draft = page(2, "/draft", status="draft", campaign_id=3, approved_names={"campaign": "Old"})
    assert run(RENAMES, snap([same, draft], [LSA])) == []
