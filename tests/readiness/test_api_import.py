"""Read-only API import against the real sandbox over HTTP: gated, every family, resumable, rate-limited."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from pagetojob.accounts.models import Membership, Role, Workspace
from pagetojob.core import clock, queue, vault, worker
from pagetojob.core.models import WorkState
from pagetojob.readiness import api_import
from pagetojob.readiness.models import ApiImportRun
from pagetojob.readiness.sandbox import connect_workspace_to_sandbox
from pagetojob.taxonomy import importer
from pagetojob.taxonomy.apply import apply_batch
from pagetojob.taxonomy.families import BY_KEY
from pagetojob.taxonomy.models import BatchStatus, ImportBatch, JobType, Zone
from pagetojob.titan import ratelimit, tokens
from pagetojob.titan.models import TitanConnection
from tests.titan.conftest import APP_KEY, CLIENT_ID, CLIENT_SECRET, TENANT

pytestmark = pytest.mark.django_db

# family -> the sandbox record kind behind it
KINDS = {
    "business-units": "business_unit", "job-types": "job_type", "campaigns": "campaign", "zones": "zone",
    "pricebook-services": "service", "membership-types": "membership_type",
    "recurring-service-types": "recurring_service_type", "booking-providers": "booking_provider_tag",
}


def bodies(sandbox, family: str) -> list[dict]:
    """What the sandbox tenant holds for a family, read from its inspection endpoint (not the API under test)."""
    return [record["body"] for record in sandbox.records(kind=KINDS[family])]


def beat() -> None:
    worker.beat("test-worker", clock.now(), 0)


@pytest.fixture
def fresh(world, sandbox, settings, tmp_path):
    """A new workspace (no taxonomy yet) connected to the sandbox with every gate and a worker beating."""
    settings.DATA_DIR = str(tmp_path)
    workspace = Workspace.objects.create(key="api-import", name="API Import Co")
    connect_workspace_to_sandbox(workspace, world.owner, base_url=sandbox.url, tenant_id=TENANT, app_key=APP_KEY,
                                 client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    beat()
    return workspace


def run_due() -> int:
    """One worker pass, first making retrying rows due now (the test does not wait out the backoff)."""
    ApiImportRun.objects.filter(work_state=WorkState.RETRYING).update(run_after=clock.now() - timedelta(seconds=1))
    return worker.run_once("test-worker")


def fetch_to_review(workspace, actor, family: str, page_size: int = 2) -> ImportBatch:
    [run] = api_import.start(workspace, actor, [family], page_size=page_size)
    for _ in range(10):
        run_due()
        run.refresh_from_db()
        if run.batch_id and run.batch.status == BatchStatus.REVIEW:
            return run.batch
    raise AssertionError(f"{family} did not reach review: {run.status} {run.work_state} {run.last_error}")


def test_refused_with_the_missing_gates_and_nothing_created(world, sandbox):
    with pytest.raises(api_import.ApiImportRefused) as refused:
        api_import.start(world.workspace, world.owner, ["job-types"])
    message = str(refused.value)
    assert "app approval" in message and "authorization" in message and "heartbeat" in message
    assert not ApiImportRun.objects.exists() and not ImportBatch.objects.exists()
    with pytest.raises(CommandError, match="Missing gates"):
        call_command("import_taxonomy", "--workspace", world.workspace.key, "--from-api", stdout=StringIO())
    assert not ApiImportRun.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize("family", list(KINDS))
def test_each_family_arrives_as_a_batch_matching_the_sandbox(fresh, world, sandbox, family):
    records = bodies(sandbox, family)
    batch = fetch_to_review(fresh, world.owner, family)
    assert batch.file_name == f"ServiceTitan API — {BY_KEY[family].label.lower()} (tenant {TENANT}, sandbox).csv"
    assert batch.counts["new"] == len(records) and batch.rows_read == len(records)
    assert batch.counts["duplicate"] == batch.counts["blocked"] == 0
    by_id = {candidate.st_id: candidate for candidate in batch.candidates.all()}
    assert set(by_id) == {record["id"] for record in records}
    for record in records:
        values = by_id[record["id"]].values
        assert values["active"] is record["active"]
        assert values["name"] == (record.get("displayName") if family == "pricebook-services"
                                  else record.get("tagName") if family == "booking-providers" else record["name"])
    assert not list(Path(api_import.staging_dir()).iterdir())  # the staged records are gone once handed over


def test_fields_of_job_types_zones_and_services_are_mapped(fresh, world, sandbox):
    units = fetch_to_review(fresh, world.owner, "business-units")
    assert units.candidates.get(st_id=1000201).values["trade"] == "HVAC"
    jobs = fetch_to_review(fresh, world.owner, "job-types")
    tune_up = jobs.candidates.get(st_id=2100303).values
    assert tune_up["business_units"] == ["HVAC Service", "Maintenance & Memberships"]
    assert tune_up["priority"] == "Low" and tune_up["duration_minutes"] == 60
    zones = fetch_to_review(fresh, world.owner, "zones")
    [zone] = bodies(sandbox, "zones")[:1]
    assert zones.candidates.get(st_id=zone["id"]).values["zips"] == sorted(zone["zips"])
    assert zones.candidates.get(st_id=zone["id"]).values["cities"] == sorted(zone["cities"])
    services = fetch_to_review(fresh, world.owner, "pricebook-services")
    [service] = bodies(sandbox, "pricebook-services")[:1]
    values = services.candidates.get(st_id=service["id"]).values
    assert values["code"] == service["code"] and values["price"] == f"{service['price']:.2f}"
    assert values["member_price"] == f"{service['memberPrice']:.2f}"
    assert values["category"] == service["categories"][0]["name"]


def test_a_second_fetch_after_apply_says_changed_unchanged_and_deactivated(fresh, world, sandbox):
    first = fetch_to_review(fresh, world.owner, "zones")
    importer.decide(first, world.owner, list(first.candidates.values_list("pk", flat=True)), "accepted")
    apply_batch(first, world.owner)
    zones = list(Zone.objects.filter(workspace=fresh).order_by("st_id"))
    Zone.objects.filter(pk=zones[0].pk).update(cities=["Somewhere Else"])
    Zone.objects.filter(pk=zones[1].pk).update(state="paused")  # PageToJob's own state: ServiceTitan has none
    Zone.objects.create(workspace=fresh, st_id=999001, name="Retired Zone", zips=["85001"])
    second = fetch_to_review(fresh, world.owner, "zones")
    assert second.counts["new"] == 0 and second.counts["changed"] == 1
    assert second.counts["deactivated"] == 1  # inactive zones were imported inactive: they read as unchanged
    assert second.counts["unchanged"] == len(zones) - 1
    assert second.candidates.get(kind="deactivated").name == "Retired Zone"
    paused = second.candidates.get(st_id=zones[1].st_id)
    assert paused.kind == "unchanged" and paused.values["state"] == "paused"


def test_a_fetch_killed_mid_way_resumes_without_duplicate_rows(fresh, world, sandbox):
    [run] = api_import.start(fresh, world.owner, ["job-types"], page_size=3)

    def crash_after_two_pages(progress: ApiImportRun) -> None:
        if progress.pages_fetched == 2:
            raise SystemExit("worker killed")

    [claimed] = queue.claim(ApiImportRun, "doomed-worker")
    with pytest.raises(SystemExit):
        api_import.process(claimed, on_page=crash_after_two_pages)
    run.refresh_from_db()
    assert run.pages_fetched == 2 and run.rows_fetched == 6 and run.next_page == 3 and run.batch_id is None
    with Path(run.staged_path).open("ab") as handle:  # the killed worker had half-written its third page
        handle.write(b'{"id": 2100307, "name": "Heat Pump')
    requests_before = sandbox.stats()["requests"]
    ApiImportRun.objects.filter(pk=run.pk).update(lease_expires_at=clock.now() - timedelta(seconds=1))
    run_due()
    run.refresh_from_db()
    assert run.status == ApiImportRun.Status.DONE and run.pages_fetched == 7
    assert sandbox.stats()["requests"] - requests_before == 5 + 1  # pages 3 to 7, then the business unit names
    worker.run_once("test-worker")
    batch = ImportBatch.objects.get(pk=run.batch_id)
    assert batch.status == BatchStatus.REVIEW and batch.rows_read == 20 and batch.counts["duplicate"] == 0


def test_server_errors_mid_fetch_retry_from_the_saved_page(fresh, world, sandbox, settings):
    settings.ST_TIMEOUT_SECONDS = 2.0
    [run] = api_import.start(fresh, world.owner, ["pricebook-services"])  # the export feed, 2 items per chunk

    def fail_from_now_on(progress: ApiImportRun) -> None:
        if progress.pages_fetched == 3:
            sandbox.faults(error_rate=1.0)

    [claimed] = queue.claim(ApiImportRun, "test-worker")
    state = worker.run_item(worker.WorkQueue("api-imports", ApiImportRun,
                                             lambda item: api_import.process(item, on_page=fail_from_now_on)),
                            claimed, "test-worker")
    run.refresh_from_db()
    assert state == WorkState.RETRYING and run.status == ApiImportRun.Status.FETCHING
    assert run.pages_fetched == 3 and run.continue_from and "500" in run.last_error
    sandbox.faults(error_rate=0.0)
    run_due()
    run.refresh_from_db()
    assert run.status == ApiImportRun.Status.DONE
    worker.run_once("test-worker")
    batch = ImportBatch.objects.get(pk=run.batch_id)
    services = bodies(sandbox, "pricebook-services")
    assert batch.counts["new"] == len(services) and batch.counts["duplicate"] == 0
    assert run.rows_fetched == len(services)  # the three saved chunks were not fetched again


def test_a_429_is_retried_after_retry_after_through_the_queue(fresh, world, sandbox, settings):
    sandbox.faults(rate_limit=1.0, burst=1)
    settings.ST_RATE_LIMIT = 1000.0  # our bucket would stay under the limit; force the sandbox to say 429
    ratelimit.reset()
    [run] = api_import.start(fresh, world.owner, ["business-units"], page_size=1)
    worker.run_once("test-worker")
    run.refresh_from_db()
    assert run.work_state == WorkState.RETRYING and "429" in run.last_error
    assert run.run_after >= clock.now()  # not retried at once: Retry-After is the floor of the backoff
    assert sandbox.stats()["rateLimited"] >= 1
    sandbox.faults(rate_limit=0)
    run_due()
    run.refresh_from_db()
    assert run.status == ApiImportRun.Status.DONE and run.rows_fetched == len(bodies(sandbox, "business-units"))


def test_auth_errors_stop_with_a_plain_message(fresh, world, sandbox):
    [run] = api_import.start(fresh, world.owner, ["campaigns"])
    TitanConnection.objects.filter(workspace=fresh).update(client_secret_encrypted=vault.encrypt("cs1.wrong-secret"))
    tokens.cache.clear()
    worker.run_once("test-worker")
    run.refresh_from_db()
    assert run.status == ApiImportRun.Status.FAILED and run.work_state == WorkState.FAILED
    assert "refused" in run.last_error and "cs1.wrong-secret" not in run.last_error
    assert run.batch_id is None


def test_the_command_fetches_every_family_with_json(fresh, world, sandbox):
    counts_before = sandbox.admin("GET", f"tenants/{TENANT}/counts")
    out, err = StringIO(), StringIO()
    call_command("import_taxonomy", "--workspace", fresh.key, "--from-api", "--json", stdout=out, stderr=err)
    assert sandbox.admin("GET", f"tenants/{TENANT}/counts") == counts_before  # read-only: nothing written there
    assert "Fetching job types from ServiceTitan" in err.getvalue()  # progress on stderr keeps stdout pure JSON
    results = json.loads(out.getvalue())
    assert [result["family"] for result in results] == list(KINDS)
    for result in results:
        assert result["counts"]["new"] == len(sandbox.records(kind=KINDS[result["family"]]))
        assert ImportBatch.objects.get(pk=result["batch_id"]).status == BatchStatus.REVIEW
    out = StringIO()
    call_command("import_taxonomy", "--workspace", fresh.key, "--from-api", "--family", "job-types", "--json",
                 stdout=out, stderr=StringIO())
    single = json.loads(out.getvalue())
    assert single["family"] == "job-types" and set(single) == {"batch_id", "family", "counts", "warnings", "errors"}
    assert JobType.objects.filter(workspace=fresh).count() == 0


def test_the_command_refuses_a_file_with_from_api(fresh, tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text("Name\nAC Repair\n")
    with pytest.raises(CommandError, match="either a FILE or --from-api"):
        call_command("import_taxonomy", str(path), "--workspace", fresh.key, "--from-api")


def test_the_button_is_disabled_with_the_missing_gates_and_a_readiness_link(world, client_for):
    page = client_for(world.marketer).get(reverse("imports", args=[world.workspace.key])).content.decode()
    assert "Fetch from ServiceTitan</button>" in page
    assert 'disabled aria-describedby="api-gates"' in page and "Not available until every gate holds" in page
    assert reverse("readiness", args=[world.workspace.key]) in page and "heartbeat" in page
    viewer = client_for(world.viewer).get(reverse("imports", args=[world.workspace.key])).content.decode()
    assert "Fetch from ServiceTitan</button>" not in viewer
    response = client_for(world.marketer).post(reverse("import-from-api", args=[world.workspace.key]), follow=True)
    assert "Missing gates" in response.content.decode() and not ApiImportRun.objects.exists()


def test_the_button_starts_a_fetch_that_the_page_follows_to_review(fresh, world, client_for):
    Membership.objects.create(user=world.marketer, workspace=fresh, role=Role.MARKETER)
    Membership.objects.create(user=world.viewer, workspace=fresh, role=Role.VIEWER)
    client = client_for(world.viewer)
    assert client.post(reverse("import-from-api", args=[fresh.key]), {"family": "zones"}).status_code == 403
    client = client_for(world.marketer)
    page = client.get(reverse("imports", args=[fresh.key])).content.decode()
    assert "Fetch from ServiceTitan</button>" in page and "api-gates" not in page
    response = client.post(reverse("import-from-api", args=[fresh.key]), {"family": "zones"}, follow=True)
    assert "Fetching zones from ServiceTitan" in response.content.decode()
    [run] = ApiImportRun.objects.filter(workspace=fresh)
    fragment = client.get(reverse("import-api-runs", args=[fresh.key])).content.decode()
    assert "fetching" in fragment and 'hx-trigger="every 2s"' in fragment
    worker.run_once("test-worker")
    run.refresh_from_db()
    finished = client.get(reverse("import-api-runs", args=[fresh.key]) + "?was=active")
    assert finished["HX-Refresh"] == "true"
    assert reverse("import-batch", args=[fresh.key, run.batch_id]) in finished.content.decode()
    again = client.post(reverse("import-from-api", args=[fresh.key]), {"family": "nonsense"}, follow=True)
    assert "Choose a family" in again.content.decode()


def test_memberships_carry_billing_price_and_their_recurring_services(fresh, world, sandbox):
    memberships = fetch_to_review(fresh, world.owner, "membership-types")
    club = memberships.candidates.get(st_id=6600701).values
    assert club["billing"] == "Monthly" and club["price"] == "19.95"
    assert memberships.candidates.get(st_id=6600703).values["active"] is False
    services = fetch_to_review(fresh, world.owner, "recurring-service-types")
    assert services.candidates.get(st_id=6700801).values["membership_type"] == "Desert Peak Comfort Club"
    assert services.candidates.get(st_id=6700803).values["membership_type"] == "Comfort Club Plus"


def test_a_second_fetch_of_a_family_waits_for_the_first(fresh, world):
    api_import.start(fresh, world.owner, ["zones"])
    with pytest.raises(api_import.ApiImportRefused, match="Zones is already being fetched"):
        api_import.start(fresh, world.owner, ["campaigns", "zones"])
    assert ApiImportRun.objects.filter(workspace=fresh).count() == 1
