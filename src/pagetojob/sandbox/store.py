"""Per-tenant state: the records of each kind, their change order for export feeds, ids, and paging.

One lock per tenant guards everything of that tenant, so concurrent creates never share an id and an export
page never sees half a write. Every write takes the next change number; export feeds hand out continuation
tokens that name the last change number seen, which is how a client resumes a feed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import records
from .seeds import load_seed

MAX_PAGE_SIZE = 5000
DEFAULT_PAGE_SIZE = 50
CONTINUATION_PREFIX = "sbx1."

# Kinds with records a client can read and the first id each new record gets in that tenant.
FIRST_IDS = {
    "business_unit": 1100001, "job_type": 2200001, "campaign": 3400001, "zone": 4500001, "service": 5600001,
    "membership_type": 6610001, "recurring_service_type": 6710001, "booking_provider_tag": 7710001,
    "booking": 7800001, "lead": 7900001, "job": 9110001, "invoice": 9210001, "payment": 9310001,
    "appointment": 9410001, "web_booking_attribution": 9510001, "web_lead_form_attribution": 9610001,
}
KINDS = tuple(FIRST_IDS)


class QueryError(ValueError):
    """A query parameter the API rejects; `field` names it for the error body."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class Record:
    kind: str
    id: int
    body: dict[str, Any]
    created: datetime
    modified: datetime
    seq: int
    external_id: str | None = None
    request: dict[str, Any] | None = None  # the create request as received, for inspection

    def summary(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "externalId": self.external_id, "change": self.seq,
                "createdOn": records.iso(self.created), "body": self.body, "request": self.request}


@dataclass
class Tenant:
    tenant_id: int
    seed: str
    lock: threading.RLock = field(default_factory=threading.RLock)
    kinds: dict[str, dict[int, Record]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    external: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (kind, externalId) -> ids
    seq: int = 0
    id_offset: int = 0  # added to the id of every record created through the API (not to the seed's records)

    def __post_init__(self) -> None:
        self.load(self.seed)

    def load(self, seed_name: str) -> None:
        """Drop every record and start again from the seed."""
        seed = load_seed(seed_name)
        with self.lock:
            self.seed = seed_name
            self.kinds = {kind: {} for kind in KINDS}
            self.next_ids = {kind: first + self.id_offset for kind, first in FIRST_IDS.items()}
            self.external = {}
            self.seq = 0
            for kind, rows in seed.rows.items():
                for row in sorted(rows, key=lambda r: r["modifiedOn"]):
                    self._put(kind, records.BUILDERS[kind](row), row["createdOn"], row["modifiedOn"])

    def _put(self, kind: str, body: dict[str, Any], created: datetime, modified: datetime,
             external_id: str | None = None, request: dict[str, Any] | None = None) -> Record:
        self.seq += 1
        record = Record(kind, body["id"], body, created, modified, self.seq, external_id, request)
        if record.id not in self.kinds[kind] and external_id is not None:
            self.external.setdefault((kind, external_id), []).append(record.id)
        self.kinds[kind][record.id] = record
        self.next_ids[kind] = max(self.next_ids[kind], record.id + 1)
        return record

    def new_id(self, kind: str) -> int:
        with self.lock:
            value = self.next_ids[kind]
            self.next_ids[kind] = value + 1
            return value

    def add(self, kind: str, body: dict[str, Any], *, external_id: str | None = None,
            request: dict[str, Any] | None = None, now: datetime | None = None) -> Record:
        moment = now or datetime.now(UTC)
        with self.lock:
            return self._put(kind, body, moment, moment, external_id, request)

    def touch(self, kind: str, record_id: int, changes: dict[str, Any]) -> Record:
        """Change fields of a record; it moves to the end of the export feed like any ServiceTitan change."""
        with self.lock:
            record = self.kinds[kind][record_id]
            now = datetime.now(UTC)
            body = {**record.body, **changes, "modifiedOn": records.iso(now)}
            self.seq += 1
            updated = Record(kind, record_id, body, record.created, now, self.seq, record.external_id,
                             record.request)
            self.kinds[kind][record_id] = updated
            return updated

    def get(self, kind: str, record_id: int) -> Record | None:
        with self.lock:
            return self.kinds[kind].get(record_id)

    def all(self, kind: str) -> list[Record]:
        with self.lock:
            return sorted(self.kinds[kind].values(), key=lambda r: r.id)

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {kind: len(items) for kind, items in self.kinds.items()}

    def by_external_id(self, kind: str, external_id: str) -> list[Record]:
        with self.lock:
            return [self.kinds[kind][i] for i in sorted(self.external.get((kind, external_id), []))]

    def export(self, kind: str, token: str | None, limit: int) -> dict[str, Any]:
        """One page of an export feed: changes after `token`, oldest first, and where to continue from."""
        after, since = parse_continuation(token)
        with self.lock:
            changed = sorted((r for r in self.kinds[kind].values()
                              if r.seq > after and (since is None or r.modified >= since)), key=lambda r: r.seq)
            page = changed[:limit]
            last = page[-1].seq if page else max(after, 0 if since is None else self._seq_before(since))
            return {"hasMore": len(changed) > limit, "continueFrom": f"{CONTINUATION_PREFIX}{last}",
                    "data": [r.body for r in page]}

    def _seq_before(self, since: datetime) -> int:
        return max((r.seq for items in self.kinds.values() for r in items.values() if r.modified < since), default=0)


def parse_continuation(token: str | None) -> tuple[int, datetime | None]:
    """`from` of an export call: empty (from the start), a token from `continueFrom`, or a date-time."""
    if token is None or not token.strip():
        return 0, None
    text = token.strip()
    if text.startswith(CONTINUATION_PREFIX):
        number = text[len(CONTINUATION_PREFIX):]
        if number.isdigit():
            return int(number), None
    else:
        try:
            return 0, records.parse_iso(text)
        except ValueError:
            pass
    raise QueryError("from", f"'{token}' is not a continuation token from this feed's continueFrom nor a date-time "
                             "(e.g. 2025-01-01T00:00:00Z). Leave it empty to read the feed from the start.")


ACTIVE_VALUES = {"true": True, "false": False, "any": None}


def _date_param(params: dict[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return records.parse_iso(value)
    except ValueError:
        raise QueryError(name, f"'{value}' is not a date-time: use ISO 8601 in UTC, e.g. 2025-01-31T00:00:00Z.")\
            from None


def _int_param(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise QueryError(name, f"'{value}' is not a whole number.") from None
    if not low <= number <= high:
        raise QueryError(name, f"{name} must be between {low} and {high}; it was {number}.")
    return number


SORT_FIELDS = {"id": lambda r: r.id, "modifiedon": lambda r: r.modified, "createdon": lambda r: r.created}


def page_of(items: list[Record], params: dict[str, str], *, has_active: bool) -> dict[str, Any]:
    """The standard list envelope: filters (ids, active, created/modified windows), sort, then the page."""
    page = _int_param(params, "page", 1, 1, 10**9)
    size = _int_param(params, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    if params.get("ids"):
        try:
            wanted = {int(part) for part in params["ids"].split(",") if part.strip()}
        except ValueError:
            raise QueryError("ids", f"'{params['ids']}' must be ids separated by commas, e.g. 101,102.") from None
        if len(wanted) > 50:
            raise QueryError("ids", "ids takes at most 50 ids.")
        items = [r for r in items if r.id in wanted]
    if has_active:
        raw = params.get("active", "True")
        if raw.lower() not in ACTIVE_VALUES:
            raise QueryError("active", f"active must be True, Any or False; it was '{raw}'.")
        wanted_active = ACTIVE_VALUES[raw.lower()]
        if wanted_active is not None:
            items = [r for r in items if bool(r.body.get("active", True)) == wanted_active]
    windows = (("modifiedOnOrAfter", lambda r, d: r.modified >= d), ("modifiedBefore", lambda r, d: r.modified < d),
               ("createdOnOrAfter", lambda r, d: r.created >= d), ("createdBefore", lambda r, d: r.created < d))
    for name, keep in windows:
        moment = _date_param(params, name)
        if moment is not None:
            items = [r for r in items if keep(r, moment)]
    sort = params.get("sort")
    if sort:
        direction, name = (sort[0], sort[1:]) if sort[0] in "+-" else ("+", sort)
        key = SORT_FIELDS.get(name.lower())
        if key is None:
            raise QueryError("sort", f"sort '{sort}' is not supported: use +Id, -Id, +ModifiedOn, -ModifiedOn, "
                                     "+CreatedOn or -CreatedOn.")
        items = sorted(items, key=key, reverse=direction == "-")
    start = (page - 1) * size
    chunk = items[start:start + size]
    include_total = params.get("includeTotal", "").lower() == "true"
    return {"page": page, "pageSize": size, "hasMore": start + size < len(items),
            "totalCount": len(items) if include_total else None, "data": [r.body for r in chunk]}
