"""Mapping suggestions on the Desert Peak demo: the right objects, evidence, reject and accept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pagetojob.accounts.models import AuditEntry, Workspace
from pagetojob.demo.loader import load_demo
from pagetojob.sites import suggestions
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind
from pagetojob.taxonomy.models import BusinessUnit, JobType

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()
    workspace = Workspace.objects.get(key="desert-peak")
    workspace.owner = workspace.memberships.get(role="owner", user__email="owner@desertpeakair.com").user
    return workspace


def add_page(workspace, path, title, kind=PageKind.SERVICE, **fields) -> Page:
    site = workspace.sites.get()
    page = Page.objects.create(workspace=workspace, site=site, path=path, title=title, kind=kind, **fields)
    Binding.objects.create(workspace=workspace, page=page)
    return page


def suggest(workspace, path) -> suggestions.PageSuggestion:
    page = Page.objects.select_related("site").get(workspace=workspace, path=path)
    return suggestions.suggest_for_page(page, suggestions.Catalogue(workspace))


def evidence_for(items, field):
    return [item for item in items if item["field"] == field]


def test_ac_repair_phoenix_is_ac_repair_in_hvac_service_and_phoenix_metro(demo):
    result = suggest(demo, "/ac-repair-phoenix")
    assert result.job_type.name == "AC Repair"
    assert result.business_unit.name == "HVAC Service"
    assert [zone.name for zone in result.zones] == ["Phoenix Metro"]
    assert "AC Diagnostic" in [service.name for service in result.pricebook_services]
    job = evidence_for(result.evidence, "job_type")[0]
    assert job["matched"] == ["ac", "repair"]
    assert job["reason"].startswith("'ac' + 'repair' in URL matched job type AC Repair")
    assert 0.9 <= job["score"] <= 1.0 and 0.9 <= result.score <= 1.0


def test_suggest_for_workspace_fills_an_unbound_page_and_audits_once(demo):
    page = add_page(demo, "/a-c-repair-glendale", "A/C Repair in Glendale, AZ")
    counts = suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[page.pk])
    assert counts == {"considered": 1, "suggested": 1, "no_match": 0, "below_threshold": 0}
    binding = Binding.objects.get(page=page)
    assert binding.status == BindingStatus.SUGGESTED
    assert (binding.job_type.name, binding.business_unit.name) == ("AC Repair", "HVAC Service")
    assert [zone.name for zone in binding.zones.all()] == ["West Valley"]
    assert binding.suggested_at is not None and 0 < binding.suggestion_score <= 1
    assert evidence_for(binding.suggestion_evidence, "job_type")[0]["matched"] == ["a c", "repair"]
    zone = evidence_for(binding.suggestion_evidence, "zones")[0]
    assert zone["reason"] == "'glendale' in URL is a city of zone West Valley" and zone["matched"] == ["glendale"]
    entry = AuditEntry.objects.filter(workspace=demo, action="binding.suggest").order_by("-pk").first()
    assert entry.details["Suggested"] == 1 and entry.details["Pages"] == ["/a-c-repair-glendale"]


def test_water_heater_installation_is_never_a_heating_job(demo):
    result = suggest(demo, "/water-heater-installation")
    assert result.job_type.name == "Water Heater Install"
    assert result.business_unit.name == "Plumbing Install & Water Heaters"
    add_page(demo, "/hot-water-heater-replacement", "Hot Water Heater Replacement")
    ranked = [r.job_type.name for r in suggest(demo, "/hot-water-heater-replacement").ranked[:3]]
    assert ranked[0] == "Water Heater Install"
    assert not any("Furnace" in name or "Heat Pump" in name for name in ranked)


def test_inactive_water_heater_repair_is_never_suggested(demo):
    result = suggest(demo, "/water-heater-repair")
    assert "Water Heater Repair" not in [r.job_type.name for r in result.ranked]
    assert result.job_type.name == "Water Heater Service"
    inactive = JobType.objects.get(workspace=demo, name="Water Heater Repair")
    page = add_page(demo, "/water-heater-repair-mesa", "Water Heater Repair Mesa")
    suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[page.pk])
    assert Binding.objects.get(page=page).job_type_id != inactive.pk


@pytest.mark.parametrize("path,title,expected", [
    ("/ac-replacement", None, "AC Replacement Estimate"),
    ("/ac-tune-up", None, "AC Tune-Up"),
    ("/emergency-ac-repair", None, "Emergency AC Repair"),
    ("/furnace-repair", None, "Furnace Repair"),
    ("/furnace-tune-up", None, "Furnace Tune-Up"),
    ("/drain-cleaning", None, "Drain Cleaning"),
    ("/sewer-line-inspection", None, "Sewer Line Inspection"),
    ("/new-heat-pump-installation-tempe", "New Heat Pump Installation in Tempe", "Heat Pump Install"),
    ("/24-hour-emergency-plumber", "24 Hour Emergency Plumber Phoenix", "Emergency Plumbing"),
])
def test_the_action_decides_between_job_types_of_one_equipment(demo, path, title, expected):
    if title:
        add_page(demo, path, title)
    assert suggest(demo, path).job_type.name == expected


def test_business_unit_is_always_one_the_job_type_is_allowed_in(demo):
    catalogue = suggestions.Catalogue(demo)
    for page in Page.objects.filter(workspace=demo).select_related("site"):
        result = suggestions.suggest_for_page(page, catalogue)
        if result.job_type and result.business_unit:
            assert result.job_type.business_units.filter(pk=result.business_unit.pk).exists(), page.path
        assert all(item.active for item in [result.job_type, result.business_unit, result.membership_type,
                                             *result.zones, *result.pricebook_services] if item is not None)


def test_an_existing_business_unit_is_kept_and_constrains_the_job_type(demo):
    page = add_page(demo, "/water-heater-help", "Water Heater Help")
    plumbing = BusinessUnit.objects.get(workspace=demo, name="Plumbing Service")
    Binding.objects.filter(page=page).update(business_unit=plumbing)
    suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[page.pk])
    binding = Binding.objects.get(page=page)
    assert binding.business_unit == plumbing
    assert binding.job_type.business_units.filter(pk=plumbing.pk).exists()
    assert not evidence_for(binding.suggestion_evidence, "business_unit")


def test_rejected_suggestions_are_cleared_audited_and_not_suggested_again(demo):
    page = add_page(demo, "/ac-repair-peoria", "AC Repair Peoria AZ")
    suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[page.pk])
    binding = Binding.objects.get(page=page)
    cleared = suggestions.reject_suggestion(binding, demo.owner)
    assert "Job type AC Repair" in cleared and "Zone West Valley" in cleared
    binding.refresh_from_db()
    assert binding.status == BindingStatus.DRAFT and binding.suggestion_rejected_at is not None
    assert binding.job_type is None and binding.business_unit is None and not binding.zones.exists()
    entry = AuditEntry.objects.get(action="binding.suggestion_reject")
    assert entry.details["Cleared"] == cleared and entry.target_id == str(binding.pk)
    counts = suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[page.pk])
    assert counts["considered"] == 0
    binding.refresh_from_db()
    assert binding.status == BindingStatus.DRAFT and binding.job_type is None
    with pytest.raises(suggestions.bindings.BindingError):
        suggestions.reject_suggestion(binding, demo.owner)


def test_reject_keeps_what_a_person_bound_before_the_suggestion(demo):
    page = Page.objects.get(workspace=demo, path="/service-areas/gilbert")  # zones were bound by hand
    suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[page.pk])
    binding = Binding.objects.get(page=page)
    assert binding.status == BindingStatus.SUGGESTED and binding.job_type.name == "AC Repair"
    suggestions.reject_suggestion(binding, demo.owner)
    assert [zone.name for zone in binding.zones.all()] == ["East Valley"]


def test_accept_approves_complete_suggestions_and_names_the_gaps_of_the_rest(demo):
    service = add_page(demo, "/furnace-repair-gilbert", "Furnace Repair Gilbert AZ")
    location = add_page(demo, "/service-areas/prescott", "AC Repair in Prescott, AZ", kind=PageKind.LOCATION,
                        city="Prescott")
    counts = suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[service.pk, location.pk])
    assert counts["suggested"] == 2
    result = suggestions.accept_suggestions(demo, demo.owner, page_ids=[service.pk, location.pk])
    assert result.approved == ["/furnace-repair-gilbert"]
    assert result.skipped == [("/service-areas/prescott", "no active zone")]
    assert Binding.objects.get(page=service).approved_by == demo.owner
    assert Binding.objects.get(page=location).status == BindingStatus.SUGGESTED


def test_accept_above_a_score_leaves_the_lower_ones(demo):
    high = add_page(demo, "/ac-tune-up-mesa", "AC Tune-Up Mesa")
    low = add_page(demo, "/cooling-tips", "Cooling tips for the monsoon")
    suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[high.pk, low.pk])
    Binding.objects.filter(page=low).update(status=BindingStatus.SUGGESTED, suggestion_score=0.4)
    result = suggestions.accept_suggestions(demo, demo.owner, min_score=0.8)
    assert "/ac-tune-up-mesa" in result.approved and "/cooling-tips" not in result.approved
    assert Binding.objects.get(page=low).status == BindingStatus.SUGGESTED
    with pytest.raises(ValueError):
        suggestions.accept_suggestions(demo, demo.owner)


def test_threshold_and_pages_with_nothing_to_match(demo):
    about = Page.objects.get(workspace=demo, path="/about")
    page = add_page(demo, "/ac-repair-tempe", "AC Repair Tempe | Same-Day Service")
    counts = suggestions.suggest_for_workspace(demo, demo.owner, page_ids=[about.pk, page.pk], threshold=0.99)
    assert counts == {"considered": 2, "suggested": 0, "no_match": 1, "below_threshold": 1}
    assert Binding.objects.get(page=about).status == BindingStatus.DRAFT


def test_a_page_without_a_binding_gets_one(demo):
    page = Page.objects.create(workspace=demo, site=demo.sites.get(), path="/heat-pump-repair-mesa",
                               title="Heat Pump Repair Mesa", kind=PageKind.SERVICE)
    suggestions.suggest_for_workspace(demo, demo.owner)
    assert Binding.objects.get(page=page).job_type.name == "Heat Pump Repair"


def test_membership_offer_and_price_evidence(demo):
    add_page(demo, "/comfort-club-plus", "Comfort Club Plus: Priority Plumbing Care", kind=PageKind.MEMBERSHIP,
             advertised_price=Decimal("29.95"))
    result = suggest(demo, "/comfort-club-plus")
    assert result.membership_type.name == "Comfort Club Plus"
    assert "'comfort' + 'club' + 'plus'" in evidence_for(result.evidence, "membership_type")[0]["reason"]
    add_page(demo, "/lp/ac-checkup", "Beat the Heat: $89 AC Diagnostic", kind=PageKind.CAMPAIGN)
    offer = suggest(demo, "/lp/ac-checkup")
    assert offer.pricebook_services[0].name == "AC Diagnostic"
    service = evidence_for(offer.evidence, "pricebook_services")[0]
    assert "$89" in service["matched"] and "the advertised $89 matches its price" in service["reason"]


def test_suggestions_use_only_the_pages_own_workspace(demo):
    saguaro = Workspace.objects.get(key="saguaro-plumbing")
    result = suggest(saguaro, "/drain-cleaning-tucson")
    assert result.job_type.workspace_id == saguaro.pk and result.business_unit.workspace_id == saguaro.pk
    assert [zone.name for zone in result.zones] == ["Tucson Metro"]


@pytest.mark.parametrize("raw,expected", [("0.8", 0.8), ("80", 0.8), ("80%", 0.8), ("1", 1.0), ("", None),
                                          ("abc", None), ("150", None), ("-1", None), ("nan", None)])
def test_parse_score(raw, expected):
    assert suggestions.parse_score(raw) == expected
