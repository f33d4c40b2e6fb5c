from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model

from pagetojob.accounts.models import Membership, Workspace
from pagetojob.demo import data
from pagetojob.demo.loader import load_demo
from pagetojob.sites.models import Binding, BindingStatus, CapacityRule, Page
from pagetojob.taxonomy.models import (
    BookingProvider,
    BusinessUnit,
    Campaign,
    JobType,
    MembershipType,
    PricebookService,
    RecurringServiceType,
    Zone,
    ZoneState,
)

pytestmark = pytest.mark.django_db

DP = "desert-peak"
SG = "saguaro-plumbing"
TAXONOMY = (BusinessUnit, JobType, Campaign, Zone, PricebookService, MembershipType, RecurringServiceType,
            BookingProvider)


def _ws(key: str) -> Workspace:
    return Workspace.objects.get(key=key)


def test_counts_fall_in_the_expected_ranges():
    result = load_demo()
    assert result["created"] is True
    assert result["workspaces"] == [DP, SG]
    assert result["login"] == {"email": "demo@pagetojob.local", "password": "desertpeak-demo"}

    dp = result["counts"][DP]
    assert dp["business_units"] == 5
    assert dp["job_types"] == 20
    assert dp["campaigns"] == 10
    assert 4 <= dp["zones"] <= 7
    assert dp["pricebook_services"] == 30
    assert dp["membership_types"] == 3
    assert dp["recurring_service_types"] == 5
    assert dp["booking_providers"] == 2
    assert 6 <= dp["capacity_rules"] <= 10
    assert dp["pages"] == dp["bindings"] == 45

    sg = result["counts"][SG]
    assert (sg["business_units"], sg["job_types"], sg["campaigns"], sg["zones"]) == (2, 5, 3, 2)
    assert (sg["pricebook_services"], sg["membership_types"], sg["booking_providers"]) == (6, 1, 1)
    assert sg["capacity_rules"] == 2
    assert sg["pages"] == sg["bindings"] == 8

    assert _ws(DP).is_demo and _ws(SG).is_demo
    assert Page.objects.filter(workspace=_ws(DP)).count() == 45


def test_named_objects_exist_with_their_flags():
    load_demo()
    ws = _ws(DP)
    assert JobType.objects.get(workspace=ws, name="Water Heater Repair").active is False
    campaign = Campaign.objects.get(workspace=ws, name="Summer AC Demand")
    assert (campaign.category, campaign.source_label, campaign.medium, campaign.active) == (
        "Paid Search", "google", "cpc", True)
    assert Campaign.objects.get(workspace=ws, name="Winter Furnace Promo 2025").active is False
    diagnostic = PricebookService.objects.get(workspace=ws, name="AC Diagnostic")
    assert diagnostic.code == "HVAC-DIAG-001"
    assert diagnostic.price == Decimal("89.00")
    assert MembershipType.objects.get(workspace=ws, name="Legacy Gold Plan").active is False
    assert PricebookService.objects.filter(workspace=ws, active=False).exists()
    rule = CapacityRule.objects.get(workspace=ws, kind="after_hours_emergency")
    assert rule.cta == "call_now"
    assert rule.cta_label == "Call now / Request the next available appointment"
    for model in TAXONOMY:
        for item in model.objects.filter(workspace=ws):
            assert item.source == "demo"
            assert item.st_id is not None
            assert item.last_seen_at is not None
            assert item.raw["name"] == item.name
            json.dumps(item.raw)


def test_every_page_has_a_binding_in_every_status():
    load_demo()
    for key in (DP, SG):
        assert not Page.objects.filter(workspace=_ws(key), binding__isnull=True).exists()
    statuses = set(Binding.objects.filter(workspace=_ws(DP)).values_list("status", flat=True))
    assert statuses == set(BindingStatus.values)
    for binding in Binding.objects.filter(status=BindingStatus.APPROVED).select_related("job_type"):
        assert binding.approved_at is not None
        assert binding.approved_by is not None
        assert set(binding.approved_names) == {"job_type", "business_unit", "campaign", "membership_type"}
        assert binding.approved_names["job_type"] == (binding.job_type.name if binding.job_type else None)
    owner = get_user_model().objects.get(email="owner@desertpeakair.com")
    assert {b.approved_by for b in Binding.objects.filter(workspace=_ws(DP), status="approved")} == {owner}


def test_all_four_zone_states_appear():
    load_demo()
    states = set(Zone.objects.filter(workspace=_ws(DP)).values_list("state", flat=True))
    assert states == set(ZoneState.values)


def test_deliberate_drift_is_present():
    load_demo()
    ws = _ws(DP)
    pages = {page.path: page for page in Page.objects.filter(workspace=ws).select_related("binding")}

    water = pages["/water-heater-repair"].binding
    assert water.status == "approved" and water.job_type.active is False

    leak = pages["/leak-detection"].binding
    assert leak.business_unit not in leak.job_type.business_units.all()

    summer = pages["/lp/summer-ac-demand"]
    assert summer.utm_campaign == "summer-ac-demand" and summer.binding.campaign.name == "Summer AC Demand"

    assert Binding.objects.filter(workspace=ws, campaign__active=False).exists()
    diag = pages["/offers/89-ac-diagnostic"]
    assert diag.advertised_price == Decimal("79.00")
    assert diag.binding.pricebook_services.get().price == Decimal("89.00")
    assert pages["/offers/spring-tune-up-special"].offer_expires_on.isoformat() < "2026-11-01"

    zips = {z for zone in Zone.objects.filter(workspace=ws) for z in zone.zips}
    assert not set(pages["/service-areas/flagstaff"].zips) & zips
    assert pages["/service-areas/queen-creek"].binding.zones.get().state == "paused"
    assert Binding.objects.filter(workspace=ws, page__kind="membership",
                                  membership_type__active=False).exists()

    assert "24_7" in pages["/emergency-plumber"].promises
    assert not CapacityRule.objects.filter(workspace=ws, kind="after_hours_emergency",
                                           business_unit__trade="Plumbing").exists()

    first, second = pages["/ac-repair"].binding, pages["/ac-repair-phoenix"].binding
    assert (first.job_type, first.business_unit, first.campaign) == (
        second.job_type, second.business_unit, second.campaign)

    empty = pages["/about"].binding
    assert empty.status == "draft" and empty.job_type is None and empty.campaign is None


def test_loading_twice_does_not_duplicate():
    first = load_demo()
    users_before = get_user_model().objects.count()
    second = load_demo()
    assert second["created"] is False
    assert second["counts"] == first["counts"]
    assert Workspace.objects.filter(key=DP).count() == 1
    assert get_user_model().objects.count() == users_before


def test_reset_reloads_without_duplicates():
    first = load_demo()
    pages_before = Page.objects.count()
    again = load_demo(reset=True)
    assert again["created"] is True
    assert again["counts"] == first["counts"]
    assert Page.objects.count() == pages_before
    assert Workspace.objects.filter(key__in=[DP, SG]).count() == 2
    emails = [row.email for row in data.USERS]
    assert get_user_model().objects.filter(email__in=emails).count() == len(emails)


def test_demo_user_can_sign_in_with_roles():
    load_demo()
    user = authenticate(username="demo@pagetojob.local", password="desertpeak-demo")
    assert user is not None
    assert (user.first_name, user.last_name, user.username) == ("Morgan", "Hayes", "demo@pagetojob.local")
    roles = dict(Membership.objects.filter(user=user).values_list("workspace__key", "role"))
    assert roles == {DP: "owner", SG: "admin"}
    for email, role in [("office@desertpeakair.com", "operator"), ("owner@desertpeakair.com", "owner"),
                        ("viewer@desertpeakair.com", "viewer")]:
        other = authenticate(username=email, password="desertpeak-demo")
        assert other is not None
        assert Membership.objects.get(user=other, workspace=_ws(DP)).role == role
    assert get_user_model().objects.get(email="owner@desertpeakair.com").get_full_name() == "Dana Whitfield"


def test_every_bound_object_belongs_to_the_page_workspace():
    load_demo()
    bindings = Binding.objects.select_related(
        "page", "job_type", "business_unit", "campaign", "membership_type", "booking_provider")
    assert bindings.count() == 53
    for binding in bindings:
        ws_id = binding.page.workspace_id
        assert binding.workspace_id == ws_id
        for field in ("job_type", "business_unit", "campaign", "membership_type", "booking_provider"):
            obj = getattr(binding, field)
            assert obj is None or obj.workspace_id == ws_id, (binding.page.path, field)
        assert all(zone.workspace_id == ws_id for zone in binding.zones.all())
        assert all(service.workspace_id == ws_id for service in binding.pricebook_services.all())
    for job_type in JobType.objects.all():
        assert all(unit.workspace_id == job_type.workspace_id for unit in job_type.business_units.all())
    for rule in CapacityRule.objects.select_related("business_unit", "job_type", "zone"):
        for obj in (rule.business_unit, rule.job_type, rule.zone):
            assert obj is None or obj.workspace_id == rule.workspace_id
    for recurring in RecurringServiceType.objects.select_related("membership_type"):
        assert recurring.membership_type.workspace_id == recurring.workspace_id
