"""Readiness is computed from stored facts and enforced by the one tenant-access check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.core import clock, worker
from pagetojob.core.models import WorkerHeartbeat
from pagetojob.readiness import changes
from pagetojob.readiness.catalog import CAPABILITIES
from pagetojob.readiness.evaluate import (
    Status,
    TenantAccessDenied,
    evaluate,
    flag_enabled,
    require_tenant_access,
    tenant_access,
)
from pagetojob.webhooks import endpoints


def satisfy_everything(world, environment="sandbox"):
    worker.beat("worker-a", clock.now(), 0)
    changes.record_gate(None, world.owner, "app_approval", True, "Approved in the partner portal", environment,
                        audit_workspace=world.workspace)
    # The webhook gate also needs a configured key older than its evidence (see tests/webhooks).
    endpoints.save_settings(world.workspace, world.owner, signature_header="X-ServiceTitan-Signature", encoding="hex",
                            timestamp_header="", signed_content="body", tolerance_seconds=300, new_key="k" * 40)
    for gate in ("customer_authorization", "credentials", "webhooks"):
        changes.record_gate(world.workspace, world.owner, gate, True, f"{gate} proved", environment)
    for module in ("scheduling_pro", "marketing_ads", "pricebook", "memberships", "accounting", "dispatch"):
        changes.set_module_answer(world.workspace, world.owner, module, "owned")


@pytest.mark.django_db
def test_manual_capabilities_are_manual_ready_and_api_ones_wait_for_app_approval(world):
    worker.beat("worker-a", clock.now(), 0)
    readiness = evaluate(world.workspace)
    statuses = {state.capability.key: state.status for state in readiness.capabilities}
    assert statuses["titan_map"] == Status.MANUAL_READY
    assert statuses["taxonomy_import_manual"] == Status.MANUAL_READY
    assert statuses["booking_form"] == Status.MANUAL_READY
    assert statuses["booking_handoff"] == Status.API_GATED
    handoff = readiness.capability("booking_handoff")
    assert {gate.key for gate in handoff.missing} == {"app_approval", "customer_authorization", "credentials"}
    assert not handoff.allowed


@pytest.mark.django_db
def test_without_a_worker_tenant_capabilities_are_blocked(world):
    state = tenant_access(world.workspace, "booking_handoff")
    assert state.status == Status.BLOCKED
    assert "sync_worker" in {gate.key for gate in state.missing}


@pytest.mark.django_db
def test_customer_side_gaps_show_needs_customer_once_the_app_is_approved(world):
    worker.beat("worker-a", clock.now(), 0)
    changes.record_gate(None, world.owner, "app_approval", True, "Approved", audit_workspace=world.workspace)
    assert tenant_access(world.workspace, "booking_handoff").status == Status.NEEDS_CUSTOMER
    assert tenant_access(world.workspace, "attribution_post").status == Status.NEEDS_CUSTOMER


@pytest.mark.django_db
def test_all_gates_holding_makes_live_ready_and_evidence_makes_live(world):
    satisfy_everything(world)
    state = require_tenant_access(world.workspace, "booking_handoff")
    assert state.status == Status.LIVE_READY and state.allowed
    changes.record_live_evidence(world.workspace, "booking_handoff", "Booking 9001 created", "sandbox")
    assert tenant_access(world.workspace, "booking_handoff").status == Status.LIVE


@pytest.mark.django_db
def test_a_module_the_contractor_lacks_blocks_only_its_capabilities(world):
    satisfy_everything(world)
    changes.set_module_answer(world.workspace, world.owner, "scheduling_pro", "not_owned", "They use the form")
    assert tenant_access(world.workspace, "scheduling_pro").status == Status.BLOCKED
    assert tenant_access(world.workspace, "booking_handoff").status == Status.LIVE_READY


@pytest.mark.django_db
def test_kill_switch_blocks_at_once_and_turning_it_off_releases(world):
    satisfy_everything(world)
    changes.set_flag(world.workspace, world.owner, "pause_all_sync", True, "Office asked to pause")
    assert flag_enabled(world.workspace, "pause_all_sync")
    with pytest.raises(TenantAccessDenied) as denied:
        require_tenant_access(world.workspace, "booking_handoff")
    assert "Pause all sync" in str(denied.value)
    assert tenant_access(world.workspace, "revenue_api").allowed  # not behind that switch
    changes.set_flag(world.workspace, world.owner, "pause_all_sync", False)
    assert require_tenant_access(world.workspace, "booking_handoff").allowed


@pytest.mark.django_db
def test_stale_worker_heartbeat_blocks_again(world):
    satisfy_everything(world)
    WorkerHeartbeat.objects.update(last_beat_at=clock.now() - timedelta(minutes=5))
    state = tenant_access(world.workspace, "booking_handoff")
    assert state.status == Status.BLOCKED
    assert "stale" in next(g.detail for g in state.missing if g.key == "sync_worker")


@pytest.mark.django_db
def test_missing_encryption_key_blocks_credentials(world, settings):
    satisfy_everything(world)
    settings.ENCRYPTION_KEYS = ""
    state = tenant_access(world.workspace, "booking_handoff")
    assert state.status == Status.BLOCKED
    assert "PAGETOJOB_ENCRYPTION_KEYS" in next(g.detail for g in state.missing if g.key == "credentials")


@pytest.mark.django_db
def test_one_workspaces_facts_never_satisfy_anothers(world):
    satisfy_everything(world)
    other = tenant_access(world.other, "booking_handoff")
    assert not other.allowed
    assert {"customer_authorization", "credentials"} <= {gate.key for gate in other.missing}


@pytest.mark.django_db
def test_every_change_is_audited(world):
    changes.set_module_answer(world.workspace, world.owner, "pricebook", "owned", "Owner confirmed")
    changes.set_flag(world.workspace, world.admin, "phone_first_cta", True, "Storm week")
    changes.record_gate(world.workspace, world.admin, "customer_authorization", True, "Dana authorized 11/28")
    actions = list(AuditEntry.objects.filter(workspace=world.workspace).values_list("action", "actor"))
    assert ("readiness.module", world.owner.pk) in actions
    assert ("readiness.flag", world.admin.pk) in actions
    assert ("readiness.gate", world.admin.pk) in actions


@pytest.mark.django_db
def test_recording_a_gate_needs_evidence_and_unknown_names_are_refused(world):
    with pytest.raises(ValueError, match="what shows the gate holds"):
        changes.record_gate(world.workspace, world.owner, "customer_authorization", True, "  ")
    with pytest.raises(ValueError):
        changes.set_flag(world.workspace, world.owner, "make_it_faster", True)
    with pytest.raises(KeyError):
        tenant_access(world.workspace, "teleport")


@pytest.mark.django_db
def test_readiness_page_shows_computed_statuses_and_admin_can_record_answers(world, client_for):
    worker.beat("worker-a", clock.now(), 0)
    client = client_for(world.admin)
    page = client.get("/w/acme-air/readiness/").content.decode()
    assert "api gated" in page and "manual ready" in page
    for capability in CAPABILITIES:
        assert capability.label in page
    response = client.post("/w/acme-air/readiness/module/", {"module": "accounting", "answer": "owned"})
    assert response.status_code == 302
    assert "Recorded: Accounting" in client.get("/w/acme-air/readiness/").content.decode()
    response = client.post("/w/acme-air/readiness/flag/", {"flag": "pause_all_sync", "enabled": "1",
                                                            "reason": "storm"})
    assert flag_enabled(world.workspace, "pause_all_sync")
    api = client.get("/api/v1/workspaces/acme-air/readiness").json()
    assert api["flags"]["pause_all_sync"] is True
    assert {c["key"]: c["status"] for c in api["capabilities"]}["booking_handoff"] == "blocked"
