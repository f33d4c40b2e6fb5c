"""Applying is review-first and atomic: accepted rows land together, or nothing changes."""

from __future__ import annotations

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.readiness import changes
from pagetojob.sites.models import Binding
from pagetojob.taxonomy import importer
from pagetojob.taxonomy.apply import apply_batch
from pagetojob.taxonomy.models import BatchStatus, CandidateKind, Decision, ImportBatch, JobType, Source


def read(world, files, rows, family="job-types"):
    path = files.csv(rows=rows)
    batch = importer.create_batch(world.workspace, world.owner, family, path.name, [path.read_bytes()])
    importer.confirm_mapping(batch, world.owner, batch.column_mapping)
    return importer.read_batch(batch)


ROWS = [["Id", "Name", "Business Units", "Active"],
        ["201", "AC Repair", "HVAC Service", "True"],
        ["202", "Drain Cleaning & Jetting", "Plumbing Service", "True"],
        ["210", "Heat Pump Repair", "HVAC Service; Plumbing Service", "True"],
        ["211", "Old Boiler Service", "HVAC Service", "Retired"]]


@pytest.mark.django_db
def test_accept_all_safe_takes_new_and_changed_rows_without_warnings(world, files):
    batch = read(world, files, ROWS)
    assert importer.accept_safe(batch, world.marketer) == 2
    accepted = set(batch.candidates.filter(decision=Decision.ACCEPTED).values_list("name", flat=True))
    assert accepted == {"Drain Cleaning & Jetting", "Heat Pump Repair"}


@pytest.mark.django_db
def test_apply_creates_updates_and_links_business_units(world, files):
    batch = read(world, files, ROWS)
    importer.accept_safe(batch, world.marketer)
    summary = apply_batch(batch, world.marketer)
    assert (summary["created"], summary["updated"]) == (1, 1)
    heat_pump = JobType.objects.get(workspace=world.workspace, st_id=210)
    assert heat_pump.source == Source.CSV_IMPORT and heat_pump.last_seen_at is not None
    assert sorted(heat_pump.business_units.values_list("name", flat=True)) == ["HVAC Service", "Plumbing Service"]
    assert JobType.objects.get(pk=world.drain.pk).name == "Drain Cleaning & Jetting"
    assert not JobType.objects.filter(name="Old Boiler Service").exists()  # retired row was not accepted
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED and batch.applied_by == world.marketer
    assert AuditEntry.objects.filter(action="import.apply", actor=world.marketer).exists()


@pytest.mark.django_db
def test_deactivation_needs_an_explicit_accept_and_lists_the_bindings_it_affects(world, files):
    Binding.objects.filter(page=world.page).update(job_type=world.ac_repair, business_unit=world.hvac)
    batch = read(world, files, [["Id", "Name"], ["202", "Drain Cleaning"]])
    ac = batch.candidates.get(kind=CandidateKind.DEACTIVATED, name="AC Repair")
    assert importer.accept_safe(batch, world.owner) == 0  # deactivation is never "safe"
    importer.decide(batch, world.owner, [ac.pk], Decision.ACCEPTED)
    summary = apply_batch(batch, world.owner)
    assert summary["deactivated"] == 1
    assert summary["affected_bindings"] == [{"page": "/ac-repair", "page_id": world.page.pk, "status": "draft"}]
    assert not JobType.objects.get(pk=world.ac_repair.pk).active
    Binding.objects.get(page=world.page)  # the binding itself is untouched: review work, not a public change
    assert Binding.objects.get(page=world.page).job_type_id == world.ac_repair.pk


@pytest.mark.django_db
def test_a_failing_apply_changes_nothing(world, files):
    batch = read(world, files, [["Id", "Name"], ["220", "Duct Cleaning"], ["221", "Whole Home Generator"]])
    importer.accept_safe(batch, world.owner)
    JobType.objects.create(workspace=world.workspace, st_id=221, name="Generator (added meanwhile)")
    before = sorted(JobType.objects.values_list("name", flat=True))
    with pytest.raises(importer.ImportFileError, match="Nothing was applied"):
        apply_batch(batch, world.owner)
    assert sorted(JobType.objects.values_list("name", flat=True)) == before
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REVIEW and "Nothing was applied" in batch.errors[0]


@pytest.mark.django_db
def test_blocked_and_duplicate_rows_cannot_be_accepted_but_can_be_fixed(world, files):
    batch = read(world, files, [["Id", "Name"], ["230", ""], ["231", "Attic Insulation"]])
    blocked = batch.candidates.get(row_number=2)
    with pytest.raises(importer.ImportFileError, match="cannot be accepted"):
        importer.decide(batch, world.owner, [blocked.pk], Decision.ACCEPTED)
    importer.edit_candidate(blocked, world.owner, {"name": "Radiant Barrier", "st_id": "230"})
    blocked.refresh_from_db()
    assert blocked.kind == CandidateKind.NEW and blocked.edited
    importer.decide(batch, world.owner, [blocked.pk], Decision.ACCEPTED)
    apply_batch(batch, world.owner)
    assert JobType.objects.filter(workspace=world.workspace, st_id=230, name="Radiant Barrier").exists()


@pytest.mark.django_db
def test_the_kill_switch_discards_unreviewed_imports(world, files):
    batch = read(world, files, ROWS)
    changes.set_flag(world.workspace, world.owner, "discard_unreviewed_imports", True, "wrong tenant export")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert not batch.candidates.exists()
    assert ImportBatch.objects.get(pk=batch.pk).work_state == "cancelled"


@pytest.mark.django_db
def test_a_failing_apply_on_the_worker_keeps_the_review(world, files, monkeypatch):
    from pagetojob.core import worker
    from pagetojob.taxonomy import apply as apply_module

    batch = read(world, files, ROWS)
    importer.accept_safe(batch, world.owner)
    importer.queue_apply(batch, world.owner)

    def broken(*args, **kwargs):
        raise ValueError("disk full")

    monkeypatch.setattr(apply_module, "_affected_bindings", broken)
    assert worker.run_once("test-worker") == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REVIEW
    assert "disk full" in batch.errors[0] and "Your review is kept" in batch.errors[0]
    assert batch.candidates.filter(decision=Decision.ACCEPTED).count() == 2
    assert not JobType.objects.filter(st_id=210).exists()


@pytest.mark.django_db
def test_paused_zones_list_the_bindings_they_affect(world, files):
    from pagetojob.taxonomy.models import Zone

    zone = Zone.objects.get(workspace=world.workspace)
    Binding.objects.get(page=world.page).zones.add(zone)
    batch = read(world, files, [["Id", "Name", "Zips", "Status"], ["401", "Phoenix Metro", "85004", "Paused"]],
                 family="zones")
    assert "1 row: paused" in batch.warnings
    candidate = batch.candidates.get(row_number=2)
    importer.decide(batch, world.owner, [candidate.pk], Decision.ACCEPTED)
    summary = apply_batch(batch, world.owner)
    assert Zone.objects.get(pk=zone.pk).state == "paused"
    assert [b["page"] for b in summary["affected_bindings"]] == ["/ac-repair"]


@pytest.mark.django_db
def test_a_blocked_row_for_an_existing_item_is_not_also_a_deactivation(world, files):
    batch = read(world, files, [["Id", "Name"], ["not-a-number", "AC Repair"], ["202", "Drain Cleaning"]])
    assert batch.candidates.get(row_number=2).kind == CandidateKind.BLOCKED
    assert not batch.candidates.filter(kind=CandidateKind.DEACTIVATED, name="AC Repair").exists()


@pytest.mark.django_db
def test_a_partial_export_says_so(world, files):
    batch = read(world, files, [["Name"], ["AC Repair"]])
    assert any("not in this file" in warning for warning in batch.warnings)


@pytest.mark.django_db
def test_applied_pricebook_and_zone_rows_read_back_exactly(world, files):
    from decimal import Decimal

    from pagetojob.taxonomy.models import PricebookService, Zone

    batch = read(world, files, [["Code", "Display Name", "Price", "Member Price"], ["HP-DIAG", "Heat Pump Diagnostic",
                                                                                  "$1,109.50", "79"]],
                 family="pricebook-services")
    importer.accept_safe(batch, world.owner)
    apply_batch(batch, world.owner)
    service = PricebookService.objects.get(workspace=world.workspace, code="HP-DIAG")
    assert (service.price, service.member_price) == (Decimal("1109.50"), Decimal("79.00"))
    assert service.source == Source.CSV_IMPORT and service.raw["name"] == "Heat Pump Diagnostic"
    batch = read(world, files, [["Name", "Zips", "Cities"], ["Tempe Zone", "85281; 85282", "Tempe"]], family="zones")
    importer.decide(batch, world.owner, [batch.candidates.get(row_number=2).pk], Decision.ACCEPTED)
    apply_batch(batch, world.owner)
    zone = Zone.objects.get(workspace=world.workspace, name="Tempe Zone")
    assert zone.zips == ["85281", "85282"] and zone.cities == ["Tempe"] and zone.state == "active"
