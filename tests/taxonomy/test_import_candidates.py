"""Rows become new / changed / unchanged / deactivated / duplicate / blocked candidates, with warnings."""

from __future__ import annotations

import pytest
from django.db import connection

from pagetojob.taxonomy import importer
from pagetojob.taxonomy.models import CandidateKind, JobType, PricebookService


def read(world, files, rows, family="job-types"):
    path = files.csv(rows=rows)
    batch = importer.create_batch(world.workspace, world.owner, family, path.name, [path.read_bytes()])
    importer.confirm_mapping(batch, world.owner, batch.column_mapping)
    return importer.read_batch(batch)


def by_row(batch):
    return {c.row_number: c for c in batch.candidates.all()}


@pytest.mark.django_db
def test_every_kind_of_candidate(world, files):
    rows = [["Id", "Name", "Business Units", "Active"],
            ["201", "AC Repair", "HVAC Service", "True"],            # unchanged
            ["202", "Drain Cleaning & Jetting", "Plumbing Service", "True"],  # changed name
            ["", "Solar Panel Cleaning", "HVAC Service", "True"],    # new
            ["", "", "HVAC Service", "True"],                         # blocked
            ["abc", "Bad Id", "HVAC Service", "True"],                # blocked
            ["201", "AC Repair copy", "HVAC Service", "True"],        # duplicate id
            ["", "solar  panel cleaning", "HVAC Service", "True"]]    # duplicate name
    batch = read(world, files, rows)
    rows_ = by_row(batch)
    assert [rows_[n].kind for n in range(2, 9)] == [
        CandidateKind.UNCHANGED, CandidateKind.CHANGED, CandidateKind.NEW, CandidateKind.BLOCKED,
        CandidateKind.BLOCKED, CandidateKind.DUPLICATE, CandidateKind.DUPLICATE]
    assert rows_[3].diff == {"name": {"before": "Drain Cleaning", "after": "Drain Cleaning & Jetting"}}
    assert "blocked: the name is empty" in rows_[5].warnings
    assert "blocked: the ServiceTitan id “abc” is not a number" in rows_[6].warnings
    assert "same ServiceTitan id as row 2" in rows_[7].warnings
    assert "same name as row 4" in rows_[8].warnings
    assert not batch.candidates.filter(row_number=None).exists()  # every active item is in the file
    assert batch.counts == {"new": 1, "changed": 1, "unchanged": 1, "deactivated": 0, "duplicate": 2, "blocked": 2}


@pytest.mark.django_db
def test_items_absent_or_inactive_in_the_file_are_deactivation_candidates(world, files):
    batch = read(world, files, [["Id", "Name", "Active"], ["201", "AC Repair", "False"]])
    deactivated = {c.name: c for c in batch.candidates.filter(kind=CandidateKind.DEACTIVATED)}
    assert "AC Repair" in deactivated and deactivated["AC Repair"].row_number == 2
    assert "inactive in ServiceTitan" in deactivated["AC Repair"].warnings
    assert deactivated["Drain Cleaning"].row_number is None  # absent from the file
    assert "Water Heater Repair" not in deactivated  # already inactive: nothing to deactivate


@pytest.mark.django_db
@pytest.mark.parametrize("status,warning", [("Paused", "paused"), ("Retired", "retired"),
                                            ("Maybe", "ambiguous status “Maybe”: read as active")])
def test_status_words_raise_warnings(world, files, status, warning):
    batch = read(world, files, [["Name", "Status"], ["Heat Pump Tune-Up", status]])
    assert warning in batch.candidates.get(row_number=2).warnings


@pytest.mark.django_db
def test_pricebook_prices_are_checked(world, files):
    rows = [["Code", "Display Name", "Price", "Member Price"], ["HVAC-DIAG", "AC Diagnostic", "$99.00", "0"],
            ["X-1", "Mystery", "call us", ""], ["X-2", "Odd", "50", "80"]]
    batch = read(world, files, rows, family="pricebook-services")
    rows_ = by_row(batch)
    assert rows_[2].kind == CandidateKind.CHANGED
    assert rows_[2].diff["price"] == {"before": None, "after": "99.00"}
    assert "price “call us” is not a number" in rows_[3].warnings
    assert "member price is higher than the price" in rows_[4].warnings
    assert PricebookService.objects.get(code="HVAC-DIAG").price is None  # reading changes nothing


@pytest.mark.django_db
def test_unknown_business_units_warn(world, files):
    batch = read(world, files, [["Name", "Business Units"], ["Solar Install", "Solar; HVAC Service"]])
    assert batch.candidates.get(row_number=2).warnings == ["business unit not in this workspace: Solar"]
    assert JobType.objects.filter(name="Solar Install").count() == 0


@pytest.mark.django_db
def test_rows_read_back_exactly_across_write_chunks(world, files, monkeypatch):
    # Small chunks so that rows cross commits and multi-row statements; names that look like the JSON between rows.
    monkeypatch.setattr(importer, "READ_CHUNK", 7)
    monkeypatch.setattr(importer, "ROWS_PER_INSERT", 3)
    tricky = ['Valve, {"name": "x"}', 'Say "hi" \\ bye', "Café — 100% ✓", '}, {"name":']
    rows = [["Code", "Display Name", "Description", "Price", "Member Price", "Active"]]
    rows += [[f"C-{n}", f"{tricky[n % len(tricky)]} {n}", f"line one\nline {n}", f"{n}.5", "", "True"]
             for n in range(23)]
    batch = read(world, files, rows, family="pricebook-services")
    candidates = list(batch.candidates.exclude(row_number=None).order_by("pk"))  # the rest: absent items
    assert [c.row_number for c in candidates] == list(range(2, 25))
    assert batch.rows_read == 23 and batch.counts["new"] == 23
    for n, candidate in enumerate(candidates):
        assert candidate.values == {"name": f"{tricky[n % len(tricky)]} {n}", "active": True,
                                    "description": f"line one\nline {n}", "code": f"C-{n}", "price": f"{n}.50",
                                    "member_price": None}
        assert candidate.name == candidate.values["name"] and candidate.warnings == [] and candidate.diff == {}
    if connection.vendor == "sqlite":  # the bulk insert skips the JSON checks for its own statements only
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints")
            assert cursor.fetchone()[0] == 0
