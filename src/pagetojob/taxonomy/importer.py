"""The review-first taxonomy importer: upload → column mapping → candidates → review → atomic apply."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock, queue
from pagetojob.core.models import WorkState
from pagetojob.taxonomy import readers
from pagetojob.taxonomy.columns import FIELD_LABELS, detect_mapping, fields_for, is_header_for, likely_family
from pagetojob.taxonomy.families import BY_KEY
from pagetojob.taxonomy.models import (
    BatchStatus,
    BusinessUnit,
    CandidateKind,
    Decision,
    ImportBatch,
    ImportCandidate,
    MembershipType,
)
from pagetojob.taxonomy.normalize import name_key, normalise_row, row_reader

CHUNK = 2000
READ_CHUNK = 5000  # candidates written per commit while reading; progress is saved with each
ROWS_PER_INSERT = 100  # 800 parameters: under every SQLite build's limit
FAMILY_FIELDS: dict[str, tuple[str, ...]] = {
    "business-units": ("trade",),
    "job-types": ("business_units", "priority", "duration_minutes"),
    "campaigns": ("category", "source_label", "medium", "dnis"),
    "zones": ("zips", "cities", "state"),
    "pricebook-services": ("code", "price", "member_price", "category"),
    "membership-types": ("billing", "price"),
    "recurring-service-types": ("membership_type", "recurrence"),
    "booking-providers": ("kind",),
}
ImportFileError = readers.ImportFileError


def max_upload_bytes() -> int:
    return int(getattr(settings, "PAGETOJOB_MAX_UPLOAD_MB", 50)) * 1024 * 1024


def upload_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def create_batch(workspace: Workspace, actor: Any, family: str, file_name: str, chunks: Iterable[bytes]) -> ImportBatch:
    """Store the upload and detect its shape; an unreadable file raises ImportFileError and leaves nothing."""
    if family not in BY_KEY:
        raise ImportFileError(f"Unknown family “{family}”. Choose one of: {', '.join(BY_KEY)}.")
    limit = max_upload_bytes()
    stored = upload_dir() / f"{uuid.uuid4().hex}-{Path(file_name).suffix.lower()[:8] or '.csv'}"
    size = 0
    try:
        with stored.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ImportFileError(
                        f"The file is larger than the upload limit of {limit // (1024 * 1024)} MB. Split the export, "
                        "or ask an admin to raise PAGETOJOB_MAX_UPLOAD_MB."
                    )
                handle.write(chunk)
        try:
            shape = readers.sniff(stored, file_name, is_header_for(family))
        except ImportFileError:
            _refuse_other_family(stored, file_name, family)
            raise
        headers = shape.headers or []
        mapping = detect_mapping(family, headers)
        other = likely_family(headers)
        if other and other != family:
            _wrong_family(headers, family, other)
        if "name" not in mapping:
            raise ImportFileError(
                f"No name column was found. The file's columns are: {', '.join(h for h in headers if h) or 'none'}."
            )
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    batch = ImportBatch.objects.create(
        workspace=workspace, family=family, file_name=file_name[:255], file_size=size, stored_path=str(stored),
        file_format=shape.file_format, encoding=shape.encoding, delimiter=shape.delimiter,
        header_row=shape.header_row, detected_columns=headers, column_mapping=mapping,
        status=BatchStatus.MAPPING, run_after=clock.now(), work_state=WorkState.PARKED,
        rows_estimate=_estimate_rows(stored, shape), uploaded_by=actor if getattr(actor, "pk", None) else None,
        counts={"sample": shape.sample or []},
    )
    audit.record(workspace, actor, "import.upload", f"Uploaded {file_name} as {BY_KEY[family].label.lower()}",
                 target=batch)
    return batch


def _wrong_family(headers: list[str], family: str, other: str) -> None:
    raise ImportFileError(
        f"These columns ({', '.join(h for h in headers if h)}) look like a {BY_KEY[other].singular} export, "
        f"not {BY_KEY[family].label.lower()}. Choose “{BY_KEY[other].label}”, or upload the right file."
    )


def _refuse_other_family(path: Path, file_name: str, family: str) -> None:
    """When no header fits the chosen family, say which family the file does fit, if one."""
    for other in BY_KEY:
        if other == family:
            continue
        try:
            shape = readers.sniff(path, file_name, is_header_for(other))
        except ImportFileError:
            continue
        if likely_family(shape.headers or []) == other:
            _wrong_family(shape.headers or [], family, other)


def _estimate_rows(path: Path, shape: readers.FileShape) -> int:
    if shape.file_format != "csv":
        return max(readers.xlsx_row_count(path) - shape.header_row, 0)
    with path.open("rb") as handle:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - shape.header_row, 0)


def confirm_mapping(batch: ImportBatch, actor: Any, mapping: dict[str, str]) -> ImportBatch:
    """Check the corrected column mapping and queue the batch for reading on the worker."""
    if batch.status != BatchStatus.MAPPING:
        raise ImportFileError("The columns of this import were already confirmed.")
    known = fields_for(batch.family)
    clean = {field: header for field, header in mapping.items() if header and field in known}
    missing = [header for header in clean.values() if header not in batch.detected_columns]
    if missing:
        raise ImportFileError(f"The file has no column named {', '.join(missing)}.")
    if "name" not in clean:
        raise ImportFileError("Choose the column that holds each item's name: it is the one required column.")
    headers = list(clean.values())
    if len(headers) != len(set(headers)):
        raise ImportFileError("Each column can feed one field only; two fields point at the same column.")
    batch.column_mapping = clean
    batch.status = BatchStatus.READING
    batch.phase = "read"
    batch.work_state = WorkState.QUEUED
    batch.run_after = clock.now()
    batch.save()
    audit.record(batch.workspace, actor, "import.columns", f"Confirmed the columns of {batch.file_name}",
                 target=batch, details={FIELD_LABELS.get(k, k): v for k, v in clean.items()})
    return batch


def _value_of(item: Any, field: str, family: str) -> Any:
    value = getattr(item, field, None)
    if field == "business_units":
        return sorted(unit.name for unit in item.business_units.all())
    if field == "membership_type":
        return item.membership_type.name if item.membership_type else ""
    if field in ("zips", "cities"):
        return sorted(value or [])
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value if value is not None else ("" if field not in ("price", "member_price", "duration_minutes") else None)


def current_items(workspace: Workspace, family: str) -> tuple[dict[int, dict], dict[str, dict]]:
    """Snapshot of the workspace's items: by ServiceTitan id and by normalised name."""
    model = BY_KEY[family].model
    items = model._default_manager.filter(workspace=workspace)
    if family == "job-types":
        items = items.prefetch_related("business_units")
    if family == "recurring-service-types":
        items = items.select_related("membership_type")
    by_id: dict[int, dict] = {}
    by_name: dict[str, dict] = {}
    by_code: dict[str, dict] = {}
    for item in items.iterator(chunk_size=CHUNK):
        snapshot = {"pk": item.pk, "st_id": item.st_id, "name": item.name, "active": item.active}
        for field in FAMILY_FIELDS[family]:
            snapshot[field] = _value_of(item, field, family)
        if item.st_id is not None:
            by_id[item.st_id] = snapshot
        by_name.setdefault(name_key(item.name), snapshot)
        if snapshot.get("code"):
            by_code.setdefault(name_key(snapshot["code"]), snapshot)
    # A pricebook code identifies a service as well as its name does; both indexes share one dict.
    by_name.update({f"code:{key}": snapshot for key, snapshot in by_code.items()})
    return by_id, by_name


def _classify(family: str, values: dict, existing: dict | None) -> tuple[str, dict]:
    if existing is None:
        return CandidateKind.NEW, {}
    diff = {}
    for field in ("name", "active", *FAMILY_FIELDS[family]):
        if field not in values:
            continue
        if field == "st_id":
            continue
        before, after = existing.get(field), values.get(field)
        if field in ("price", "member_price") and after is None and before is None:
            continue
        if (before or None) != (after or None) and before != after:
            diff[field] = {"before": before, "after": after}
    if existing["active"] and values.get("active") is False:
        return CandidateKind.DEACTIVATED, diff
    return (CandidateKind.CHANGED if diff else CandidateKind.UNCHANGED), diff


def read_batch(batch: ImportBatch) -> ImportBatch:
    """Stream the file into candidates; progress is saved as it goes so the page can show it."""
    path = Path(batch.stored_path)
    shape = readers.FileShape(batch.file_format, batch.encoding, batch.delimiter, batch.header_row,
                              batch.detected_columns)
    positions = {field: batch.detected_columns.index(header) for field, header in batch.column_mapping.items()}
    family = batch.family
    read_row = row_reader(family, positions, batch.column_mapping)
    check_units = family == "job-types"
    check_membership = family == "recurring-service-types"
    by_id, by_name = current_items(batch.workspace, family)
    unit_names = {name_key(n) for n in BusinessUnit.objects.filter(workspace=batch.workspace)
                  .values_list("name", flat=True)} if check_units else set()
    membership_names = {name_key(n) for n in MembershipType.objects.filter(workspace=batch.workspace)
                        .values_list("name", flat=True)} if check_membership else set()
    ImportCandidate.objects.filter(batch=batch).delete()
    seen_ids: dict[int, int] = {}
    seen_names: dict[str, int] = {}
    matched: set[int] = set()
    counts = {kind: 0 for kind in CandidateKind.values}
    warning_counts: dict[str, int] = {}
    pending: list = []  # the candidates' column values, row after row (CANDIDATE_COLUMNS)
    flush_at = READ_CHUNK * len(CANDIDATE_COLUMNS)
    encode = _json_encoder()
    rows = 0
    for number, row in readers.iter_rows(path, shape):
        if not "".join(row).strip():
            continue
        rows += 1
        values, warnings, blocked = read_row(row)
        if check_units:
            unknown = [n for n in values.get("business_units", []) if name_key(n) not in unit_names]
            if unknown:
                warnings.append(f"business unit{'s' if len(unknown) > 1 else ''} not in this workspace: "
                                + ", ".join(unknown))
        if check_membership and values.get("membership_type"):
            if name_key(values["membership_type"]) not in membership_names:
                warnings.append(f"membership type not in this workspace: {values['membership_type']}")
        st_id = values.get("st_id")
        name = values["name"]
        key = name.casefold()  # the name is already collapsed: this is its name_key
        existing = None
        kind: str
        diff: dict
        if blocked:
            kind, diff = CandidateKind.BLOCKED, {}
            named = by_name.get(key) if key else None
            if named is not None:
                matched.add(named["pk"])  # the item is in the file, just unreadable: not "missing"
        elif st_id is not None and st_id in seen_ids:
            kind, diff = CandidateKind.DUPLICATE, {}
            warnings.append(f"same ServiceTitan id as row {seen_ids[st_id]}")
        elif st_id is None and key in seen_names:
            kind, diff = CandidateKind.DUPLICATE, {}
            warnings.append(f"same name as row {seen_names[key]}")
        else:
            if st_id is not None and by_name:  # an empty workspace (a first import) has nothing to match
                existing = by_id.get(st_id)
                named = by_name.get(key)
                if existing is None and named is not None and named["st_id"] is None:
                    existing = named
                elif existing is None and named is not None and named["st_id"] not in (None, st_id):
                    warnings.append(f"an item named “{named['name']}” already exists with id {named['st_id']}")
            elif by_name:
                existing = by_name.get(f"code:{name_key(values['code'])}") if values.get("code") else None
                existing = existing or by_name.get(key)
            if existing is None:
                kind, diff = CandidateKind.NEW, {}
            else:
                kind, diff = _classify(family, values, existing)
                matched.add(existing["pk"])
            if st_id is not None:
                seen_ids[st_id] = number
            seen_names.setdefault(key, number)
        counts[kind] += 1
        if warnings:
            for warning in warnings:
                label = warning.split(":")[0] if warning.startswith(("business unit", "membership type")) else warning
                if not label.startswith("same "):
                    warning_counts[label] = warning_counts.get(label, 0) + 1
            if blocked:
                warnings.append(f"blocked: {blocked}")
        elif blocked:
            warnings = [f"blocked: {blocked}"]
        # Diff and warnings are encoded now, values with the whole chunk (see _encode_values): a chunk then holds
        # few containers for the garbage collector to walk again and again.
        pending += (number, kind, st_id, name[:255], values, encode(diff) if diff else "{}",
                    encode(warnings) if warnings else "[]", existing["pk"] if existing else None)
        if len(pending) >= flush_at:
            _flush(batch, pending, rows, encode)
    everything = {snapshot["pk"]: snapshot for snapshot in (*by_name.values(), *by_id.values())}
    missing = [item for item in everything.values() if item["pk"] not in matched and item["active"]]
    for item in missing:
        counts[CandidateKind.DEACTIVATED] += 1
        pending += (None, CandidateKind.DEACTIVATED, item["st_id"], item["name"],
                    {"name": item["name"], "active": False},
                    encode({"active": {"before": True, "after": False}}),
                    encode(["not in the file: it may have been removed or deactivated in ServiceTitan"]), item["pk"])
        if len(pending) >= flush_at:
            _flush(batch, pending, rows, encode)
    _flush(batch, pending, rows, encode)
    if rows == 0:
        raise ImportFileError("The file has a header row but no data rows under it.")
    batch.counts = counts
    batch.rows_read = rows
    batch.status = BatchStatus.REVIEW
    batch.warnings = [f"{n} row{'s' if n != 1 else ''} {label}" for label, n in (
        ("blocked (a required value is missing or unreadable)", counts["blocked"]),
        ("duplicated in the file", counts["duplicate"])) if n]
    batch.warnings += [f"{n} row{'s' if n != 1 else ''}: {label}" for label, n in sorted(warning_counts.items())]
    absent = sum(1 for item in missing)
    if absent and rows and absent >= rows:
        batch.warnings.append(f"{absent} existing item{'s are' if absent != 1 else ' is'} not in this file: if it is "
                              "not the full list, reject those deactivations")
    batch.save(update_fields=["counts", "rows_read", "status", "warnings"])
    return batch


# Each candidate row sends these as parameters; batch, decision and edited are the same for every row.
CANDIDATE_COLUMNS = ("row_number", "kind", "st_id", "name", "values", "diff", "warnings", "target_id")
VALUES_START = '{"name": '


def _json_encoder() -> Callable[[Any], str]:
    """The JSON the ORM writes for a JSONField (json.dumps: ASCII, non-ASCII escaped), strict (never NaN), without
    json.JSONEncoder.encode's per-call set-up, which costs more than encoding a candidate's few values; the plain
    encoder where the C accelerator is missing or behaves differently."""
    plain = json.JSONEncoder(allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return plain.encode
    try:
        one_shot = make(None, plain.default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False,
                        False)
        probe = {"a": [1, None, True, "é\n"], "b": {"c": 1.5}}
        same = "".join(one_shot(probe, 0)) == plain.encode(probe)
    except TypeError:
        return plain.encode
    try:
        one_shot(float("nan"), 0)
        return plain.encode  # it wrote NaN: not the strict encoder this must be
    except ValueError:
        pass
    return (lambda value: "".join(one_shot(value, 0))) if same else plain.encode


def _encode_values(objects: list[dict], encode: Callable[[Any], str]) -> list[str]:
    """Each row's values as JSON text, from one encoder call for the whole chunk.

    Every row's values begin with its name and hold only text, numbers, booleans and lists of text, so in the
    chunk's JSON array `, {"name": ` appears only where one row's object ends and the next begins (a quote inside
    a string is always escaped). Were that ever not so, the count would differ and each is encoded on its own.
    """
    if not objects:
        return []
    text = encode(objects)
    parts = text[len(VALUES_START) + 1:-1].split(", " + VALUES_START)
    if text.startswith("[" + VALUES_START) and len(parts) == len(objects):
        return [VALUES_START + part for part in parts]
    return [encode(item) for item in objects]


def _flush(batch: ImportBatch, pending: list, rows: int, encode: Callable[[Any], str]) -> None:
    """Write a chunk of candidates, and the progress, in one commit.

    One INSERT per row costs more than all the reading does, and a 100,000-row export must not crawl: PostgreSQL
    takes the chunk with COPY, SQLite with a ROWS_PER_INSERT-row statement repeated by executemany.
    """
    quote = connection.ops.quote_name
    table = quote(ImportCandidate._meta.db_table)
    columns = ", ".join(quote(column) for column in (*CANDIDATE_COLUMNS, "batch_id", "decision", "edited"))
    width = len(CANDIDATE_COLUMNS)
    at = CANDIDATE_COLUMNS.index("values")
    pending[at::width] = _encode_values(pending[at::width], encode)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            constants = (batch.pk, Decision.PENDING.value, False)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(pending), width):
                    copy.write_row((*pending[start:start + width], *constants))
        else:
            row = f"({', '.join(['%s'] * width)}, {int(batch.pk)}, '{Decision.PENDING.value}', FALSE)"
            step = ROWS_PER_INSERT * width
            whole = len(pending) - len(pending) % step
            # SQLite's CHECK constraints on these columns re-parse every JSON text to prove it valid (and a row number
            # not negative); the text comes from the strict encoder above and the numbers from counting rows, so
            # the checks are skipped for these statements and only these.
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                if whole:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * ROWS_PER_INSERT)}",
                                       [pending[start:start + step] for start in range(0, whole, step)])
                if whole < len(pending):
                    rest = (len(pending) - whole) // width
                    cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rest)}",
                                   pending[whole:])
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        cursor.execute(f"UPDATE {quote(ImportBatch._meta.db_table)} SET {quote('rows_read')} = %s "
                       f"WHERE {quote(str(ImportBatch._meta.pk.column))} = %s", [rows, batch.pk])
    pending.clear()


def process(batch: ImportBatch) -> None:
    """Worker handler: read a confirmed batch, or apply an approved one."""
    from pagetojob.taxonomy.apply import apply_batch

    batch.refresh_from_db()
    if batch.phase == "apply":
        try:
            apply_batch(batch, batch.applied_by)
        except ImportFileError as error:
            # apply_batch already rolled back and reopened the review with the reason: keep every decision.
            raise queue.PermanentError(str(error)) from error
        return
    try:
        if batch.status == BatchStatus.READING:
            read_batch(batch)
    except ImportFileError as error:
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, errors=[str(error)])
        ImportCandidate.objects.filter(batch=batch).delete()
        raise queue.PermanentError(str(error)) from error


def decide(batch: ImportBatch, actor: Any, candidate_ids: list[int], decision: str) -> int:
    if batch.status != BatchStatus.REVIEW:
        raise ImportFileError("This import is not open for review.")
    if decision not in Decision.values:
        raise ImportFileError("Unknown decision.")
    candidates = batch.candidates.filter(pk__in=candidate_ids)
    if decision == Decision.ACCEPTED:
        refused = candidates.filter(kind__in=[CandidateKind.BLOCKED, CandidateKind.DUPLICATE]).count()
        if refused:
            raise ImportFileError("Blocked and duplicate rows cannot be accepted: fix the row (edit it) or the file.")
    return candidates.update(decision=decision)


def safe_candidates(batch: ImportBatch):
    return batch.candidates.filter(kind__in=[CandidateKind.NEW, CandidateKind.CHANGED], warnings=[])


def accept_safe(batch: ImportBatch, actor: Any) -> int:
    count = safe_candidates(batch).exclude(decision=Decision.REJECTED).update(decision=Decision.ACCEPTED)
    audit.record(batch.workspace, actor, "import.accept_safe",
                 f"Accepted {count} safe row{'s' if count != 1 else ''} of {batch.file_name}", target=batch)
    return count


def edit_candidate(candidate: ImportCandidate, actor: Any, cells: dict[str, str]) -> ImportCandidate:
    """Re-read one row from corrected values; it is re-classified like any row of the file."""
    batch = candidate.batch
    if batch.status != BatchStatus.REVIEW:
        raise ImportFileError("This import is not open for review.")
    result = normalise_row(batch.family, cells, {"active": "status"})
    if result.blocked:
        raise ImportFileError(f"Still blocked: {result.blocked}.")
    by_id, by_name = current_items(batch.workspace, batch.family)
    st_id = result.values.get("st_id")
    existing = by_id.get(st_id) if st_id is not None else by_name.get(name_key(result.values["name"]))
    kind, diff = _classify(batch.family, result.values, existing)
    candidate.values, candidate.diff, candidate.kind = result.values, diff, kind
    candidate.warnings, candidate.st_id, candidate.name = result.warnings, st_id, result.values["name"]
    candidate.target_id = existing["pk"] if existing else None
    candidate.edited = True
    candidate.save()
    audit.record(batch.workspace, actor, "import.edit", f"Edited row {candidate.row_number} of {batch.file_name}",
                 target=batch, details={"values": result.values})
    return candidate


def queue_apply(batch: ImportBatch, actor: Any) -> ImportBatch:
    if batch.status != BatchStatus.REVIEW:
        raise ImportFileError("Only an import under review can be applied.")
    if not batch.candidates.filter(decision=Decision.ACCEPTED).exists():
        raise ImportFileError("Accept at least one row before applying.")
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.APPLYING, phase="apply", applied_by=actor, work_state=WorkState.QUEUED,
        run_after=clock.now())
    batch.refresh_from_db()
    return batch


def discard(batch: ImportBatch, actor: Any, reason: str = "") -> None:
    if batch.status in (BatchStatus.APPLIED, BatchStatus.APPLYING):
        raise ImportFileError("An applied import cannot be discarded.")
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DISCARDED, work_state=WorkState.CANCELLED)
    ImportCandidate.objects.filter(batch=batch).delete()
    Path(batch.stored_path).unlink(missing_ok=True)
    audit.record(batch.workspace, actor, "import.discard", f"Discarded the import of {batch.file_name}"
                 + (f": {reason}" if reason else ""), target=batch)


def discard_unreviewed(workspace: Workspace, actor: Any) -> int:
    """The kill switch: throw away every import waiting for review in this workspace."""
    waiting = ImportBatch.objects.filter(workspace=workspace, status__in=[BatchStatus.MAPPING, BatchStatus.REVIEW])
    count = 0
    for batch in waiting:
        discard(batch, actor, "unreviewed imports discarded by the kill switch")
        count += 1
    return count


def _chunks(queryset, size: int = CHUNK) -> Iterator[list[ImportCandidate]]:
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk
