"""Editing and approving Titan Map bindings, with the constraints the product promises.

A job type must be allowed in the chosen business unit; inactive or retired objects cannot be newly
bound (an existing binding to one stays visible as a gap until someone replaces it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.sites.coverage import GAPS_BY_KEY, page_gaps, with_gap_flags
from pagetojob.sites.models import Binding, BindingStatus, BookingPath, CtaMode, Page
from pagetojob.taxonomy.models import (
    BookingProvider,
    BusinessUnit,
    Campaign,
    JobType,
    MembershipType,
    PricebookService,
    Zone,
)

SINGLE_FIELDS: dict[str, type] = {
    "job_type": JobType,
    "business_unit": BusinessUnit,
    "campaign": Campaign,
    "membership_type": MembershipType,
    "booking_provider": BookingProvider,
}
MULTI_FIELDS: dict[str, type] = {"zones": Zone, "pricebook_services": PricebookService}
LABELS = {
    "job_type": "Job type", "business_unit": "Business unit", "campaign": "Campaign",
    "membership_type": "Membership type", "booking_provider": "Booking provider", "zones": "Zones",
    "pricebook_services": "Pricebook services", "booking_path": "Booking path", "cta_mode": "CTA mode",
    "scheduler_id": "Scheduler id", "status": "Status", "notes": "Notes",
}


class BindingError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{LABELS.get(k, k)}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class BindingChange:
    values: dict[str, Any] = field(default_factory=dict)  # field -> id, [ids] or plain value


def _describe(value: Any) -> Any:
    if hasattr(value, "all"):
        return sorted(str(item) for item in value.all())
    if isinstance(value, list):
        return sorted(str(item) for item in value)
    return str(value) if value is not None else None


def update_binding(binding: Binding, actor: Any, change: BindingChange) -> dict[str, tuple[Any, Any]]:
    """Validate and apply a change; returns the field-by-field diff that was audited."""
    workspace = binding.workspace
    errors: dict[str, str] = {}
    resolved: dict[str, Any] = {}
    for name, model in SINGLE_FIELDS.items():
        if name not in change.values:
            continue
        raw = change.values[name]
        if raw in (None, "", 0):
            resolved[name] = None
            continue
        item = model._default_manager.filter(workspace=workspace, pk=raw).first()
        if item is None:
            errors[name] = "is not one of this workspace's objects."
        elif not item.active and getattr(binding, f"{name}_id") != item.pk:
            errors[name] = f"“{item.name}” is inactive in ServiceTitan and cannot be newly bound."
        else:
            resolved[name] = item
    for name, model in MULTI_FIELDS.items():
        if name not in change.values:
            continue
        ids = {int(value) for value in change.values[name] or [] if str(value).strip()}
        items = list(model._default_manager.filter(workspace=workspace, pk__in=ids))
        current = set(getattr(binding, name).values_list("pk", flat=True))
        if len(items) != len(ids):
            errors[name] = "includes objects that are not this workspace's."
        newly_inactive = [item.name for item in items if not item.active and item.pk not in current]
        if newly_inactive:
            errors[name] = f"{', '.join(newly_inactive)} inactive in ServiceTitan and cannot be newly bound."
        resolved[name] = items
    for name, choices in (("booking_path", BookingPath), ("cta_mode", CtaMode)):
        if name in change.values:
            if change.values[name] not in choices.values:
                errors[name] = f"must be one of: {', '.join(choices.labels)}."
            else:
                resolved[name] = change.values[name]
    for name in ("scheduler_id", "notes"):
        if name in change.values:
            resolved[name] = str(change.values[name] or "").strip()

    job_type = resolved.get("job_type", binding.job_type) if "job_type" in resolved else binding.job_type
    business_unit = resolved["business_unit"] if "business_unit" in resolved else binding.business_unit
    if job_type and business_unit and not errors.get("job_type") and not errors.get("business_unit"):
        if not job_type.business_units.filter(pk=business_unit.pk).exists():
            errors["job_type"] = f"“{job_type.name}” is not allowed in the business unit “{business_unit.name}”."
    path = resolved.get("booking_path", binding.booking_path)
    scheduler_id = resolved.get("scheduler_id", binding.scheduler_id)
    if path == BookingPath.SCHEDULING_PRO and not scheduler_id:
        errors["scheduler_id"] = "is needed when the booking path is Scheduling Pro."
    if errors:
        raise BindingError(errors)

    diff: dict[str, tuple[Any, Any]] = {}
    with transaction.atomic():
        for name, value in resolved.items():
            if name in MULTI_FIELDS:
                before = _describe(getattr(binding, name))
                getattr(binding, name).set(value)
                after = _describe(value)
            else:
                before = _describe(getattr(binding, name))
                setattr(binding, name, value)
                after = _describe(value)
            if before != after:
                diff[name] = (before, after)
        if diff and binding.status == BindingStatus.APPROVED:
            binding.status = BindingStatus.DRAFT  # an edited binding needs a fresh approval
            diff["status"] = (BindingStatus.APPROVED.label, BindingStatus.DRAFT.label)
        binding.save()
        if diff:
            audit.record(workspace, actor, "binding.edit", f"Edited the binding of {binding.page.path}",
                         target=binding, details={LABELS.get(k, k): {"before": b, "after": a}
                                                  for k, (b, a) in diff.items()})
    return diff


@dataclass
class ApprovalResult:
    approved: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def approve(workspace: Workspace, actor: Any, page_ids: list[int]) -> ApprovalResult:
    """Approve bindings that have no gap; the rest are skipped with the reason."""
    result = ApprovalResult()
    pages = with_gap_flags(
        Page.objects.filter(workspace=workspace, pk__in=page_ids).select_related(
            "binding", "binding__job_type", "binding__business_unit", "binding__campaign", "binding__membership_type"
        )
    )
    with transaction.atomic():
        for page in pages:
            binding = page.binding
            if binding.status == BindingStatus.RETIRED:
                result.skipped.append((page.path, "retired pages are not approved"))
                continue
            if binding.status == BindingStatus.APPROVED:
                result.skipped.append((page.path, "already approved"))
                continue
            blocking = [gap for gap in page_gaps(page) if gap.key != "not_approved"]
            if blocking:
                result.skipped.append((page.path, "; ".join(gap.label.lower() for gap in blocking)))
                continue
            binding.status = BindingStatus.APPROVED
            binding.approved_by = actor
            binding.approved_at = clock.now()
            binding.approved_names = {
                name: getattr(binding, name).name for name in SINGLE_FIELDS if getattr(binding, name) is not None
            }
            binding.save(update_fields=["status", "approved_by", "approved_at", "approved_names", "updated_at"])
            result.approved.append(page.path)
            audit.record(workspace, actor, "binding.approve", f"Approved the binding of {page.path}", target=binding)
    return result


def set_status(binding: Binding, actor: Any, status: str) -> None:
    """Move a binding to draft, suggested or retired (approval goes through approve())."""
    if status not in (BindingStatus.DRAFT, BindingStatus.SUGGESTED, BindingStatus.RETIRED):
        raise BindingError({"status": "use Approve to approve a binding."})
    before = binding.status
    if before == status:
        return
    binding.status = status
    binding.save(update_fields=["status", "updated_at"])
    audit.record(binding.workspace, actor, "binding.status",
                 f"{binding.page.path}: {BindingStatus(before).label} → {BindingStatus(status).label}", target=binding)


def gap_reason(key: str) -> str:
    return GAPS_BY_KEY[key].label
