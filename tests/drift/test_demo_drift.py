"""The Desert Peak demo's deliberate drift problems are all found, with the history the demo replays."""

from __future__ import annotations

import pytest

from pagetojob.demo.loader import load_demo
from pagetojob.drift.models import DriftFinding, DriftReview, FindingStatus, Trigger
from pagetojob.drift.rules import RULES

pytestmark = pytest.mark.django_db

# (rule, page path or object name): one line per problem the demo data plants on purpose.
DELIBERATE = {
    ("inactive_object", "/water-heater-repair"),  # job type deactivated in ServiceTitan
    ("job_type_not_allowed", "/leak-detection"),  # Leak Detection is a Plumbing Service job type
    ("campaign_mismatch", "/lp/winter-furnace-promo"),  # retired campaign
    ("campaign_mismatch", "/lp/summer-ac-demand"),  # UTM "summer-ac-demand" vs "Summer AC Demand"
    ("outside_active_zones", "/service-areas/queen-creek"),  # paused zone
    ("outside_active_zones", "/service-areas/flagstaff"),  # outside every zone
    ("zone_without_page", "Fountain Hills"),  # active zone, no page yet
    ("price_or_offer_mismatch", "/offers/89-ac-diagnostic"),  # $79 on the page, $89 in the pricebook
    ("price_or_offer_mismatch", "/lp/winter-furnace-promo"),  # $79 against a $99 inspection
    ("price_or_offer_mismatch", "/offers/spring-tune-up-special"),  # expired in May
    ("retired_membership", "/gold-plan-members"),  # Legacy Gold Plan is retired
    ("unbacked_promise", "/emergency-plumber"),  # 24/7 plumbing without an after-hours plumbing rule
    ("unapproved_or_competing", "/ac-repair"),  # competes with /ac-repair-phoenix
    ("unapproved_or_competing", "/ac-repair-phoenix"),
    ("renamed_object", "/lp/google-lsa"),  # campaign renamed since approval
}


def where(finding: DriftFinding) -> str:
    return finding.page_path or finding.object_name


def test_every_deliberate_problem_is_found_and_every_rule_has_one():
    load_demo()
    unresolved = DriftFinding.objects.filter(workspace__key="desert-peak").exclude(status=FindingStatus.RESOLVED)
    found = {(f.rule, where(f)) for f in unresolved}
    assert DELIBERATE <= found, sorted(DELIBERATE - found)
    assert {rule.id for rule in RULES} == {rule for rule, _ in DELIBERATE}
    # Everything else found is an unreviewed page (rule 9), which the demo has on purpose too.
    others = {(rule, path) for rule, path in found - DELIBERATE}
    assert {rule for rule, _ in others} <= {"unapproved_or_competing"}
    assert len(others) <= 15


def test_the_demo_history_has_a_trend_resolved_findings_and_triage():
    load_demo()
    reviews = list(DriftReview.objects.filter(workspace__key="desert-peak").order_by("reviewed_at"))
    assert reviews[0].trigger == Trigger.ONBOARDING and reviews[-1].trigger == Trigger.ON_DEMAND
    assert {Trigger.MONTHLY} <= {review.trigger for review in reviews} and len(reviews) >= 4
    assert all(review.work_state == "done" for review in reviews)
    assert sum(review.resolved_count for review in reviews) >= 2
    statuses = set(DriftFinding.objects.filter(workspace__key="desert-peak").values_list("status", flat=True))
    assert statuses == set(FindingStatus.values)
    newest = DriftFinding.objects.get(workspace__key="desert-peak", rule="inactive_object")
    assert newest.first_review == reviews[-1]  # Water Heater Repair was deactivated after the last monthly review


def test_the_second_demo_workspace_gets_its_onboarding_review():
    load_demo()
    review = DriftReview.objects.get(workspace__key="saguaro-plumbing")
    assert (review.trigger, review.period, review.work_state) == (Trigger.ONBOARDING, "onboarding", "done")
