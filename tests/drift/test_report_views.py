"""The drift report, its CSV and standalone HTML exports, a review's diff page, the zone review and the
dashboard's open counts, with the role checks on every change."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from pagetojob.accounts.models import AuditEntry
from pagetojob.core import clock
from pagetojob.drift.models import DriftFinding, DriftReview, FindingStatus
from pagetojob.sites.models import PageKind
from pagetojob.taxonomy.models import Campaign, JobType
from tests.drift.conftest import add_page, approve, review_now

pytestmark = pytest.mark.django_db
KEY = "acme-air"


@pytest.fixture
def drifted(bound):
    """Three real problems: an inactive job type, a UTM mismatch, and a page outside every zone."""
    JobType.objects.filter(pk=bound.ac_repair.pk).update(active=False)
    lp = add_page(bound, "/lp/summer", PageKind.CAMPAIGN, utm_campaign="summer-ac-demand")
    approve(lp.binding, job_type=bound.drain, business_unit=bound.plumbing,
            campaign=Campaign.objects.get(workspace=bound.workspace, name="Summer AC Demand"))
    far = add_page(bound, "/service-areas/flagstaff", PageKind.LOCATION, city="Flagstaff", zips=["86001"])
    approve(far.binding, job_type=bound.drain, business_unit=bound.plumbing)
    bound.review = review_now(bound.workspace)
    return bound


def text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_the_report_shows_counts_trend_and_each_finding_with_its_fix(drifted, client_for):
    response = client_for(drifted.viewer).get(reverse("drift", args=[KEY]))
    body = text(response)
    assert response.status_code == 200
    assert 'id="stat-high"' in body and "Trend across reviews" in body and "By rule" in body
    assert "<svg" in body and "Findings per review" in body  # the chart and its table
    assert "The page&#x27;s UTM campaign “summer-ac-demand” differs only in letter case" in body
    assert "Fix:</b> Set the UTM campaign to “Summer AC Demand” exactly" in body
    editor = reverse("binding", args=[KEY, drifted.page.pk])
    assert f'href="{editor}"' in body
    assert "Run a review now" not in body  # a viewer cannot run reviews or act on findings
    assert 'value="acknowledge"' not in body


def test_the_report_filters_by_severity_rule_and_status(drifted, client_for):
    client = client_for(drifted.marketer)
    body = text(client.get(reverse("drift", args=[KEY]), {"severity": "medium", "rule": "campaign_mismatch"}))
    assert "/lp/summer" in body and "/service-areas/flagstaff" not in body
    assert 'value="acknowledge"' in body
    body = text(client.get(reverse("drift", args=[KEY]), {"status": "resolved"}))
    assert "No resolved findings" in body


def test_marketer_acknowledges_and_suppresses_from_the_report(drifted, client_for):
    client = client_for(drifted.marketer)
    utm = DriftFinding.objects.get(rule="campaign_mismatch")
    response = client.post(reverse("drift-finding", args=[KEY, utm.pk]),
                           {"action": "acknowledge", "note": "Fixing the ad links this week."}, follow=True)
    assert "Acknowledged the finding on /lp/summer" in text(response)
    far = DriftFinding.objects.get(rule="outside_active_zones")
    until = (clock.now() + timedelta(days=20)).date()
    response = client.post(reverse("drift-finding", args=[KEY, far.pk]),
                           {"action": "suppress", "until": until.isoformat(), "reason": "Page comes down Friday."},
                           follow=True)
    assert f"until {until:%b %d, %Y}" in text(response)
    assert dict(DriftFinding.objects.values_list("rule", "status"))["outside_active_zones"] == "suppressed"
    assert AuditEntry.objects.filter(actor=drifted.marketer, action__in=["drift.acknowledge",
                                                                         "drift.suppress"]).count() == 2


def test_bad_input_says_what_to_fix_and_changes_nothing(drifted, client_for):
    far = DriftFinding.objects.get(rule="outside_active_zones")
    response = client_for(drifted.marketer).post(reverse("drift-finding", args=[KEY, far.pk]),
                                                 {"action": "suppress", "until": "next friday", "reason": "x"},
                                                 follow=True)
    assert "Nothing changed on /service-areas/flagstaff: Give the end date as YYYY-MM-DD." in text(response)
    response = client_for(drifted.marketer).post(reverse("drift-finding", args=[KEY, far.pk]),
                                                 {"action": "acknowledge", "note": ""}, follow=True)
    assert "Write a note" in text(response)
    assert DriftFinding.objects.get(pk=far.pk).status == FindingStatus.OPEN


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_cannot_run_reviews_or_change_findings(drifted, client_for, role):
    client = client_for(getattr(drifted, role))
    finding = DriftFinding.objects.first()
    assert client.post(reverse("drift-run", args=[KEY])).status_code == 403
    assert client.post(reverse("drift-finding", args=[KEY, finding.pk]),
                       {"action": "acknowledge", "note": "x"}).status_code == 403
    assert DriftReview.objects.count() == 1
    assert DriftFinding.objects.get(pk=finding.pk).status == FindingStatus.OPEN


def test_run_button_queues_a_review_and_the_page_shows_progress(drifted, client_for):
    client = client_for(drifted.marketer)
    response = client.post(reverse("drift-run", args=[KEY]), follow=True)
    body = text(response)
    assert "Review queued" in body and 'hx-get="/w/acme-air/drift/progress/"' in body
    assert AuditEntry.objects.filter(action="drift.review", actor=drifted.marketer).exists()
    progress = client.get(reverse("drift-progress", args=[KEY]))
    assert "waiting for the worker" in text(progress) and "HX-Refresh" not in progress
    DriftReview.objects.filter(work_state="queued").update(work_state="done")
    assert client.get(reverse("drift-progress", args=[KEY]))["HX-Refresh"] == "true"


def test_csv_export_lists_the_filtered_findings(drifted, client_for):
    response = client_for(drifted.viewer).get(reverse("drift-export", args=[KEY]), {"status": "open"})
    assert response["Content-Disposition"].startswith('attachment; filename="drift-acme-air-')
    rows = list(csv.DictReader(io.StringIO(text(response))))
    by_page = {row["page_path"]: row for row in rows}
    assert by_page["/lp/summer"]["rule"] == "campaign_mismatch"
    assert by_page["/lp/summer"]["page_url"] == "https://acme.test/lp/summer"
    assert by_page["/ac-repair"]["object"] == "AC Repair" and by_page["/ac-repair"]["severity"] == "high"
    assert "inactive in ServiceTitan" in by_page["/ac-repair"]["evidence"]


def test_standalone_html_report_needs_nothing_from_the_app(drifted, client_for):
    response = client_for(drifted.viewer).get(reverse("drift-report-html", args=[KEY]))
    body = text(response)
    assert response["Content-Disposition"].startswith('attachment; filename="drift-report-acme-air-')
    assert body.startswith("<!doctype html>") and "<style>" in body
    assert "/static/" not in body and "/w/acme-air/" not in body and "<script" not in body
    assert "https://acme.test/service-areas/flagstaff" in body
    assert "Findings to fix" in body and "Trend across reviews" in body


def test_a_review_page_lists_new_persisting_and_resolved(drifted, client_for):
    JobType.objects.filter(pk=drifted.ac_repair.pk).update(active=True)
    second = review_now(drifted.workspace)
    body = text(client_for(drifted.viewer).get(reverse("drift-review", args=[KEY, second.pk])))
    assert "Resolved in this review" in body
    resolved = body.split("<h2>Resolved in this review</h2>")[1].split("<h2>Persisting</h2>")[0]
    assert "/ac-repair" in resolved and "/lp/summer" not in resolved
    assert "/lp/summer" in body.split("<h2>Persisting</h2>")[1]


def test_zone_review_shows_zones_pages_and_uncovered_places(drifted, client_for):
    body = text(client_for(drifted.viewer).get(reverse("zone-review", args=[KEY])))
    assert "Phoenix Metro" in body and "/service-areas/phoenix" in body
    assert "outside every zone" in body and "/service-areas/flagstaff" in body
    assert "Fix: Remove the page or its booking form" in body
    paused = text(client_for(drifted.viewer).get(reverse("zone-review", args=[KEY]), {"state": "paused"}))
    assert "No zones in this state" in paused


def test_dashboard_shows_open_drift_by_severity_linking_to_the_rows(drifted, client_for):
    body = text(client_for(drifted.viewer).get(reverse("dashboard", args=[KEY])))
    high = DriftFinding.objects.filter(status="open", severity="high").count()
    assert high >= 2
    assert f'href="/w/acme-air/drift/?status=open&severity=high" id="drift-open-high"><b>{high}</b>' in body


def test_empty_report_says_what_to_do_next(world, client_for):
    body = text(client_for(world.marketer).get(reverse("drift", args=[KEY])))
    assert "No review yet" in body and "Run a review to compare every page" in body
