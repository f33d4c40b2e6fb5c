"""Coverage score and mapping gaps."""

from __future__ import annotations

import pytest

from pagetojob.sites import coverage
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind
from pagetojob.taxonomy.models import Zone


def add_page(world, path, kind, status=BindingStatus.DRAFT, **binding):
    page = Page.objects.create(workspace=world.workspace, site=world.page.site, path=path, kind=kind)
    zones = binding.pop("zones", [])
    created = Binding.objects.create(workspace=world.workspace, page=page, status=status, **binding)
    created.zones.set(zones)
    return page


def gaps_of(page):
    annotated = coverage.with_gap_flags(Page.objects.filter(pk=page.pk)).select_related("binding").get()
    return {gap.key for gap in coverage.page_gaps(annotated)}


@pytest.mark.django_db
def test_fully_bound_page_has_no_gaps_and_counts_toward_coverage(world):
    page = add_page(world, "/ac", PageKind.SERVICE, BindingStatus.APPROVED, job_type=world.ac_repair,
                    business_unit=world.hvac)
    assert gaps_of(page) == set()
    summary = coverage.summarize(world.workspace)
    assert (summary.total, summary.fully_bound, summary.score) == (2, 1, 50)


@pytest.mark.django_db
def test_each_gap_is_detected(world):
    zone = Zone.objects.get(workspace=world.workspace)
    assert gaps_of(world.page) == {"not_approved", "missing_job_type", "missing_business_unit"}
    wrong = add_page(world, "/wrong", PageKind.SERVICE, BindingStatus.APPROVED, job_type=world.drain,
                     business_unit=world.hvac)
    assert gaps_of(wrong) == {"job_type_not_allowed"}
    inactive = add_page(world, "/old", PageKind.SERVICE, BindingStatus.APPROVED, job_type=world.old_job_type,
                        business_unit=world.plumbing)
    assert gaps_of(inactive) == {"inactive_object"}
    location = add_page(world, "/phoenix", PageKind.LOCATION, BindingStatus.APPROVED, business_unit=world.hvac)
    assert gaps_of(location) == {"missing_zones"}
    Zone.objects.filter(pk=zone.pk).update(active=False)
    location_inactive = add_page(world, "/tempe", PageKind.LOCATION, BindingStatus.APPROVED,
                                 business_unit=world.hvac, zones=[zone])
    assert gaps_of(location_inactive) == {"missing_zones", "inactive_object"}
    campaign = add_page(world, "/lp", PageKind.CAMPAIGN, BindingStatus.SUGGESTED, job_type=world.ac_repair,
                        business_unit=world.hvac)
    assert gaps_of(campaign) == {"not_approved", "missing_campaign"}


@pytest.mark.django_db
def test_retired_pages_are_left_out_and_counts_match_the_rows(world):
    add_page(world, "/gone", PageKind.SERVICE, BindingStatus.RETIRED)
    summary = coverage.summarize(world.workspace)
    assert summary.total == 1 and summary.retired == 1
    assert summary.by_status[BindingStatus.RETIRED] == 1
    for gap in coverage.GAPS:
        listed = coverage.live_pages(world.workspace).filter(gap.condition()).count()
        assert summary.gap_counts[gap.key] == listed


@pytest.mark.django_db
def test_coverage_of_an_empty_workspace_is_zero(world):
    Page.objects.filter(workspace=world.workspace).delete()
    summary = coverage.summarize(world.workspace)
    assert (summary.total, summary.score) == (0, 0)
