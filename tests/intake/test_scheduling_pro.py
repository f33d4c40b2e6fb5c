"""Scheduling Pro: the alignment check, the screen that records schedulers, and the form as the fallback."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.readiness.models import ModuleAnswer, ModuleOwnership
from pagetojob.sites import scheduling
from pagetojob.sites.capacity import choose_cta
from pagetojob.sites.models import Binding, BookingPath, CapacityKind, CapacityRule, CtaMode, Scheduler
from pagetojob.taxonomy.models import Zone, ZoneState
from tests.conftest import PASSWORD

URL = "/w/acme-air/scheduling-pro/"


@pytest.fixture
def scheduled(world):
    """The world's AC repair page sends visitors to a scheduler that books AC Repair in its zone."""
    zone = Zone.objects.create(workspace=world.workspace, st_id=880, name="Central", zips=["85004"],
                               state=ZoneState.ACTIVE)
    binding = Binding.objects.get(page=world.page)
    binding.booking_path, binding.scheduler_id = BookingPath.SCHEDULING_PRO, "acme-sched-1"
    binding.job_type, binding.business_unit = world.ac_repair, world.hvac
    binding.save()
    binding.zones.set([zone])
    scheduler = Scheduler.objects.create(workspace=world.workspace, scheduler_id="acme-sched-1", name="Repairs")
    scheduler.job_types.set([world.ac_repair])
    scheduler.zones.set([zone])
    ModuleOwnership.objects.create(workspace=world.workspace, module="scheduling_pro", answer=ModuleAnswer.OWNED)
    return binding, scheduler, zone


def messages(alignment):
    return [(finding.severity, finding.message) for finding in alignment.findings]


@pytest.mark.django_db
def test_an_aligned_scheduler_has_no_findings(world, scheduled):
    alignment = scheduling.check(world.workspace, owned=True)
    assert alignment.aligned and messages(alignment) == []
    assert [b.pk for b in alignment.pages_by_scheduler["acme-sched-1"]] == [scheduled[0].pk]


@pytest.mark.django_db
def test_a_page_selling_a_job_type_its_scheduler_does_not_book(world, scheduled):
    binding, scheduler, _ = scheduled
    scheduler.job_types.set([world.drain])
    [(severity, message)] = messages(scheduling.check(world.workspace, owned=True))
    assert severity == "error" and "sells AC Repair" in message and "books Drain Cleaning" in message


@pytest.mark.django_db
def test_zones_the_page_serves_but_the_scheduler_does_not_book(world, scheduled):
    binding, scheduler, zone = scheduled
    other = Zone.objects.create(workspace=world.workspace, st_id=881, name="North", zips=["85331"])
    binding.zones.add(other)
    [(severity, message)] = messages(scheduling.check(world.workspace, owned=True))
    assert severity == "warning" and "serves North" in message


@pytest.mark.django_db
def test_unknown_scheduler_inactive_job_type_paused_zone_and_unused_scheduler(world, scheduled):
    binding, scheduler, zone = scheduled
    scheduler.job_types.add(world.old_job_type)
    Zone.objects.filter(pk=zone.pk).update(state=ZoneState.PAUSED)
    Scheduler.objects.create(workspace=world.workspace, scheduler_id="spare", name="Spare")
    Binding.objects.filter(pk=binding.pk).update(scheduler_id="typo-sched")
    found = messages(scheduling.check(world.workspace, owned=True))
    unknown = f"{world.page.path} sends visitors to scheduler “typo-sched”, which is not recorded here."
    assert ("error", unknown) in found
    assert any(s == "warning" and "inactive in ServiceTitan" in m for s, m in found)
    assert any(s == "warning" and "which is paused" in m for s, m in found)
    assert ("info", "No page sends visitors to Spare.") in found


@pytest.mark.django_db
def test_without_scheduling_pro_recorded_the_pages_fall_back_to_the_form(world, scheduled):
    found = messages(scheduling.check(world.workspace, owned=False))
    assert found[0][0] == "error" and "has not recorded that the contractor has Scheduling Pro" in found[0][1]
    CapacityRule.objects.create(workspace=world.workspace, name="Hours", kind=CapacityKind.BUSINESS_HOURS,
                                weekdays=[0, 1, 2, 3, 4, 5, 6])
    at = datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("America/Phoenix"))
    rules = CapacityRule.objects.filter(workspace=world.workspace)
    assert choose_cta(scheduled[0], rules, at).mode == CtaMode.BOOK_ONLINE
    assert choose_cta(scheduled[0], rules, at, scheduler_disabled=True).mode == CtaMode.REQUEST_APPOINTMENT


@pytest.mark.django_db
def test_the_hosted_form_books_online_only_when_scheduling_pro_is_recorded(world, scheduled, client):
    CapacityRule.objects.create(workspace=world.workspace, name="Hours", kind=CapacityKind.BUSINESS_HOURS,
                                weekdays=[0, 1, 2, 3, 4, 5, 6])
    url = f"/f/{world.page.site.key}/p/{world.page.pk}/"
    assert "Book online" in client.get(url).content.decode()
    ModuleOwnership.objects.filter(workspace=world.workspace).update(answer=ModuleAnswer.NOT_OWNED)
    page = client.get(url).content.decode()
    assert "Book online" not in page and 'id="booking-form"' in page


@pytest.mark.django_db
def test_a_marketer_records_a_scheduler_and_a_viewer_cannot(world, client):
    client.login(username=world.viewer.email, password=PASSWORD)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"scheduler_id": "x", "name": "X"}).status_code == 403
    client.login(username=world.marketer.email, password=PASSWORD)
    response = client.post(URL, {"scheduler_id": " acme-new ", "name": "Installs",
                                 "job_types": [world.ac_repair.pk], "notes": ""})
    assert response.status_code == 302
    scheduler = Scheduler.objects.get(workspace=world.workspace)
    assert scheduler.scheduler_id == "acme-new" and list(scheduler.job_types.all()) == [world.ac_repair]
    assert AuditEntry.objects.filter(workspace=world.workspace, action="scheduler.save").exists()
    again = client.post(URL, {"scheduler_id": "acme-new", "name": "Copy"})
    assert again.status_code == 200 and "already recorded" in again.content.decode()
    page = client.get(URL).content.decode()
    assert "Installs" in page and "Scheduling Pro isn't recorded for this workspace" in page
    client.post(URL, {"delete": scheduler.pk})
    assert not Scheduler.objects.filter(workspace=world.workspace).exists()
