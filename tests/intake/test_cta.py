"""Capacity-aware CTAs: the demo's pages and rules at fixed Phoenix times give the answer a visitor should see."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pagetojob.demo.loader import load_demo
from pagetojob.sites.capacity import choose_cta
from pagetojob.sites.models import Binding, CapacityRule, CtaMode

PHOENIX = ZoneInfo("America/Phoenix")
WEDNESDAY_NIGHT = datetime(2026, 7, 15, 23, 0, tzinfo=PHOENIX)
WEDNESDAY_MORNING = datetime(2026, 7, 15, 10, 0, tzinfo=PHOENIX)
THURSDAY_EARLY = datetime(2026, 7, 16, 5, 30, tzinfo=PHOENIX)
SATURDAY_MORNING = datetime(2026, 7, 18, 9, 0, tzinfo=PHOENIX)


@pytest.fixture
def demo(db):
    load_demo()
    rules = list(CapacityRule.objects.filter(workspace__key="desert-peak"))

    def cta(path: str, at: datetime, **options):
        binding = Binding.objects.select_related("page__site__workspace").get(
            workspace__key="desert-peak", page__path=path)
        return choose_cta(binding, rules, at, **options)

    return cta


def test_after_hours_emergency_hvac_says_call_now_or_request_next_available(demo):
    cta = demo("/emergency-ac-repair", WEDNESDAY_NIGHT)
    assert (cta.mode, cta.primary, cta.secondary) == (
        CtaMode.CALL_NOW, "Call now", "Request the next available appointment")
    assert cta.phone == "(602) 555-0148" and cta.tel == "tel:6025550148" and cta.show_form
    assert "After-hours emergency HVAC" in cta.reason


def test_the_after_hours_window_runs_past_midnight(demo):
    assert demo("/emergency-ac-repair", THURSDAY_EARLY).mode == CtaMode.CALL_NOW


def test_inside_business_hours_a_request_with_same_day_slots(demo):
    cta = demo("/ac-repair-phoenix", WEDNESDAY_MORNING)
    assert cta.mode == CtaMode.REQUEST_APPOINTMENT and cta.same_day
    assert cta.primary == "Request an appointment — same-day slots available"
    assert demo("/ac-repair-phoenix", SATURDAY_MORNING).same_day


def test_plumbing_after_hours_has_no_emergency_rule_so_next_available(demo):
    cta = demo("/drain-cleaning", datetime(2026, 7, 15, 17, 30, tzinfo=PHOENIX))
    assert cta.mode == CtaMode.REQUEST_APPOINTMENT
    assert cta.primary == "Request the next available appointment" and not cta.same_day


def test_scheduling_pro_books_online_in_hours_unless_the_embed_is_disabled(demo):
    assert demo("/lp/summer-ac-demand", WEDNESDAY_MORNING).mode == CtaMode.BOOK_ONLINE
    disabled = demo("/lp/summer-ac-demand", WEDNESDAY_MORNING, scheduler_disabled=True)
    assert disabled.mode == CtaMode.REQUEST_APPOINTMENT and disabled.show_form
    assert demo("/lp/summer-ac-demand", WEDNESDAY_NIGHT).mode == CtaMode.CALL_NOW


def test_explicit_binding_mode_wins_over_a_phone_first_path(demo):
    cta = demo("/ac-replacement", WEDNESDAY_NIGHT)
    assert cta.mode == CtaMode.REQUEST_APPOINTMENT and "binding" in cta.reason


def test_a_service_exception_applies_when_the_binding_leaves_the_cta_to_the_rules(demo):
    Binding.objects.filter(page__path="/ductless-mini-splits").update(cta_mode=CtaMode.AUTO)
    cta = demo("/ductless-mini-splits", WEDNESDAY_MORNING)
    assert (cta.mode, cta.primary, cta.same_day) == (
        CtaMode.REQUEST_APPOINTMENT, "Request an in-home consultation", False)


def test_a_page_bound_to_a_paused_zone_is_paused(demo):
    cta = demo("/service-areas/queen-creek", WEDNESDAY_MORNING)
    assert cta.mode == CtaMode.PAUSED and "Queen Creek" in cta.primary and cta.phone


def test_the_visitors_zone_state_pauses_or_limits_to_emergencies(demo):
    assert demo("/ac-repair-phoenix", WEDNESDAY_MORNING, zone_state="paused").mode == CtaMode.PAUSED
    emergency = demo("/ac-repair-phoenix", WEDNESDAY_MORNING, zone_state="emergency_only")
    assert (emergency.mode, emergency.primary) == (CtaMode.CALL_NOW, "Emergency service only — call now")


def test_the_phone_first_kill_switch_beats_everything_and_hides_the_form(demo):
    for path in ("/lp/summer-ac-demand", "/ac-replacement", "/service-areas/queen-creek"):
        cta = demo(path, WEDNESDAY_MORNING, phone_first=True)
        assert cta.mode == CtaMode.CALL_NOW and not cta.show_form and cta.phone == "(602) 555-0148"


def test_without_a_binding_the_site_form_requests_an_appointment(demo):
    rules = list(CapacityRule.objects.filter(workspace__key="desert-peak"))
    cta = choose_cta(None, rules, WEDNESDAY_NIGHT, phone="(602) 555-0148")
    assert cta.mode == CtaMode.REQUEST_APPOINTMENT and cta.tel == "tel:6025550148"
