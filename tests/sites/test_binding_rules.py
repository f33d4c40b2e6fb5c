"""Binding edits are constrained, audited, and approval needs a gap-free binding."""

from __future__ import annotations

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.sites import bindings
from pagetojob.sites.bindings import BindingChange, BindingError
from pagetojob.sites.models import BindingStatus
from pagetojob.taxonomy.models import BusinessUnit, JobType


@pytest.mark.django_db
def test_job_type_must_be_allowed_in_the_business_unit(world):
    binding = world.page.binding
    with pytest.raises(BindingError) as error:
        bindings.update_binding(binding, world.marketer, BindingChange(
            {"business_unit": world.hvac.pk, "job_type": world.drain.pk}))
    assert "“Drain Cleaning” is not allowed in the business unit “HVAC Service”" in error.value.errors["job_type"]
    binding.refresh_from_db()
    assert binding.job_type_id is None and binding.business_unit_id is None  # nothing half-applied


@pytest.mark.django_db
def test_inactive_objects_cannot_be_newly_bound(world):
    with pytest.raises(BindingError) as error:
        bindings.update_binding(world.page.binding, world.marketer, BindingChange(
            {"business_unit": world.plumbing.pk, "job_type": world.old_job_type.pk}))
    assert "“Water Heater Repair” is inactive" in error.value.errors["job_type"]


@pytest.mark.django_db
def test_an_existing_inactive_binding_may_stay_while_other_fields_change(world):
    binding = world.page.binding
    bindings.update_binding(binding, world.marketer, BindingChange(
        {"business_unit": world.plumbing.pk, "job_type": world.drain.pk}))
    JobType.objects.filter(pk=world.drain.pk).update(active=False)
    binding.refresh_from_db()
    diff = bindings.update_binding(binding, world.marketer, BindingChange(
        {"business_unit": world.plumbing.pk, "job_type": world.drain.pk, "notes": "kept for now"}))
    assert "notes" in diff


@pytest.mark.django_db
def test_objects_of_another_workspace_are_refused(world):
    foreign = BusinessUnit.objects.get(workspace=world.other)
    with pytest.raises(BindingError) as error:
        bindings.update_binding(world.page.binding, world.marketer, BindingChange({"business_unit": foreign.pk}))
    assert "not one of this workspace's objects" in error.value.errors["business_unit"]


@pytest.mark.django_db
def test_scheduling_pro_path_needs_a_scheduler_id(world):
    with pytest.raises(BindingError) as error:
        bindings.update_binding(world.page.binding, world.marketer, BindingChange({"booking_path": "scheduling_pro"}))
    assert "scheduler_id" in error.value.errors


@pytest.mark.django_db
def test_edit_is_audited_with_a_field_diff_and_sends_an_approved_binding_back_to_draft(world):
    binding = world.page.binding
    bindings.update_binding(binding, world.marketer, BindingChange(
        {"business_unit": world.hvac.pk, "job_type": world.ac_repair.pk}))
    result = bindings.approve(world.workspace, world.marketer, [world.page.pk])
    assert result.approved == ["/ac-repair"]
    binding.refresh_from_db()
    assert binding.status == BindingStatus.APPROVED
    assert binding.approved_names == {"job_type": "AC Repair", "business_unit": "HVAC Service"}
    bindings.update_binding(binding, world.owner, BindingChange({"cta_mode": "call_now"}))
    binding.refresh_from_db()
    assert binding.status == BindingStatus.DRAFT
    entry = AuditEntry.objects.filter(action="binding.edit", actor=world.owner).get()
    assert entry.details["CTA mode"] == {"before": "auto", "after": "call_now"}
    assert entry.details["Status"] == {"before": "approved", "after": "draft"}
    assert AuditEntry.objects.filter(action="binding.approve", actor=world.marketer).count() == 1


@pytest.mark.django_db
def test_approval_skips_bindings_with_gaps_and_says_why(world):
    result = bindings.approve(world.workspace, world.marketer, [world.page.pk])
    assert result.approved == []
    assert result.skipped == [("/ac-repair", "no job type; no business unit")]
    world.page.binding.refresh_from_db()
    assert world.page.binding.status == BindingStatus.DRAFT


@pytest.mark.django_db
def test_approval_ignores_pages_of_other_workspaces(world):
    result = bindings.approve(world.workspace, world.marketer, [world.other_page.pk])
    assert result.approved == [] and result.skipped == []
    world.other_page.binding.refresh_from_db()
    assert world.other_page.binding.status == BindingStatus.DRAFT


@pytest.mark.django_db
def test_binding_editor_shows_constrained_choices_and_errors(world, client_for):
    client = client_for(world.marketer)
    url = f"/w/acme-air/map/{world.page.pk}/"
    page = client.get(url).content.decode()
    assert "Water Heater Repair" not in page  # inactive, not bound: not offered
    options = client.get(url + "job-types/", {"business_unit": world.hvac.pk}).content.decode()
    assert "AC Repair" in options and "Drain Cleaning" not in options
    response = client.post(url, {"business_unit": world.hvac.pk, "job_type": world.drain.pk,
                                 "booking_path": "request_form", "cta_mode": "auto", "action": "save"})
    assert response.status_code == 400
    assert "is not allowed in the business unit" in response.content.decode()
    response = client.post(url, {"business_unit": world.hvac.pk, "job_type": world.ac_repair.pk,
                                 "booking_path": "request_form", "cta_mode": "auto", "action": "approve"},
                           follow=True)
    assert "Saved and approved the binding of /ac-repair" in response.content.decode()
    world.page.binding.refresh_from_db()
    assert world.page.binding.status == BindingStatus.APPROVED
