"""One workspace never sees or changes another's data, whichever URL or object id is tried."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pagetojob import urls as project_urls
from pagetojob.accounts.models import AuditEntry, Invitation, Membership, OutboundEmail
from pagetojob.api import api
from pagetojob.drift import reviews as drift_reviews
from pagetojob.drift.models import DriftFinding, DriftReview, Trigger
from pagetojob.handoff.models import SyncJob
from pagetojob.intake.models import BookingRequest
from pagetojob.readiness.models import FeatureFlag, GateRecord, ModuleOwnership
from pagetojob.sites.models import Binding, Page
from pagetojob.taxonomy.families import FAMILIES
from pagetojob.taxonomy.models import BusinessUnit, ImportBatch, ImportCandidate, JobType
from pagetojob.titan.models import TitanConnection
from pagetojob.webhooks.models import WebhookEndpoint, WebhookValidation

pytestmark = pytest.mark.django_db

ACME = "acme-air"
RIVAL = "rival-plumbing"
# Strings that only acme-air's data contains.
ACME_MARKERS = ("/ac-repair", "Acme", "acme-air", "acme.test", "HVAC Service", "AC Repair", "Drain Cleaning",
                "Summer AC Demand", "Phoenix Metro", "AC Diagnostic", "HVAC-DIAG")


@dataclass(frozen=True)
class Route:
    name: str
    method: str = "get"
    target: str | None = None  # "page" or "member": the URL names one of acme-air's objects
    data: Callable[[Any, bool], dict] = field(default=lambda w, own: {})
    family: str | None = None

    @property
    def id(self) -> str:
        return "-".join(filter(None, [self.method.upper(), self.name, self.family]))


ROUTES: list[Route] = [
    Route("dashboard"),
    Route("titan-map"),
    Route("titan-map-export"),
    Route("titan-map-approve", "post", data=lambda w, own: {"page": [str(w.page.pk)]}),
    Route("binding", target="page"),
    Route("binding", "post", target="page",
          data=lambda w, own: {"action": "suggested"} if own else
          {"action": "approve", "business_unit": w.plumbing.pk, "job_type": w.drain.pk}),
    Route("binding-job-types", target="page"),
    Route("suggestions"),
    Route("suggestions-run", "post"),
    Route("suggestions-accept", "post", data=lambda w, own: {"page": [str(w.page.pk)]}),
    Route("suggestion-reject", "post", target="page"),
    *[Route("taxonomy", family=family.key) for family in FAMILIES],
    Route("page-kind", "post", target="page", data=lambda w, own: {"kind": "offer"}),
    Route("page-claims", "post", target="page", data=lambda w, own: {"city": "Spyville", "zips": "85004"}),
    Route("import-pages"),
    Route("import-pages", "post", data=lambda w, own: {
        "source": "csv", "csv-upload": SimpleUploadedFile("pages.csv", b"url\n/new-page\n")}),
    Route("import-pages-result", target="page-import"),
    Route("capacity-rules"),
    Route("imports"),
    Route("imports", "post", data=lambda w, own: {
        "family": "job-types", "file": SimpleUploadedFile("jobs.csv", b"Name,Active\nAttic Fan Install,True\n")}),
    Route("import-from-api", "post", data=lambda w, own: {"family": "job-types"}),
    Route("import-api-runs"),
    Route("import-batch", target="batch"),
    Route("import-progress", target="batch"),
    Route("import-columns", "post", target="batch", data=lambda w, own: {"column_name": "Name"}),
    Route("import-decide", "post", target="batch", data=lambda w, own: {"action": "accept_safe"}),
    Route("import-candidate", target="candidate"),
    Route("import-candidate", "post", target="candidate", data=lambda w, own: {"name": "Renamed Row"}),
    Route("booking-requests"),
    Route("booking-request", target="request"),
    Route("booking-request-by-key", target="request-key"),
    Route("booking-request-status", "post", target="request",
          data=lambda w, own: {"status": "manual_complete", "note": "called back"}),
    Route("booking-handoff", target="request"),
    Route("sync-queue"),
    Route("sync-release", "post"),
    Route("sync-job", target="sync-job"),
    Route("sync-job-action", "post", target="sync-job", data=lambda w, own: {"action": "cancel", "note": "spy"}),
    Route("website-form"),
    Route("website-form", "post", data=lambda w, own: {"allowed_origins": "https://spy.example",
                                                       "consent_sms_text": "x", "consent_email_text": "y"}),
    Route("scheduling-pro"),
    Route("scheduling-pro", "post", data=lambda w, own: {"scheduler_id": "spy-sched", "name": "Spy"}),
    Route("drift"),
    Route("drift-run", "post"),
    Route("drift-progress"),
    Route("drift-export"),
    Route("drift-report-html"),
    Route("drift-review", target="review"),
    Route("drift-finding", "post", target="finding", data=lambda w, own: {"action": "acknowledge", "note": "spy"}),
    Route("zone-review"),
    Route("readiness"),
    Route("readiness-module", "post", data=lambda w, own: {"module": "scheduling_pro", "answer": "owned"}),
    Route("readiness-gate", "post",
          data=lambda w, own: {"gate": "customer_authorization", "satisfied": "1", "evidence": "signed"}),
    Route("readiness-flag", "post", data=lambda w, own: {"flag": "pause_all_sync", "enabled": "1"}),
    Route("readiness-webhooks-validate", "post"),
    Route("webhook-events"),
    Route("webhook-settings"),
    Route("webhook-settings", "post", data=lambda w, own: {
        "signature_header": "X-Spy-Signature", "encoding": "hex", "signed_content": "body", "tolerance_seconds": "300",
        "new_key": "spy-key-0123456789abcdefghijklmnopqrstuvwxyz"}),
    Route("titan-connection"),
    Route("titan-connection", "post", data=lambda w, own: {
        "environment": "integration", "tenant_id": "5150", "app_key": "ak1.spy-app-key", "client_id": "cid.spy-client",
        "client_secret": "cs1.spy-secret"}),  # no test_now: stored without reaching out to ServiceTitan
    Route("titan-test", "post"),
    Route("titan-disconnect", "post", data=lambda w, own: {"confirm": "yes"}),
    Route("team"),
    Route("team", "post", data=lambda w, own: {"email": "spy@rival.test", "role": "admin"}),
    Route("change-member", "post", target="member", data=lambda w, own: {"role": "owner"}),
    Route("audit-log"),
]
OBJECT_ROUTES = [route for route in ROUTES if route.target]


def url_for(route: Route, world, key: str, own_objects: bool = False) -> str:
    kwargs: dict[str, Any] = {"key": key}
    if route.family:
        kwargs["family"] = route.family
    if route.target == "page":
        kwargs["page_id"] = (world.other_page if own_objects else world.page).pk
    elif route.target == "page-import":
        workspace = world.other if own_objects else world.workspace
        kwargs["entry_id"] = AuditEntry.objects.get(workspace=workspace, action="pages.import").pk
    elif route.target == "request":
        workspace = world.other if own_objects else world.workspace
        kwargs["request_id"] = BookingRequest.objects.get(workspace=workspace).pk
    elif route.target == "request-key":
        workspace = world.other if own_objects else world.workspace
        kwargs["idempotency_key"] = BookingRequest.objects.get(workspace=workspace).idempotency_key
    elif route.target == "sync-job":
        workspace = world.other if own_objects else world.workspace
        kwargs["job_id"] = SyncJob.objects.get(workspace=workspace).pk
    elif route.target in ("batch", "candidate"):
        workspace = world.other if own_objects else world.workspace
        batch = ImportBatch.objects.get(workspace=workspace)
        kwargs["batch_id"] = batch.pk
        if route.target == "candidate":
            kwargs["candidate_id"] = batch.candidates.get().pk
    elif route.target == "review":
        workspace = world.other if own_objects else world.workspace
        kwargs["review_id"] = DriftReview.objects.filter(workspace=workspace, work_state="done").get().pk
    elif route.target == "finding":
        workspace = world.other if own_objects else world.workspace
        kwargs["finding_id"] = DriftFinding.objects.get(workspace=workspace, page_path__in=["/ac-repair", "/drains"]).pk
    elif route.target == "member":
        workspace = world.other if own_objects else world.workspace
        user = world.outsider if own_objects else world.viewer
        kwargs["member_id"] = Membership.objects.get(workspace=workspace, user=user).pk
    return reverse(route.name, kwargs=kwargs)


def send(client: Client, route: Route, url: str, world, own: bool = False, follow: bool = True):
    """A GET that redirects (the office email's link to a request) is judged by where it lands."""
    if route.method == "post":
        return client.post(url, route.data(world, own))
    return client.get(url, follow=follow)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def acme_state(world) -> dict:
    binding = Binding.objects.get(page=world.page)
    return {
        "binding": (binding.status, binding.business_unit_id, binding.job_type_id, binding.approved_at),
        "audit": AuditEntry.objects.filter(workspace=world.workspace).count(),
        "invitations": Invitation.objects.count(),
        "emails": OutboundEmail.objects.count(),
        "members": sorted(Membership.objects.filter(workspace=world.workspace).values_list("user_id", "role")),
        "modules": ModuleOwnership.objects.count(),
        "gates": GateRecord.objects.count(),
        "flags": FeatureFlag.objects.count(),
        "imports": sorted(ImportBatch.objects.filter(workspace=world.workspace)
                          .values_list("status", "column_mapping")),
        "candidates": sorted(ImportCandidate.objects.filter(batch__workspace=world.workspace)
                             .values_list("decision", "name", "edited")),
        "requests": sorted(BookingRequest.objects.filter(workspace=world.workspace)
                           .values_list("status", "completed_note")),
        "sync": sorted(SyncJob.objects.filter(workspace=world.workspace).values_list("state", "operator_action")),
        "drift": sorted(DriftFinding.objects.filter(workspace=world.workspace)
                        .values_list("status", "acknowledged_note")),
        "reviews": DriftReview.objects.filter(workspace=world.workspace).count(),
        "claims": sorted(Page.objects.filter(workspace=world.workspace).values_list("path", "city")),
        "webhooks": sorted(WebhookEndpoint.objects.values_list("workspace_id", "signature_header", "secret_current")),
        "validations": WebhookValidation.objects.count(),
        "titan": sorted(TitanConnection.objects.values_list("workspace_id", "state", "client_secret_encrypted")),
    }


def assert_no_acme_data(text: str) -> None:
    leaked = [marker for marker in ACME_MARKERS if marker in text]
    assert not leaked, f"acme-air data leaked: {leaked}"


@pytest.fixture
def acme(world):
    """acme-air's page is bound completely, so any approval that leaks through would really happen."""
    Binding.objects.filter(page=world.page).update(business_unit=world.hvac, job_type=world.ac_repair)
    for workspace, site in ((world.workspace, "acme"), (world.other, "rival")):
        AuditEntry.objects.create(workspace=workspace, action="pages.import", created_at=world.page.created_at,
                                  summary=f"Imported the pages of {workspace.name}",
                                  details={"site": site, "source": "sitemap", "counts": {}})
    for workspace, name in ((world.workspace, "AC Repair"), (world.other, "Rival Drain Job")):
        batch = ImportBatch.objects.create(workspace=workspace, family="job-types", file_name=f"{workspace.key}.csv",
                                           stored_path="/nonexistent", status="review", run_after=world.page.created_at,
                                           work_state="cancelled", detected_columns=["Name"],
                                           column_mapping={"name": "Name"}, counts={"new": 1})
        ImportCandidate.objects.create(batch=batch, row_number=2, kind="new", name=name, values={"name": name})
    for workspace, page, name in ((world.workspace, world.page, "Acme Homeowner"),
                                  (world.other, world.other_page, "Rival Homeowner")):
        booking = BookingRequest.objects.create(workspace=workspace, site=page.site, page=page,
                                                submission_id=f"s-{name}", idempotency_key=f"k-{workspace.key}",
                                                name=name, zip="85004", created_at=world.page.created_at)
        SyncJob.objects.create(workspace=workspace, kind="booking_handoff", state="held", booking_request=booking,
                               page=page, idempotency_key=booking.idempotency_key, created_at=booking.created_at,
                               run_after=booking.created_at, work_state="parked", held_reason="gates missing")
    for workspace in (world.workspace, world.other):
        # One finished review with one finding (the unapproved page), and one waiting for the worker.
        drift_reviews.run_now(drift_reviews.new_review(workspace, Trigger.ON_DEMAND))
        drift_reviews.new_review(workspace, Trigger.ON_DEMAND)
    return world


def test_every_workspace_route_is_in_the_list():
    declared = {pattern.name for pattern in project_urls.workspace_patterns}
    covered = {route.name for route in ROUTES}
    assert declared == covered, f"add these routes to ROUTES: {sorted(declared - covered)}"
    assert {route.family for route in ROUTES if route.name == "taxonomy"} == {family.key for family in FAMILIES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_members_reach_every_route(acme, client_for, route):
    """The URLs below are real: a member of acme-air gets through (so a 404 elsewhere means isolation)."""
    response = send(client_for(acme.owner), route, url_for(route, acme, ACME), acme)
    assert response.status_code == (302 if route.method == "post" else 200)
    if route.method == "get":
        assert any(marker in body(response) for marker in ACME_MARKERS), "the markers would not notice a leak"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_outsider_gets_404_for_another_workspace_key(acme, client_for, route):
    before = acme_state(acme)
    response = send(client_for(acme.outsider), route, url_for(route, acme, ACME), acme)
    assert response.status_code == 404
    assert_no_acme_data(body(response))
    assert acme_state(acme) == before


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.id)
def test_outsider_gets_404_for_another_workspaces_objects_under_own_key(acme, client_for, route):
    before = acme_state(acme)
    response = send(client_for(acme.outsider), route, url_for(route, acme, RIVAL), acme)
    assert response.status_code == 404
    assert_no_acme_data(body(response))
    assert acme_state(acme) == before


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.id)
def test_own_objects_under_own_key_work(acme, client_for, route):
    url = url_for(route, acme, RIVAL, own_objects=True)
    response = send(client_for(acme.outsider), route, url, acme, own=True)
    assert response.status_code == (302 if route.method == "post" else 200)


def test_bulk_approve_under_own_key_ignores_another_workspaces_pages(acme, client_for):
    before = acme_state(acme)
    client = client_for(acme.outsider)
    response = client.post(reverse("titan-map-approve", args=[RIVAL]), {"page": [str(acme.page.pk)]}, follow=True)
    assert response.status_code == 200
    assert "Approved 1 binding" not in body(response)
    assert acme_state(acme) == before


def test_binding_cannot_point_at_another_workspaces_objects(acme, client_for):
    rival_unit = BusinessUnit.objects.get(workspace=acme.other)
    rival_job = JobType.objects.get(workspace=acme.other)
    before = acme_state(acme)
    response = client_for(acme.owner).post(reverse("binding", args=[ACME, acme.page.pk]), {
        "action": "save", "business_unit": rival_unit.pk, "job_type": rival_job.pk,
        "booking_path": "request_form", "cta_mode": "auto",
    })
    assert response.status_code == 400
    assert "not one of this workspace" in body(response)
    assert acme_state(acme) == before


def test_map_filter_by_another_workspaces_object_shows_nothing_of_it(acme, client_for):
    rival_job = JobType.objects.get(workspace=acme.other)
    response = client_for(acme.owner).get(reverse("titan-map", args=[ACME]),
                                          {"object": "job_type", "object_id": rival_job.pk})
    assert response.status_code == 200
    assert "Rival Drain Job" not in body(response)
    assert "/drains" not in body(response)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "get"], ids=lambda r: r.id)
def test_outsider_pages_in_own_workspace_show_no_acme_data(acme, client_for, route):
    response = send(client_for(acme.outsider), route, url_for(route, acme, RIVAL, own_objects=True), acme)
    assert response.status_code == 200
    assert_no_acme_data(body(response))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_anonymous_is_sent_to_login(acme, client, route):
    before = acme_state(acme)
    url = url_for(route, acme, ACME)
    response = send(client, route, url, acme, follow=False)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert acme_state(acme) == before


# --- the JSON API --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApiRoute:
    pattern: str
    method: str = "get"
    family: str | None = None

    @property
    def id(self) -> str:
        return "-".join(filter(None, [self.method.upper(), self.pattern, self.family]))

    def path(self, world, key: str, page=None) -> str:
        page = page or world.page
        return "/api/v1/" + (self.pattern.replace("<key>", key).replace("<family>", self.family or "")
                             .replace("<page_id>", str(page.pk)))

    def send(self, client: Client, path: str, world, page=None):
        if self.method == "post":
            payload = {"page_ids": [(page or world.page).pk]}
            return client.post(path, json.dumps(payload), content_type="application/json")
        return client.get(path)


API_ROUTES: list[ApiRoute] = [
    *[ApiRoute("workspaces/<key>/taxonomy/<family>", family=family.key) for family in FAMILIES],
    ApiRoute("workspaces/<key>/pages"),
    ApiRoute("workspaces/<key>/pages/<page_id>"),
    ApiRoute("workspaces/<key>/bindings/approve", "post"),
    ApiRoute("workspaces/<key>/readiness"),
]
# Docs, the caller's own workspace list, the public intake endpoints (keyed by site, tested in tests/intake) and
# the ServiceTitan webhook receiver.
API_EXEMPT = {"openapi.json", "docs", "", "workspaces", "intake/<site_key>/requests", "intake/<site_key>/zones",
              "webhooks/servicetitan/<workspace_key>"}  # signed per workspace, tested in tests/webhooks


def test_every_api_route_is_in_the_list():
    declared = {str(pattern.pattern) for pattern in api.urls[0]}
    covered = {route.pattern for route in API_ROUTES}
    assert declared - API_EXEMPT == covered, f"add these to API_ROUTES: {sorted(declared - API_EXEMPT - covered)}"


def test_api_workspace_list_shows_only_own_workspaces(acme, client_for):
    response = client_for(acme.outsider).get("/api/v1/workspaces")
    assert response.status_code == 200
    assert response.json() == [{"key": RIVAL, "name": "Rival Plumbing", "role": "owner"}]
    assert_no_acme_data(body(response))


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.id)
def test_api_members_reach_every_route(acme, client_for, route):
    response = route.send(client_for(acme.owner), route.path(acme, ACME), acme)
    assert response.status_code == 200
    with_acme_rows = (None, "business-units", "job-types", "campaigns", "zones", "pricebook-services")
    if not route.pattern.endswith("readiness") and route.family in with_acme_rows:
        assert any(marker in body(response) for marker in ACME_MARKERS), "the markers would not notice a leak"


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.id)
def test_api_outsider_gets_404_for_another_workspace_key(acme, client_for, route):
    before = acme_state(acme)
    response = route.send(client_for(acme.outsider), route.path(acme, ACME), acme)
    assert response.status_code == 404
    assert_no_acme_data(body(response))
    assert acme_state(acme) == before


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.id)
def test_api_outsider_sees_no_acme_data_under_own_key(acme, client_for, route):
    """Under their own key, with acme-air's page id where the route takes one: 404 or nothing of acme's."""
    before = acme_state(acme)
    response = route.send(client_for(acme.outsider), route.path(acme, RIVAL), acme)
    assert_no_acme_data(body(response))
    assert acme_state(acme) == before
    if "<page_id>" in route.pattern:
        assert response.status_code == 404
    elif route.method == "post":
        assert response.status_code == 200
        assert response.json() == {"approved": [], "skipped": []}
    else:
        assert response.status_code == 200


def test_api_outsider_own_pages_are_listed(acme, client_for):
    response = client_for(acme.outsider).get(f"/api/v1/workspaces/{RIVAL}/pages")
    assert [page["path"] for page in response.json()["pages"]] == ["/drains"]
    detail = client_for(acme.outsider).get(f"/api/v1/workspaces/{RIVAL}/pages/{acme.other_page.pk}")
    assert detail.status_code == 200
    assert detail.json()["path"] == "/drains"


@pytest.mark.parametrize("route", [ApiRoute("workspaces"), *API_ROUTES], ids=lambda r: r.id)
def test_api_anonymous_gets_401(acme, client, route):
    before = acme_state(acme)
    response = route.send(client, route.path(acme, ACME), acme)
    assert response.status_code == 401
    assert_no_acme_data(body(response))
    assert acme_state(acme) == before
