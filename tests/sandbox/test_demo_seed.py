"""The sandbox's demo seed and the Desert Peak demo workspace name the same ServiceTitan records."""

from __future__ import annotations

from decimal import Decimal

from pagetojob.demo.data import DESERT_PEAK
from pagetojob.sandbox import seeds


def test_business_units_agree():
    assert [(i, n, t, a) for i, n, t, a in seeds.BUSINESS_UNITS] == [
        (r.st_id, r.name, r.trade, r.active) for r in DESERT_PEAK.business_units]


def test_job_types_agree():
    unit_ids = {r.name: r.st_id for r in DESERT_PEAK.business_units}
    assert list(seeds.JOB_TYPES) == [
        (r.st_id, r.name, tuple(unit_ids[name] for name in r.business_units), r.priority, r.duration_minutes, r.active)
        for r in DESERT_PEAK.job_types]


def test_campaigns_agree():
    assert list(seeds.CAMPAIGNS) == [(r.st_id, r.name, r.category, r.source_label, r.medium, r.dnis, r.active)
                                     for r in DESERT_PEAK.campaigns]


def test_zones_agree():
    assert list(seeds.ZONES) == [(r.st_id, r.name, r.cities, r.zips, r.active) for r in DESERT_PEAK.zones]


def test_pricebook_services_agree():
    assert [(i, c, n, Decimal(p), Decimal(m), cat, a) for i, c, n, p, m, cat, a in seeds.SERVICES] == [
        (r.st_id, r.code, r.name, r.price, r.member_price, r.category, r.active) for r in DESERT_PEAK.pricebook]


def test_memberships_agree():
    assert [(i, n, b, Decimal(p), a) for i, n, b, p, a in seeds.MEMBERSHIP_TYPES] == [
        (r.st_id, r.name, r.billing, r.price, r.active) for r in DESERT_PEAK.membership_types]
    type_ids = {r.name: r.st_id for r in DESERT_PEAK.membership_types}
    assert list(seeds.RECURRING_SERVICE_TYPES) == [
        (r.st_id, r.name, type_ids[r.membership_type], r.recurrence, r.active) for r in DESERT_PEAK.recurring_services]


def test_booking_providers_agree():
    assert list(seeds.BOOKING_PROVIDER_TAGS) == [(r.st_id, r.name, r.kind, r.active)
                                                 for r in DESERT_PEAK.booking_providers]


def test_seeded_jobs_only_use_seeded_taxonomy():
    seed = seeds.load_seed("demo")
    job_types = {row[0]: row for row in seeds.JOB_TYPES}
    campaigns = {row[0] for row in seeds.CAMPAIGNS}
    for job in seed.rows["job"]:
        assert job["businessUnitId"] in job_types[job["jobTypeId"]][2] and job["campaignId"] in campaigns
    assert seeds.load_seed("empty").rows == {}
