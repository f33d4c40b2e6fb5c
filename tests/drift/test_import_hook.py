"""Every applied taxonomy import is followed by a drift review, without the importer knowing about drift."""

from __future__ import annotations

import csv

import pytest

from pagetojob.core import worker
from pagetojob.core.models import WorkState
from pagetojob.drift.models import DriftFinding, DriftReview, Trigger
from pagetojob.taxonomy import hooks, importer
from pagetojob.taxonomy.apply import apply_batch
from pagetojob.taxonomy.models import CandidateKind, Decision

pytestmark = pytest.mark.django_db


def read(world, tmp_path, rows):
    path = tmp_path / "job-types.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    batch = importer.create_batch(world.workspace, world.owner, "job-types", path.name, [path.read_bytes()])
    importer.confirm_mapping(batch, world.owner, batch.column_mapping)
    return importer.read_batch(batch)


def test_applying_an_import_queues_a_review_that_finds_what_it_deactivated(bound, tmp_path):
    batch = read(bound, tmp_path, [["Id", "Name", "Business Units"], ["202", "Drain Cleaning", "Plumbing Service"]])
    gone = batch.candidates.get(kind=CandidateKind.DEACTIVATED, name="AC Repair")
    importer.decide(batch, bound.owner, [gone.pk], Decision.ACCEPTED)
    apply_batch(batch, bound.owner)

    review = DriftReview.objects.get(workspace=bound.workspace)
    assert (review.trigger, review.import_batch, review.requested_by) == (Trigger.IMPORT, batch, bound.owner)
    assert review.work_state == WorkState.QUEUED
    worker.run_once("test-worker")
    review.refresh_from_db()
    assert review.work_state == WorkState.DONE
    finding = DriftFinding.objects.get(workspace=bound.workspace, rule="inactive_object", page_path="/ac-repair")
    assert finding.object_name == "AC Repair" and finding.first_review == review


def test_a_failing_after_import_step_never_fails_the_import(world, tmp_path, monkeypatch):
    def broken(batch, actor):
        raise RuntimeError("drift is down")

    monkeypatch.setattr(hooks, "_APPLIED", [broken])
    batch = read(world, tmp_path, [["Id", "Name"], ["230", "Attic Fan Install"], ["201", "AC Repair"],
                                   ["202", "Drain Cleaning"]])
    importer.accept_safe(batch, world.owner)
    summary = apply_batch(batch, world.owner)
    assert summary["created"] == 1
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_a_failed_apply_queues_no_review(world, tmp_path, monkeypatch):
    batch = read(world, tmp_path, [["Id", "Name"], ["230", "Attic Fan Install"]])
    importer.accept_safe(batch, world.owner)
    monkeypatch.setattr("pagetojob.taxonomy.apply._set_units",
                        lambda *a, **k: (_ for _ in ()).throw(ValueError("disk full")))
    with pytest.raises(importer.ImportFileError):
        apply_batch(batch, world.owner)
    assert not DriftReview.objects.exists()
