"""`pagetojob drift run --workspace KEY [--json]`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from pagetojob.accounts.models import AuditEntry
from pagetojob.drift.models import DriftReview
from pagetojob.taxonomy.models import JobType

pytestmark = pytest.mark.django_db


def run_json(key: str) -> dict:
    out = io.StringIO()
    call_command("drift", "run", "--workspace", key, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_json_has_the_review_counts_diff_and_findings(bound):
    JobType.objects.filter(pk=bound.ac_repair.pk).update(active=False)
    data = run_json("acme-air")
    assert set(data) >= {"review_id", "counts", "new", "persisting", "resolved", "findings"}
    assert data["review_id"] == DriftReview.objects.get().pk
    assert data["counts"] == {"high": 2, "medium": 0, "low": 0, "info": 0}
    assert (data["new"], data["persisting"], data["resolved"]) == (2, 0, 0)
    finding = next(f for f in data["findings"] if f["page"] == "/ac-repair")
    assert {key: finding[key] for key in ("rule", "severity", "page", "object")} == {
        "rule": "inactive_object", "severity": "high", "page": "/ac-repair", "object": "AC Repair"}
    assert finding["message"].startswith("Bound to the job type “AC Repair”")
    assert finding["fix"].startswith("Bind an active job type")

    JobType.objects.filter(pk=bound.ac_repair.pk).update(active=True)
    again = run_json("acme-air")
    assert (again["new"], again["persisting"], again["resolved"]) == (0, 0, 2)
    assert again["findings"] == [] and len(again["resolved_findings"]) == 2


def test_text_output_lists_findings_with_their_fix(world):
    out = io.StringIO()
    call_command("drift", "run", "--workspace", "acme-air", stdout=out)
    text = out.getvalue()
    assert text.startswith("Drift review ") and "1 finding(s)" in text
    assert "[low] unapproved_or_competing /ac-repair:" in text and "fix: Review the binding" in text
    assert AuditEntry.objects.filter(workspace=world.workspace, action="drift.review").exists()


def test_unknown_workspace_names_the_keys_there_are(world):
    with pytest.raises(CommandError, match=r"No workspace with the key 'acme'\. Workspace keys: acme-air, "
                                           r"rival-plumbing\."):
        call_command("drift", "run", "--workspace", "acme")
    assert not DriftReview.objects.exists()
