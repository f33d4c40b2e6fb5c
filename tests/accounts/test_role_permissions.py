"""What each role may see and change: refused changes leave the database and the audit log untouched."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from pagetojob.accounts.models import AuditEntry, Invitation, Membership, OutboundEmail, Role
from pagetojob.core import clock
from pagetojob.drift import reviews as drift_reviews
from pagetojob.drift.models import DriftFinding, DriftReview, Trigger
from pagetojob.readiness.models import FeatureFlag, GateRecord, ModuleOwnership
from pagetojob.sites.models import Binding, BindingStatus
from pagetojob.taxonomy.families import FAMILIES

pytestmark = pytest.mark.django_db

ACME = "acme-air"
ROLES = [Role.OWNER, Role.ADMIN, Role.MARKETER, Role.OPERATOR, Role.VIEWER]

PAGES: list[tuple[str, Callable[[Any], dict]]] = [
    ("dashboard", lambda w: {}),
    ("titan-map", lambda w: {}),
    ("titan-map-export", lambda w: {}),
    ("binding", lambda w: {"page_id": w.page.pk}),
    ("binding-job-types", lambda w: {"page_id": w.page.pk}),
    *[("taxonomy", lambda w, f=family.key: {"family": f}) for family in FAMILIES],
    ("capacity-rules", lambda w: {}),
    ("readiness", lambda w: {}),
    ("drift", lambda w: {}),
    ("drift-export", lambda w: {}),
    ("drift-report-html", lambda w: {}),
    ("drift-review", lambda w: {"review_id": DriftReview.objects.get(workspace=w.workspace).pk}),
    ("zone-review", lambda w: {}),
    ("team", lambda w: {}),
    ("audit-log", lambda w: {}),
]


@dataclass(frozen=True)
class Change:
    key: str
    route: str
    data: Callable[[Any], dict]
    audit: str  # the AuditEntry action a permitted change writes
    page_arg: bool = False
    member_arg: bool = False
    finding_arg: bool = False

    def url(self, world) -> str:
        kwargs: dict[str, Any] = {"key": ACME}
        if self.page_arg:
            kwargs["page_id"] = world.page.pk
        if self.member_arg:
            kwargs["member_id"] = Membership.objects.get(workspace=world.workspace, user=world.operator).pk
        if self.finding_arg:
            kwargs["finding_id"] = DriftFinding.objects.get(workspace=world.workspace, page_path="/ac-repair").pk
        return reverse(self.route, kwargs=kwargs)


def _binding(action: str, unit: str, job: str) -> Callable[[Any], dict]:
    return lambda w: {"action": action, "business_unit": getattr(w, unit).pk, "job_type": getattr(w, job).pk,
                      "booking_path": "request_form", "cta_mode": "auto"}


CHANGES = [
    Change("binding-save", "binding", _binding("save", "plumbing", "drain"), "binding.edit", page_arg=True),
    Change("binding-approve", "binding", _binding("approve", "hvac", "ac_repair"), "binding.approve",
           page_arg=True),
    Change("binding-status", "binding", lambda w: {"action": "retired"}, "binding.status", page_arg=True),
    Change("bulk-approve", "titan-map-approve", lambda w: {"page": [str(w.page.pk)]}, "binding.approve"),
    Change("readiness-module", "readiness-module", lambda w: {"module": "scheduling_pro", "answer": "owned"},
           "readiness.module"),
    Change("readiness-gate", "readiness-gate",
           lambda w: {"gate": "customer_authorization", "satisfied": "1", "evidence": "Signed by Pat, May 2"},
           "readiness.gate"),
    Change("readiness-flag", "readiness-flag", lambda w: {"flag": "pause_all_sync", "enabled": "1"},
           "readiness.flag"),
    Change("app-approval", "readiness-gate",
           lambda w: {"gate": "app_approval", "satisfied": "1", "evidence": "Approved in the ST portal"},
           "readiness.gate"),
    Change("invite", "team", lambda w: {"email": "new.person@acme.test", "role": "viewer"}, "team.invite"),
    Change("change-member", "change-member", lambda w: {"role": "marketer"}, "team.role", member_arg=True),
    Change("drift-run", "drift-run", lambda w: {}, "drift.review"),
    Change("drift-acknowledge", "drift-finding", lambda w: {"action": "acknowledge", "note": "On it"},
           "drift.acknowledge", finding_arg=True),
    Change("drift-suppress", "drift-finding",
           lambda w: {"action": "suppress", "until": f"{clock.now() + timedelta(days=30):%Y-%m-%d}",
                      "reason": "Redesign"}, "drift.suppress",
           finding_arg=True),
]
BY_KEY = {change.key: change for change in CHANGES}
MAP_CHANGES = {"binding-save", "binding-approve", "binding-status", "bulk-approve"}
READINESS_CHANGES = {"readiness-module", "readiness-gate", "readiness-flag"}
TEAM_CHANGES = {"invite", "change-member"}
DRIFT_CHANGES = {"drift-run", "drift-acknowledge", "drift-suppress"}
ALLOWED = {
    Role.OWNER: MAP_CHANGES | READINESS_CHANGES | TEAM_CHANGES | DRIFT_CHANGES,
    Role.ADMIN: MAP_CHANGES | READINESS_CHANGES | TEAM_CHANGES | DRIFT_CHANGES,
    Role.MARKETER: MAP_CHANGES | DRIFT_CHANGES,
    Role.OPERATOR: set(),
    Role.VIEWER: set(),
}
# Refusals that redirect back with an explanation rather than answer 403.
REFUSAL_MESSAGES = {
    "binding-save": "Your role can view bindings but not change them.",
    "binding-approve": "Your role can view bindings but not change them.",
    "binding-status": "Your role can view bindings but not change them.",
    "invite": "Your role cannot invite people.",
}


def state(world) -> dict:
    binding = Binding.objects.get(page=world.page)
    return {
        "binding": (binding.status, binding.business_unit_id, binding.job_type_id, binding.approved_at),
        "audit": list(AuditEntry.objects.values_list("pk", flat=True)),
        "invitations": Invitation.objects.count(),
        "emails": OutboundEmail.objects.count(),
        "members": sorted(Membership.objects.values_list("pk", "role")),
        "modules": list(ModuleOwnership.objects.values_list("module", "answer")),
        "gates": list(GateRecord.objects.values_list("gate", "satisfied")),
        "flags": list(FeatureFlag.objects.values_list("key", "enabled")),
        "drift": list(DriftFinding.objects.values_list("status", "acknowledged_note", "suppressed_reason")),
        "reviews": DriftReview.objects.count(),
    }


@pytest.fixture
def acme(world):
    """acme-air's page is bound completely, so it can be approved; one drift review has run."""
    Binding.objects.filter(page=world.page).update(business_unit=world.hvac, job_type=world.ac_repair)
    drift_reviews.run_now(drift_reviews.new_review(world.workspace, Trigger.ON_DEMAND))
    return world


def user_with(world, role: str):
    return getattr(world, str(role))


def assert_refused(client, change: Change, world) -> None:
    before = state(world)
    response = client.post(change.url(world), change.data(world))
    if change.key in REFUSAL_MESSAGES:
        assert response.status_code == 302
        assert REFUSAL_MESSAGES[change.key] in client.get(response["Location"]).content.decode()
    else:
        assert response.status_code == 403
    assert state(world) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,kwargs", PAGES,
                         ids=[name + (f"-{kw(None)['family']}" if name == "taxonomy" else "") for name, kw in PAGES])
def test_every_role_can_view_every_page(acme, client_for, role, name, kwargs):
    response = client_for(user_with(acme, role)).get(reverse(name, kwargs={"key": ACME, **kwargs(acme)}))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.key)
def test_each_role_gets_exactly_its_changes(acme, client_for, role, change):
    client = client_for(user_with(acme, role))
    if change.key not in ALLOWED[role]:
        assert_refused(client, change, acme)
        return
    before = AuditEntry.objects.count()
    response = client.post(change.url(acme), change.data(acme))
    assert response.status_code == 302
    written = AuditEntry.objects.filter(workspace=acme.workspace, actor=user_with(acme, role), action=change.audit)
    assert written.count() == 1
    assert AuditEntry.objects.count() > before


def test_viewer_sees_the_binding_read_only(acme, client_for):
    content = client_for(acme.viewer).get(reverse("binding", args=[ACME, acme.page.pk])).content.decode()
    assert "Your role can view this binding but not change it." in content
    assert "Save and approve" not in content


def test_marketer_edits_and_approves_a_binding(acme, client_for):
    client = client_for(acme.marketer)
    response = client.post(reverse("binding", args=[ACME, acme.page.pk]), BY_KEY["binding-approve"].data(acme),
                           follow=True)
    assert "Saved and approved the binding of /ac-repair." in response.content.decode()
    binding = Binding.objects.get(page=acme.page)
    assert binding.status == BindingStatus.APPROVED
    assert binding.approved_by == acme.marketer


def test_marketer_does_not_see_the_invitation_form(acme, client_for):
    assert "Invite someone" not in client_for(acme.marketer).get(reverse("team", args=[ACME])).content.decode()
    assert "Invite someone" in client_for(acme.admin).get(reverse("team", args=[ACME])).content.decode()


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_app_approval_is_staff_only_for_owners_and_admins(acme, client_for, role):
    assert_refused(client_for(user_with(acme, role)), BY_KEY["app-approval"], acme)
    assert not GateRecord.objects.filter(gate="app_approval").exists()


def test_superuser_member_records_app_approval(acme, client_for):
    acme.admin.is_superuser = True
    acme.admin.save()
    client = client_for(acme.admin)
    response = client.post(reverse("readiness-gate", args=[ACME]), BY_KEY["app-approval"].data(acme), follow=True)
    assert response.status_code == 200
    assert "ServiceTitan app approval recorded." in response.content.decode()
    record = GateRecord.objects.get(gate="app_approval")
    assert record.workspace is None and record.satisfied and record.recorded_by == acme.admin
    assert AuditEntry.objects.filter(workspace=acme.workspace, action="readiness.gate", actor=acme.admin).exists()


def test_superuser_outside_the_workspace_still_gets_404(acme, client_for):
    acme.outsider.is_superuser = True
    acme.outsider.save()
    before = state(acme)
    response = client_for(acme.outsider).post(reverse("readiness-gate", args=[ACME]), BY_KEY["app-approval"].data(acme))
    assert response.status_code == 404
    assert state(acme) == before


# --- the JSON API --------------------------------------------------------------------------------------

def api_approve(client, world):
    return client.post(f"/api/v1/workspaces/{ACME}/bindings/approve", json.dumps({"page_ids": [world.page.pk]}),
                       content_type="application/json")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_api_approve_is_refused_without_the_permission(acme, client_for, role):
    before = state(acme)
    response = api_approve(client_for(user_with(acme, role)), acme)
    assert response.status_code == 403
    assert "cannot approve bindings" in response.json()["detail"]
    assert state(acme) == before


@pytest.mark.parametrize("role", [Role.MARKETER, Role.ADMIN, Role.OWNER])
def test_api_approve_works_for_approvers(acme, client_for, role):
    response = api_approve(client_for(user_with(acme, role)), acme)
    assert response.status_code == 200
    assert response.json() == {"approved": ["/ac-repair"], "skipped": []}
    assert Binding.objects.get(page=acme.page).status == BindingStatus.APPROVED
    assert AuditEntry.objects.filter(action="binding.approve", actor=user_with(acme, role)).count() == 1


@pytest.mark.parametrize("path", ["workspaces", f"workspaces/{ACME}/pages", f"workspaces/{ACME}/readiness",
                                  f"workspaces/{ACME}/taxonomy/job-types"])
def test_api_viewer_can_read(acme, client_for, path):
    assert client_for(acme.viewer).get(f"/api/v1/{path}").status_code == 200
