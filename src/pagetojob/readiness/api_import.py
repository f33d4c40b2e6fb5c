"""Read-only API import: fetch a taxonomy family from ServiceTitan and hand it to the review-first importer.

The fetch is a durable row (`ApiImportRun`) run by the worker. It pages through the family's list endpoint
(pageSize 500, `active=Any` so inactive items arrive as inactive rows) or its export feed, appends each
page's records to a staged file and saves the next page (or continuation token) and the staged length after
every page: a killed worker resumes at the first page it had not saved, and the file is cut back to its
saved length first, so no record is staged twice. When the family is complete the records become the same
kind of CSV a person would upload, with headers the importer recognises, and `create_batch` takes over:
review and apply are exactly those of a file. Every call goes through the tenant's token bucket; transient
errors (429 with Retry-After, 5xx, timeouts) retry through the core mechanism; nothing is ever written to
ServiceTitan (only GET requests are made).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock, queue, worker
from pagetojob.core.models import WorkState
from pagetojob.readiness.evaluate import tenant_access
from pagetojob.readiness.models import ApiImportRun
from pagetojob.taxonomy import importer
from pagetojob.taxonomy.families import BY_KEY, FAMILIES
from pagetojob.taxonomy.models import BatchStatus, ImportBatch, Zone, ZoneState
from pagetojob.titan.client import TitanClient
from pagetojob.titan.connection import client_for
from pagetojob.titan.errors import TitanAuthError, TitanError, TitanPermanentError

CAPABILITY = "taxonomy_import_api"
PAGE_SIZE = 500
LEASE_SECONDS = 300
Status = ApiImportRun.Status


@dataclass(frozen=True)
class Source:
    module: str
    resource: str
    export: bool = False  # an export feed (`from`/`continueFrom`) rather than a paged list
    params: tuple[tuple[str, str], ...] = (("active", "Any"),)


SOURCES: dict[str, Source] = {
    "business-units": Source("settings", "business-units"),
    "job-types": Source("jpm", "job-types"),
    "campaigns": Source("marketing", "campaigns"),
    "zones": Source("dispatch", "zones"),
    # A pricebook can hold tens of thousands of services: its export feed is the bulk path ServiceTitan offers.
    "pricebook-services": Source("pricebook", "export/services", export=True, params=()),
    "membership-types": Source("memberships", "membership-types",
                               params=(("active", "Any"), ("includeDurationBilling", "true"))),
    "recurring-service-types": Source("memberships", "recurring-service-types"),
    "booking-providers": Source("crm", "booking-provider-tags"),
}

# CSV headers per family, in the spellings `taxonomy.columns` detects.
HEADERS: dict[str, tuple[str, ...]] = {
    "business-units": ("Business Unit Id", "Name", "Active", "Trade"),
    "job-types": ("Job Type Id", "Name", "Active", "Business Units", "Priority", "Duration (minutes)"),
    "campaigns": ("Campaign Id", "Name", "Active", "Category", "Source", "Medium", "Tracking Number"),
    "zones": ("Zone Id", "Name", "Active", "ZIPs", "Cities"),
    "pricebook-services": ("Service Id", "Code", "Display Name", "Active", "Price", "Member Price", "Category"),
    "membership-types": ("Membership Type Id", "Name", "Active", "Billing Frequency", "Price"),
    "recurring-service-types": ("Recurring Service Type Id", "Name", "Active", "Membership Type", "Recurrence"),
    "booking-providers": ("Tag Id", "Tag Name", "Active", "Type"),
}


class ApiImportRefused(Exception):
    """The import cannot start; the message says why and what to do."""


# -- starting ------------------------------------------------------------------------------------------------
def gate_problem(workspace: Workspace) -> str:
    """Why the read-only API import may not run for this workspace now, or ""."""
    return _problem(tenant_access(workspace, CAPABILITY))


def _problem(state: Any) -> str:
    if state.allowed:
        return ""
    missing = "; ".join(f"{gate.label}: {gate.detail.rstrip('.')}" for gate in state.missing)
    return f"Read-only API import is {state.status}. Missing gates — {missing}. See the Readiness screen."


def start(workspace: Workspace, actor: Any, families: Iterable[str] | None = None, *,
          page_size: int = PAGE_SIZE) -> list[ApiImportRun]:
    """Queue one fetch per family (every family when none is named); refused whole if a gate is missing."""
    chosen = list(families) if families else [family.key for family in FAMILIES]
    unknown = [family for family in chosen if family not in SOURCES]
    if unknown:
        raise ApiImportRefused(f"Unknown family {', '.join(unknown)}. Choose one of: {', '.join(SOURCES)}.")
    problem = gate_problem(workspace)
    if problem:
        raise ApiImportRefused(problem)
    busy = sorted(ApiImportRun.objects.filter(workspace=workspace, family__in=chosen, status=Status.FETCHING)
                  .exclude(work_state__in=[WorkState.FAILED, WorkState.CANCELLED]).values_list("family", flat=True))
    if busy:
        raise ApiImportRefused(f"{', '.join(BY_KEY[f].label for f in busy)} {'is' if len(busy) == 1 else 'are'} "
                               "already being fetched from ServiceTitan: wait for it to reach review.")
    try:
        client = client_for(workspace)
    except TitanError as error:
        raise ApiImportRefused(str(error)) from error
    runs = []
    with transaction.atomic():
        for family in chosen:
            run = ApiImportRun.objects.create(
                workspace=workspace, family=family, requested_by=actor if getattr(actor, "pk", None) else None,
                environment=client.credentials.environment, tenant_id=client.credentials.tenant_id,
                page_size=page_size, run_after=clock.now(), work_state=WorkState.QUEUED)
            runs.append(run)
        audit.record(workspace, actor, "import.api_start",
                     f"Started a read-only ServiceTitan import of {', '.join(BY_KEY[f].label.lower() for f in chosen)}"
                     f" (tenant {client.credentials.tenant_id}, {client.credentials.environment})",
                     details={"families": chosen})
    return runs


def file_name(run: ApiImportRun) -> str:
    return (f"ServiceTitan API — {BY_KEY[run.family].label.lower()} "
            f"(tenant {run.tenant_id}, {run.environment}).csv")


# -- the worker handler --------------------------------------------------------------------------------------
def staging_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "uploads" / "api"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def process(run: ApiImportRun, *, on_page: Callable[[ApiImportRun], None] | None = None) -> None:
    """Fetch (or resume fetching) a family, then create its import batch. Idempotent: a finished run does nothing."""
    run.refresh_from_db()
    if run.status != Status.FETCHING:
        return
    try:
        problem = gate_problem(run.workspace)
        if problem:
            raise queue.PermanentError(problem + " The fetch stopped; start it again once the gates hold.")
        client = client_for(run.workspace)
        if run.next_page:
            _fetch(run, client, on_page)
        _hand_over(run, client)
    except TitanAuthError as error:
        _failed(run, f"ServiceTitan refused access: {error}")
        raise queue.PermanentError(f"ServiceTitan refused access: {error}") from error
    except (queue.PermanentError, TitanPermanentError, importer.ImportFileError) as error:
        _failed(run, str(error))
        raise queue.PermanentError(str(error)) from error
    except queue.TransientError:
        if run.attempts >= run.max_attempts:
            ApiImportRun.objects.filter(pk=run.pk).update(status=Status.FAILED)
        raise
    except OperationalError:
        raise  # the database was busy: the worker retries, the run keeps its place
    except Exception as error:  # a bug stops the run visibly instead of leaving it "fetching" for ever
        _failed(run, f"Unexpected error: {error!r}")
        raise


def _failed(run: ApiImportRun, message: str) -> None:
    ApiImportRun.objects.filter(pk=run.pk).update(status=Status.FAILED, last_error=message[:2000])
    if run.staged_path:
        Path(run.staged_path).unlink(missing_ok=True)


def _staged_file(run: ApiImportRun) -> Path:
    if not run.staged_path:
        run.staged_path = str(staging_dir() / f"run-{run.pk}-{run.family}.jsonl")
        ApiImportRun.objects.filter(pk=run.pk).update(staged_path=run.staged_path)
    path = Path(run.staged_path)
    with path.open("ab") as handle:  # cut back whatever a killed worker appended after its last saved page
        handle.truncate(run.staged_bytes)
    return path


def _pages(run: ApiImportRun, client: TitanClient) -> Iterator[tuple[list[dict], int, str, int | None]]:
    """(records, next page, continuation token, total count) per response, from where the run stopped."""
    source = SOURCES[run.family]
    path = client.tenant_path(source.module, source.resource)
    params = dict(source.params)
    if source.export:
        for chunk in client.iter_export(path, params, continue_from=run.continue_from or None):
            yield chunk.items, (run.next_page + 1 if chunk.has_more else 0), chunk.continue_from, None
    else:
        for page in client.iter_pages(path, params, page_size=run.page_size, start_page=run.next_page):
            more = page.has_more and bool(page.items)
            yield page.items, (page.page + 1 if more else 0), "", page.total_count


def _fetch(run: ApiImportRun, client: TitanClient, on_page: Callable[[ApiImportRun], None] | None) -> None:
    path = _staged_file(run)
    project = PROJECTIONS[run.family]
    for items, next_page, token, total in _pages(run, client):
        lines = "".join(json.dumps(project(item), ensure_ascii=False) + "\n" for item in items).encode()
        with path.open("ab") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())
        run.staged_bytes += len(lines)
        run.rows_fetched += len(items)
        run.pages_fetched += 1
        run.next_page = next_page
        run.continue_from = token
        run.total_count = total if total is not None else run.total_count
        now = clock.now()
        ApiImportRun.objects.filter(pk=run.pk).update(
            staged_bytes=run.staged_bytes, rows_fetched=run.rows_fetched, pages_fetched=run.pages_fetched,
            next_page=run.next_page, continue_from=run.continue_from, total_count=run.total_count, last_error="",
            # A long fetch keeps its lease while it makes progress; only a stalled worker loses it.
            **({"lease_expires_at": now + timedelta(seconds=LEASE_SECONDS)} if run.lease_owner else {}))
        if on_page is not None:
            on_page(run)
    if run.next_page:  # the feed ended without saying so (an empty page): nothing more to read
        run.next_page = 0
        ApiImportRun.objects.filter(pk=run.pk).update(next_page=0)


def _records(run: ApiImportRun) -> list[dict]:
    """The staged records, one per id (an export feed may repeat an item it saw change: the last one wins)."""
    by_id: dict[Any, dict] = {}
    with Path(run.staged_path).open("rb") as handle:
        for line in handle.read(run.staged_bytes).splitlines():
            if line.strip():
                record = json.loads(line)
                by_id.pop(record.get("id"), None)
                by_id[record.get("id")] = record
    return list(by_id.values())


def _hand_over(run: ApiImportRun, client: TitanClient) -> None:
    records = _records(run) if run.staged_path and Path(run.staged_path).exists() else []
    if not records:
        raise queue.PermanentError(
            f"ServiceTitan returned no {BY_KEY[run.family].label.lower()} for tenant {run.tenant_id}: nothing to "
            "review. If the tenant does have them, check that the app was granted the read scope.")
    lookups = _lookups(run.family, client)
    rows = [ROWS[run.family](record, lookups) for record in records]
    if run.family == "zones":
        _keep_zone_states(run.workspace, rows)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS[run.family])
    writer.writerows(rows)
    actor = run.requested_by or "ServiceTitan API import"
    with transaction.atomic():
        batch = importer.create_batch(run.workspace, actor, run.family, file_name(run), [text.getvalue().encode()])
        importer.confirm_mapping(batch, actor, batch.column_mapping)
        ApiImportRun.objects.filter(pk=run.pk).update(status=Status.DONE, batch=batch, last_error="")
    Path(run.staged_path).unlink(missing_ok=True)


def _keep_zone_states(workspace: Workspace, rows: list[list]) -> None:
    """ServiceTitan knows a zone only as active or not; paused, emergency-only and expansion are PageToJob's own
    states, so an active zone keeps the state recorded here (written as its status, the way an export says it)."""
    states = dict(Zone.objects.filter(workspace=workspace, st_id__isnull=False).exclude(state=ZoneState.ACTIVE)
                  .values_list("st_id", "state"))
    for row in rows:
        if row[2] == "Active" and row[0] in states:
            row[2] = states[row[0]]


# -- ServiceTitan records to CSV rows ------------------------------------------------------------------------
def _keep(*names: str) -> Callable[[dict], dict]:
    return lambda item: {name: item.get(name) for name in ("id", "name", "active", *names)}


PROJECTIONS: dict[str, Callable[[dict], dict]] = {
    "business-units": _keep("trade", "division"),
    "job-types": _keep("businessUnitIds", "priority", "duration"),
    "campaigns": _keep("category", "source", "medium", "campaignPhoneNumbers"),
    "zones": _keep("zips", "cities"),
    "pricebook-services": _keep("code", "displayName", "price", "memberPrice", "categories"),
    "membership-types": _keep("displayName", "durationBilling"),
    "recurring-service-types": _keep("recurrenceType", "recurrenceInterval", "recurrenceMonths"),
    "booking-providers": _keep("tagName", "type"),
}


def _lookups(family: str, client: TitanClient) -> dict[int, str]:
    """Names the rows need from other families: business units of job types, membership types of services."""
    if family == "job-types":
        path = client.tenant_path("settings", "business-units")
        return {unit["id"]: unit.get("name") or "" for unit in client.iter_list(path, {"active": "Any"})}
    if family == "recurring-service-types":
        path = client.tenant_path("memberships", "membership-types")
        names: dict[int, str] = {}
        for membership in client.iter_list(path, {"active": "Any", "includeRecurringServices": "true"}):
            for item in membership.get("recurringServices") or []:
                names.setdefault(item.get("recurringServiceTypeId"), membership.get("name") or "")
        return names
    return {}


def _active(item: dict) -> str:
    return "Active" if item.get("active", True) is not False else "Inactive"


def _named(value: Any) -> str:
    return (value.get("name") or "") if isinstance(value, dict) else (value or "")


def _money(value: Any) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _minutes(seconds: Any) -> str:
    return "" if seconds in (None, "") else str(round(float(seconds) / 60))


def _recurrence(item: dict) -> str:
    text = item.get("recurrenceType") or ""
    interval = item.get("recurrenceInterval") or 1
    if text and interval > 1:
        text += f" every {interval}"
    months = item.get("recurrenceMonths") or []
    return text + (f" ({', '.join(months)})" if text and months else "")


def _billing(item: dict) -> tuple[str, str]:
    """The first duration-billing option: its frequency and the price billed at that frequency."""
    billing = (item.get("durationBilling") or [{}])[0] or {}
    price = billing.get("billingPrice") if billing.get("billingPrice") is not None else billing.get("salePrice")
    return billing.get("billingFrequency") or "", _money(price)


ROWS: dict[str, Callable[[dict, dict[int, str]], list[str]]] = {
    "business-units": lambda i, _: [i["id"], i.get("name") or "", _active(i),
                                    _named(i.get("trade")) or _named(i.get("division"))],
    "job-types": lambda i, units: [i["id"], i.get("name") or "", _active(i),
                                   "; ".join(sorted(units.get(u, str(u)) for u in i.get("businessUnitIds") or [])),
                                   i.get("priority") or "", _minutes(i.get("duration"))],
    "campaigns": lambda i, _: [i["id"], i.get("name") or "", _active(i), _named(i.get("category")),
                               i.get("source") or "", i.get("medium") or "",
                               "; ".join(i.get("campaignPhoneNumbers") or [])],
    "zones": lambda i, _: [i["id"], i.get("name") or "", _active(i), "; ".join(i.get("zips") or []),
                           "; ".join(i.get("cities") or [])],
    "pricebook-services": lambda i, _: [i["id"], i.get("code") or "", i.get("displayName") or i.get("name") or "",
                                        _active(i), _money(i.get("price")), _money(i.get("memberPrice")),
                                        "; ".join(_named(c) for c in i.get("categories") or [])],
    "membership-types": lambda i, _: [i["id"], i.get("name") or "", _active(i), *_billing(i)],
    "recurring-service-types": lambda i, memberships: [i["id"], i.get("name") or "", _active(i),
                                                       memberships.get(i["id"], ""), _recurrence(i)],
    "booking-providers": lambda i, _: [i["id"], i.get("tagName") or i.get("name") or "", _active(i),
                                       i.get("type") or ""],
}


# -- what the Imports screen shows ---------------------------------------------------------------------------
@dataclass
class ScreenState:
    allowed: bool
    problem: str
    missing: list[str]
    runs: list[ApiImportRun]

    @property
    def active(self) -> bool:
        return any(run.status == Status.FETCHING for run in self.runs)


def screen_state(workspace: Workspace) -> ScreenState:
    state = tenant_access(workspace, CAPABILITY)
    runs = list(ApiImportRun.objects.filter(workspace=workspace).select_related("batch")[:10])
    return ScreenState(state.allowed, _problem(state),
                       [f"{gate.label}: {gate.detail}" for gate in state.missing], runs)


# -- running in the foreground (the command line) ------------------------------------------------------------
def run_inline(run: ApiImportRun, *, say: Callable[[str], None] = lambda text: None, worker_id: str = "",
               poll_seconds: float = 1.0):
    """Drive one run, then its batch's reading, to review in this process, through the same claims and retries
    the worker uses (a running worker may take either part; then this waits for it). Returns the batch."""
    worker_id = worker_id or f"cli:{worker.new_worker_id()}"
    queues = {work_queue.name: work_queue for work_queue in worker.registered_queues()}
    while True:
        run.refresh_from_db()
        if run.status == Status.DONE:
            break
        if run.status == Status.FAILED or run.work_state == WorkState.FAILED:
            raise ApiImportRefused(run.last_error or "The fetch failed.")
        claimed = queue.claim(ApiImportRun, worker_id, limit=1, lease_seconds=LEASE_SECONDS,
                              base=ApiImportRun.objects.filter(pk=run.pk))
        if claimed:
            state = worker.run_item(queues["api-imports"], claimed[0], worker_id)
            if state == WorkState.RETRYING:
                claimed[0].refresh_from_db()
                say(f"{BY_KEY[run.family].label}: {claimed[0].last_error} — trying again at "
                    f"{claimed[0].run_after:%H:%M:%S} UTC (page {claimed[0].next_page or 'last'} onwards).")
            continue
        time.sleep(poll_seconds)
    batch = ImportBatch.objects.get(pk=run.batch.pk) if run.batch else None
    if batch is None:
        raise ApiImportRefused("The fetched import was discarded before it could be read.")
    while batch.status == BatchStatus.READING:
        claimed_batches = queue.claim(ImportBatch, worker_id, limit=1, lease_seconds=600,
                                      base=ImportBatch.objects.filter(pk=batch.pk))
        if claimed_batches:
            worker.run_item(queues["imports"], claimed_batches[0], worker_id)
        else:
            time.sleep(poll_seconds)
        batch.refresh_from_db()
    if batch.status != BatchStatus.REVIEW:
        raise ApiImportRefused(f"{batch.file_name}: {'; '.join(batch.errors) or batch.get_status_display()}")
    return batch
