"""Applying a reviewed import: every accepted candidate lands in one transaction, or none does."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import DateTimeField, DecimalField, JSONField

from pagetojob.accounts import audit
from pagetojob.core import clock
from pagetojob.taxonomy import hooks
from pagetojob.taxonomy.families import BY_KEY
from pagetojob.taxonomy.importer import FAMILY_FIELDS, ImportFileError, _chunks
from pagetojob.taxonomy.models import (
    BatchStatus,
    BusinessUnit,
    CandidateKind,
    Decision,
    ImportBatch,
    ImportCandidate,
    JobType,
    MembershipType,
    Source,
    ZoneState,
)
from pagetojob.taxonomy.normalize import name_key

PLAIN_SKIP = {"business_units", "membership_type"}
AFFECTING_STATES = (ZoneState.PAUSED, ZoneState.EMERGENCY_ONLY)  # zone states whose bindings need review
AFFECTED_LIMIT = 200


def _model_fields(family: str, values: dict, lookups: dict[str, dict[str, int]]) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": values["name"], "active": values.get("active", True)}
    if values.get("st_id") is not None:
        fields["st_id"] = values["st_id"]
    for field in FAMILY_FIELDS[family]:
        if field in PLAIN_SKIP or field not in values:
            continue
        value = values[field]
        if field in ("price", "member_price"):
            value = Decimal(value) if value is not None else None
        fields[field] = value
    if family == "recurring-service-types" and "membership_type" in values:
        fields["membership_type_id"] = lookups["memberships"].get(name_key(values["membership_type"] or ""))
    return fields


def apply_batch(batch: ImportBatch, actor: Any) -> dict:
    """Apply accepted candidates atomically; on any failure nothing changes and the batch returns to review."""
    family = batch.family
    model = BY_KEY[family].model
    workspace = batch.workspace
    now = clock.now()
    lookups = {
        "units": {name_key(name): pk for pk, name in BusinessUnit.objects.filter(workspace=workspace)
                  .values_list("pk", "name")},
        "memberships": {name_key(name): pk for pk, name in MembershipType.objects.filter(workspace=workspace)
                        .values_list("pk", "name")},
    }
    accepted = ImportCandidate.objects.filter(batch=batch, decision=Decision.ACCEPTED)
    summary = {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 0}
    touched_inactive: list[int] = []
    try:
        with transaction.atomic():
            for chunk in _chunks(accepted):
                new = [c for c in chunk if c.kind == CandidateKind.NEW]
                if family == "job-types":  # job types need their ids back for the business-unit links
                    created = model._default_manager.bulk_create([
                        model(workspace=workspace, source=Source.CSV_IMPORT, raw=c.values, last_seen_at=now,
                              **_model_fields(family, c.values, lookups)) for c in new
                    ])
                    summary["created"] += len(created)
                else:
                    created = []
                    summary["created"] += _insert_new(model, workspace.pk, new, family, lookups, now)
                existing = [c for c in chunk if c.kind != CandidateKind.NEW and c.target_id]
                targets = model._default_manager.filter(workspace=workspace).in_bulk([c.target_id for c in existing])
                changed_fields: set[str] = {"last_seen_at", "source", "raw"}
                for candidate in existing:
                    item = targets.get(candidate.target_id)
                    if item is None:
                        raise ImportFileError(f"“{candidate.name}” no longer exists; read the file again.")
                    if candidate.kind == CandidateKind.DEACTIVATED and candidate.row_number is None:
                        item.active = False
                        changed_fields.add("active")
                        summary["deactivated"] += 1
                    else:
                        for name, value in _model_fields(family, candidate.values, lookups).items():
                            setattr(item, name, value)
                            changed_fields.add(name)
                        item.raw = candidate.values
                        summary["deactivated" if candidate.kind == CandidateKind.DEACTIVATED else
                                "updated" if candidate.kind == CandidateKind.CHANGED else "unchanged"] += 1
                    item.last_seen_at = now
                    item.source = Source.CSV_IMPORT
                    if not item.active or getattr(item, "state", ZoneState.ACTIVE) in AFFECTING_STATES:
                        touched_inactive.append(item.pk)
                model._default_manager.bulk_update(list(targets.values()), sorted(changed_fields), batch_size=500)
                if family == "job-types":
                    _set_units(created, new, list(targets.values()), existing, lookups["units"])
                touched_inactive.extend(item.pk for item in created if not item.active)
            seen = ImportCandidate.objects.filter(batch=batch, kind=CandidateKind.UNCHANGED, target_id__isnull=False)
            model._default_manager.filter(workspace=workspace, pk__in=seen.values("target_id")).update(last_seen_at=now)
            summary["affected_bindings"] = _affected_bindings(model, touched_inactive)
            batch.status = BatchStatus.APPLIED
            batch.applied_by = actor if getattr(actor, "pk", None) else batch.applied_by
            batch.applied_at = now
            batch.apply_summary = summary
            batch.phase = "done"
            batch.errors = []
            batch.save(update_fields=["status", "applied_by", "applied_at", "apply_summary", "phase", "errors"])
            audit.record(workspace, actor, "import.apply",
                         f"Applied {batch.file_name}: {summary['created']} new, {summary['updated']} changed, "
                         f"{summary['deactivated']} deactivated", target=batch, details=summary)
    except (ImportFileError, IntegrityError, DatabaseError, ValueError) as error:
        if isinstance(error, ImportFileError):
            message = str(error)
        elif isinstance(error, IntegrityError):
            message = (f"Nothing was applied: the database refused a row ({error}). Another item may already "
                       "claim the same ServiceTitan id; read the file again or reject that row, then apply again.")
        else:
            message = (f"Nothing was applied: {error.__class__.__name__}: {error}. Your review is kept; "
                       "apply again, and if it fails the same way, contact support with this message.")
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.REVIEW, phase="read", errors=[message])
        raise ImportFileError(message) from error
    hooks.import_applied(batch, actor)
    return summary


def _insert_new(model, workspace_id: int, new: list[ImportCandidate], family: str, lookups, now) -> int:
    """Insert new items with one executemany: a 100,000-row pricebook must apply well inside 15 s."""
    if not new:
        return 0
    rows = []
    for candidate in new:
        fields = _model_fields(family, candidate.values, lookups)
        fields.update(workspace_id=workspace_id, source=Source.CSV_IMPORT, raw=candidate.values, last_seen_at=now,
                      created_at=now, updated_at=now)
        rows.append(fields)
    # Every concrete column gets a value: Django keeps defaults in Python, not in the schema.
    model_fields = {field.attname: field for field in model._meta.concrete_fields if not field.primary_key}
    names = sorted(model_fields)
    ops = connection.ops
    timestamp = ops.adapt_datetimefield_value(now)

    def adapt(name: str, value: Any) -> Any:
        field = model_fields[name]
        if value is None:
            return None
        if isinstance(field, JSONField):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(field, DecimalField):
            return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        if isinstance(field, DateTimeField):
            return timestamp
        return value

    defaults = {name: model_fields[name].get_default() for name in names}
    params = [tuple(adapt(name, row.get(name, defaults[name])) for name in names) for row in rows]
    columns = ", ".join(ops.quote_name(model_fields[name].column) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
                           params)
    return len(rows)


def _set_units(created, new, updated, existing, units: dict[str, int]) -> None:
    through = JobType.business_units.through
    by_pk = {item.pk: item for item in updated}
    pairs = list(zip(created, new, strict=True)) + [
        (by_pk[candidate.target_id], candidate) for candidate in existing
        if candidate.row_number is not None and candidate.target_id in by_pk
    ]
    ids = [item.pk for item, _ in pairs]
    through.objects.filter(jobtype_id__in=ids).delete()
    rows = []
    for item, candidate in pairs:
        for unit in candidate.values.get("business_units", []):
            unit_id = units.get(name_key(unit))
            if unit_id:
                rows.append(through(jobtype_id=item.pk, businessunit_id=unit_id))
    through.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _affected_bindings(model, item_ids: list[int]) -> list[dict]:
    """Bindings that point at objects this import made inactive: the review work the import created."""
    if not item_ids or not any(f.name == "bindings" for f in model._meta.get_fields()):
        return []
    binding_model = model._meta.get_field("bindings").related_model
    relation = model._meta.get_field("bindings").field.name
    rows = (binding_model._default_manager.filter(**{f"{relation}__in": item_ids}).select_related("page")
            .distinct()[:AFFECTED_LIMIT])
    return [{"page": binding.page.path, "page_id": binding.page_id, "status": binding.status} for binding in rows]
