"""A review stores its findings and the diff with the last review: new, persisting, resolved."""

from __future__ import annotations

import socket

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pagetojob.core import worker
from pagetojob.core.models import WorkState
from pagetojob.drift import reviews, rules
from pagetojob.drift.models import DriftFinding, DriftReview, FindingStatus, Trigger
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind
from pagetojob.taxonomy.models import JobType
from tests.drift.conftest import add_page, approve, review_now

pytestmark = pytest.mark.django_db


def test_first_review_finds_the_unapproved_page(world):
    review = review_now(world.workspace)
    assert review.work_state == WorkState.DONE
    assert (review.new_count, review.persisting_count, review.resolved_count) == (1, 0, 0)
    finding = DriftFinding.objects.get(workspace=world.workspace)
    assert (finding.rule, finding.severity, finding.page_path, finding.status) == (
        "unapproved_or_competing", "low", "/ac-repair", FindingStatus.OPEN)
    assert finding.first_review == finding.last_review == review
    assert review.pages_checked == 2 and review.counts == {"high": 0, "medium": 0, "low": 1, "info": 0}


def test_a_finding_persists_then_resolves_when_the_page_is_fixed(world):
    first = review_now(world.workspace)
    second = review_now(world.workspace)
    finding = DriftFinding.objects.get(workspace=world.workspace)
    assert (second.new_count, second.persisting_count, second.resolved_count) == (0, 1, 0)
    assert finding.first_review == first and finding.last_review == second and second.previous == first

    approve(Binding.objects.get(page=world.page), job_type=world.ac_repair, business_unit=world.hvac)
    third = review_now(world.workspace)
    finding.refresh_from_db()
    assert (third.new_count, third.persisting_count, third.resolved_count) == (0, 0, 1)
    assert finding.status == FindingStatus.RESOLVED and finding.resolved_review == third
    assert third.total == 0


def test_a_problem_that_returns_is_a_new_finding_and_history_keeps_the_old_one(bound):
    JobType.objects.filter(pk=bound.ac_repair.pk).update(active=False)
    review_now(bound.workspace)
    JobType.objects.filter(pk=bound.ac_repair.pk).update(active=True)
    review_now(bound.workspace)
    JobType.objects.filter(pk=bound.ac_repair.pk).update(active=False)
    again = review_now(bound.workspace)
    rows = DriftFinding.objects.filter(workspace=bound.workspace, rule="inactive_object",
                                       page_path="/ac-repair").order_by("pk")
    assert [row.status for row in rows] == [FindingStatus.RESOLVED, FindingStatus.OPEN]
    assert rows[0].fingerprint == rows[1].fingerprint
    assert again.new_count == 2  # /ac-repair and the Phoenix page, both bound to AC Repair


def test_other_workspaces_are_untouched(world):
    review_now(world.workspace)
    assert not DriftFinding.objects.filter(workspace=world.other).exists()
    assert DriftReview.objects.filter(workspace=world.other).count() == 0


def _grow(world, count: int) -> None:
    """Pages with a problem of every kind a page can have, so every rule has rows to look at."""
    for index in range(count):
        page = add_page(world, f"/grow-{count}-{index}", PageKind.LOCATION if index % 2 else PageKind.OFFER,
                        city="Flagstaff" if index % 3 == 0 else "Phoenix", zips=["85004"] if index % 3 else [],
                        advertised_price="79.00", offer_text="$79 special", utm_campaign="summer-ac-demand",
                        promises=["24_7"])
        binding = Binding.objects.get(page=page)
        binding.job_type = world.old_job_type if index % 2 else world.ac_repair
        binding.business_unit = world.plumbing
        binding.status = BindingStatus.APPROVED
        binding.approved_names = {"job_type": "Renamed"}
        binding.save()


def test_queries_do_not_grow_with_the_number_of_pages(world):
    """Like for like: a review after a review (so the same statements run), at 6 and at 66 pages."""
    _grow(world, 5)
    review_now(world.workspace)  # the first review also loads the ZIP data
    with CaptureQueriesContext(connection) as small:
        review_now(world.workspace)
    _grow(world, 60)
    grown = review_now(world.workspace)
    with CaptureQueriesContext(connection) as large:
        large_review = review_now(world.workspace)
    assert grown.new_count > 60 and large_review.persisting_count == grown.new_count + grown.persisting_count
    assert large_review.pages_checked == Page.objects.filter(workspace=world.workspace).count() == 67
    assert len(large.captured_queries) == len(small.captured_queries), [q["sql"][:90] for q in large.captured_queries]


def test_a_review_makes_no_network_call(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a drift review tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(httpx.Client, "send", refuse)
    add_page(world, "/service-areas/flagstaff", PageKind.LOCATION, city="Flagstaff, AZ")
    review = review_now(world.workspace)
    assert review.work_state == WorkState.DONE
    assert DriftFinding.objects.filter(rule="outside_active_zones", page_path="/service-areas/flagstaff").exists()


def test_the_worker_runs_a_requested_review(world):
    review, created = reviews.request_review(world.workspace, world.marketer)
    again, created_again = reviews.request_review(world.workspace, world.marketer)
    assert created and not created_again and again == review
    assert worker.run_once("test-worker") >= 1
    review.refresh_from_db()
    assert review.work_state == WorkState.DONE and review.trigger == Trigger.ON_DEMAND
    assert review.requested_by == world.marketer
    assert DriftFinding.objects.filter(workspace=world.workspace, last_review=review).count() == 1


def test_a_failing_review_stores_nothing_and_says_so(world, monkeypatch):
    review_now(world.workspace)
    before = list(DriftFinding.objects.values_list("pk", "status", "last_review_id"))

    def broken(snapshot, rules=rules.RULES):
        raise RuntimeError("rule crashed")

    monkeypatch.setattr(rules, "detect", broken)
    review = reviews.new_review(world.workspace, Trigger.ON_DEMAND)
    with pytest.raises(reviews.ReviewError, match="The review failed: rule crashed"):
        reviews.run_now(review)
    review.refresh_from_db()
    assert review.work_state == WorkState.FAILED and "rule crashed" in review.last_error
    assert list(DriftFinding.objects.values_list("pk", "status", "last_review_id")) == before
