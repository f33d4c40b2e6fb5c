"""Open → acknowledged (note) → resolved when it clears, or suppressed until a date (reason); all audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.core import clock
from pagetojob.drift import lifecycle
from pagetojob.drift.models import DriftFinding, FindingStatus
from pagetojob.sites.models import Binding
from tests.drift.conftest import approve, review_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(world) -> DriftFinding:
    review_now(world.workspace)
    return DriftFinding.objects.select_related("workspace").get(workspace=world.workspace, page_path="/ac-repair")


def today() -> date:
    return clock.now().date()


def test_acknowledge_needs_a_note_and_is_audited(world, finding):
    with pytest.raises(lifecycle.FindingError, match="Write a note"):
        lifecycle.acknowledge(finding, world.marketer, "   ")
    assert DriftFinding.objects.get(pk=finding.pk).status == FindingStatus.OPEN
    lifecycle.acknowledge(finding, world.marketer, "Approving it after the owner call on Friday.")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACKNOWLEDGED
    assert (finding.acknowledged_by, finding.acknowledged_note) == (world.marketer,
                                                                   "Approving it after the owner call on Friday.")
    entry = AuditEntry.objects.get(action="drift.acknowledge")
    assert entry.actor == world.marketer and entry.details["note"].startswith("Approving")


def test_acknowledged_stays_acknowledged_while_it_persists_and_resolves_when_it_clears(world, finding):
    lifecycle.acknowledge(finding, world.marketer, "On it.")
    review_now(world.workspace)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACKNOWLEDGED
    approve(Binding.objects.get(page=world.page), job_type=world.ac_repair, business_unit=world.hvac)
    clearing = review_now(world.workspace)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED and finding.resolved_review == clearing
    assert finding.acknowledged_note == "On it."  # history keeps who said what
    with pytest.raises(lifecycle.FindingError, match="was resolved"):
        lifecycle.acknowledge(finding, world.marketer, "again")


@pytest.mark.parametrize("until,reason,message", [
    (None, "later", "Choose the date"),
    (0, "later", "must be after today"),
    (400, "later", "at most a year"),
    (30, "  ", "Give the reason"),
])
def test_suppress_needs_a_future_date_and_a_reason(world, finding, until, reason, message):
    when = None if until is None else today() + timedelta(days=until)
    with pytest.raises(lifecycle.FindingError, match=message):
        lifecycle.suppress(finding, world.marketer, when, reason)
    assert DriftFinding.objects.get(pk=finding.pk).status == FindingStatus.OPEN
    assert not AuditEntry.objects.filter(action="drift.suppress").exists()


def test_suppressed_until_a_date_then_open_again(world, finding, monkeypatch):
    until = today() + timedelta(days=10)
    lifecycle.suppress(finding, world.owner, until, "Page is being rewritten this month.")
    review_now(world.workspace)
    finding.refresh_from_db()
    assert (finding.status, finding.suppressed_until) == (FindingStatus.SUPPRESSED, until)
    assert AuditEntry.objects.filter(action="drift.suppress", actor=world.owner).count() == 1

    later = clock.now() + timedelta(days=11)
    monkeypatch.setattr(clock, "now", lambda: later)
    review_now(world.workspace)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.suppressed_reason == "Page is being rewritten this month."


def test_reopen_brings_back_an_acknowledged_or_suppressed_finding(world, finding):
    with pytest.raises(lifecycle.FindingError, match="already open"):
        lifecycle.reopen(finding, world.owner)
    lifecycle.acknowledge(finding, world.owner, "Looking into it")
    lifecycle.reopen(finding, world.owner)
    assert DriftFinding.objects.get(pk=finding.pk).status == FindingStatus.OPEN
    assert AuditEntry.objects.filter(action="drift.reopen", details__was="acknowledged").exists()
