"""Rules 1 and 2: bound objects gone from ServiceTitan, and job types outside their business unit."""

from __future__ import annotations

from datetime import datetime

from pagetojob.drift.rules.objects import OBJECT, UNITS
from tests.drift.factory import item, page, run, snap

HVAC = item("business-units", 1, "HVAC Service")
PLUMBING = item("business-units", 2, "Plumbing Service")
AC_REPAIR = item("job-types", 11, "AC Repair")
OLD_JOB = item("job-types", 12, "Water Heater Repair", active=False)


def test_inactive_job_type_is_found_with_its_evidence_and_fix():
    found = run(OBJECT, snap([page(1, "/water-heater-repair", job_type_id=12, business_unit_id=2)],
                             [HVAC, PLUMBING, OLD_JOB]))
    assert len(found) == 1
    finding = found[0]
    assert (finding.rule, finding.severity, finding.item.name) == ("inactive_object", "high", "Water Heater Repair")
    assert "inactive in ServiceTitan" in finding.message
    assert any("ServiceTitan id 120" in line for line in finding.evidence)
    assert finding.fix.startswith("Bind an active job type")


def test_active_objects_pass():
    assert run(OBJECT, snap([page(1, "/ac-repair", job_type_id=11, business_unit_id=1)], [HVAC, AC_REPAIR])) == []


def test_inactive_zone_and_pricebook_service_are_each_a_finding():
    zone = item("zones", 21, "Old Zone", active=False, state="active")
    service = item("pricebook-services", 31, "R-22 Recharge", active=False)
    found = run(OBJECT, snap([page(1, "/p", zone_ids=[21], service_ids=[31])], [zone, service]))
    assert sorted(f.object_type for f in found) == ["pricebook service", "zone"]


def test_object_left_out_of_the_newest_export_is_missing():
    stale = item("job-types", 11, "AC Repair", last_seen_at=datetime(2026, 9, 1))
    found = run(OBJECT, snap([page(1, "/ac", job_type_id=11)], [stale],
                             latest={"job-types": datetime(2026, 11, 2)}))
    assert len(found) == 1 and "no longer lists" in found[0].message
    seen_in_export = item("job-types", 11, "AC Repair", last_seen_at=datetime(2026, 11, 2))
    assert run(OBJECT, snap([page(1, "/ac", job_type_id=11)], [seen_in_export],
                            latest={"job-types": datetime(2026, 11, 2)})) == []


def test_retired_pages_and_campaigns_and_membership_pages_are_left_to_their_own_rules():
    campaign = item("campaigns", 41, "Old Promo", active=False)
    membership = item("membership-types", 51, "Gold", active=False)
    pages = [page(1, "/retired", status="retired", job_type_id=12), page(2, "/lp", kind="campaign", campaign_id=41),
             page(3, "/gold", kind="membership", membership_type_id=51)]
    assert run(OBJECT, snap(pages, [OLD_JOB, campaign, membership])) == []


def test_job_type_not_allowed_in_the_unit_names_where_it_is_allowed():
    leak = item("job-types", 13, "Leak Detection")
    found = run(UNITS, snap([page(1, "/leak-detection", job_type_id=13, business_unit_id=1)], [HVAC, PLUMBING, leak],
                            allowed={(13, 2)}))
    assert len(found) == 1
    assert "not allowed in the business unit “HVAC Service”" in found[0].message
    assert "“Plumbing Service”" in found[0].fix


def test_job_type_allowed_in_the_unit_passes():
    assert run(UNITS, snap([page(1, "/ac", job_type_id=11, business_unit_id=1)], [HVAC, AC_REPAIR],
                           allowed={(11, 1)})) == []
