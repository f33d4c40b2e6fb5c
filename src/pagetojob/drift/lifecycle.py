"""What people do with a finding: acknowledge it with a note, suppress it until a date, or reopen it.

Resolution is never a person's call: a finding resolves when a later review no longer sees it. Every
change here is audited.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pagetojob.accounts import audit
from pagetojob.core import clock
from pagetojob.drift.models import DriftFinding, FindingStatus
from pagetojob.drift.reviews import local_date

MAX_SUPPRESS_DAYS = 366


class FindingError(ValueError):
    """A change a person asked for that cannot be made; the message says what to do instead."""


def _label(finding: DriftFinding) -> str:
    where = finding.page_path or finding.object_name or "the workspace"
    return f"{where}: {finding.message[:160]}"


def _check_open(finding: DriftFinding) -> None:
    if finding.status == FindingStatus.RESOLVED:
        when = f" on {finding.resolved_at:%b %d, %Y}" if finding.resolved_at else ""
        raise FindingError(f"This finding was resolved{when}; there is nothing left to change.")


def acknowledge(finding: DriftFinding, actor: Any, note: str) -> DriftFinding:
    _check_open(finding)
    note = " ".join((note or "").split())
    if not note:
        raise FindingError("Write a note saying what is being done about it (or why it is fine for now).")
    if len(note) > 500:
        raise FindingError(f"Keep the note under 500 characters (it has {len(note)}).")
    finding.status = FindingStatus.ACKNOWLEDGED
    finding.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    finding.acknowledged_at = clock.now()
    finding.acknowledged_note = note
    finding.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "acknowledged_note"])
    audit.record(finding.workspace, actor, "drift.acknowledge", f"Acknowledged drift on {_label(finding)}",
                 target=finding, details={"rule": finding.rule, "note": note})
    return finding


def suppress(finding: DriftFinding, actor: Any, until: date | None, reason: str) -> DriftFinding:
    _check_open(finding)
    today = local_date(finding.workspace, clock.now())
    reason = " ".join((reason or "").split())
    if until is None:
        raise FindingError("Choose the date the suppression ends (YYYY-MM-DD).")
    if until <= today:
        raise FindingError(f"The end date must be after today ({today:%Y-%m-%d}).")
    if until > today + timedelta(days=MAX_SUPPRESS_DAYS):
        raise FindingError("Suppress for at most a year; pick an earlier end date.")
    if not reason:
        raise FindingError("Give the reason for suppressing it, so the next person knows.")
    if len(reason) > 500:
        raise FindingError(f"Keep the reason under 500 characters (it has {len(reason)}).")
    finding.status = FindingStatus.SUPPRESSED
    finding.suppressed_by = actor if getattr(actor, "is_authenticated", False) else None
    finding.suppressed_at = clock.now()
    finding.suppressed_until = until
    finding.suppressed_reason = reason
    finding.save(update_fields=["status", "suppressed_by", "suppressed_at", "suppressed_until", "suppressed_reason"])
    audit.record(finding.workspace, actor, "drift.suppress",
                 f"Suppressed drift until {until:%Y-%m-%d} on {_label(finding)}", target=finding,
                 details={"rule": finding.rule, "until": until.isoformat(), "reason": reason})
    return finding


def reopen(finding: DriftFinding, actor: Any) -> DriftFinding:
    _check_open(finding)
    if finding.status == FindingStatus.OPEN:
        raise FindingError("This finding is already open.")
    before = finding.status
    finding.status = FindingStatus.OPEN
    finding.save(update_fields=["status"])
    audit.record(finding.workspace, actor, "drift.reopen", f"Reopened drift ({before}) on {_label(finding)}",
                 target=finding, details={"rule": finding.rule, "was": before})
    return finding
