"""Bots are stored as spam without anyone being emailed; floods get 429 with Retry-After; retries still work."""

from __future__ import annotations

import json
import time

import pytest

from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import worker
from pagetojob.handoff.models import SyncJob
from pagetojob.intake.models import BookingRequest, IntakeSettings, RequestStatus

from .test_intake_api import URL, payload


@pytest.fixture
def site(world):
    IntakeSettings.objects.create(site=world.page.site, notification_emails=["office@acme.test"])
    return world.page.site


def post(client, body, ip="203.0.113.7"):
    return client.post(URL, json.dumps(body), content_type="application/json", REMOTE_ADDR=ip)


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.mark.django_db
def test_a_filled_honeypot_looks_accepted_but_is_stored_as_spam_without_email_or_handoff(site, client):
    response = post(client, payload(website="http://cheap-pills.test"))
    assert response.status_code == 201 and response.json()["status"] == "new"
    request = BookingRequest.objects.get(pk=response.json()["id"])
    assert request.status == RequestStatus.SPAM and request.notification is None
    assert OutboundEmail.objects.count() == 0 and SyncJob.objects.count() == 0
    again = post(client, payload(website="http://cheap-pills.test"))
    assert again.status_code == 200 and again.json()["id"] == request.pk and again.json()["status"] == "new"


@pytest.mark.django_db
def test_a_form_filled_in_under_two_seconds_is_spam(site, client):
    response = post(client, payload(form_started_at=now_ms() - 800))
    assert response.status_code == 201
    assert BookingRequest.objects.get().status == RequestStatus.SPAM
    assert OutboundEmail.objects.count() == 0 and SyncJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("started", [None, "now_minus_5s", "garbage"])
def test_a_human_fill_time_or_none_at_all_is_accepted(site, client, started):
    body = payload(website="")
    if started == "now_minus_5s":
        body["form_started_at"] = now_ms() - 5000
    elif started == "garbage":
        body["form_started_at"] = "soon"
    response = post(client, body)
    assert response.status_code == 201
    assert BookingRequest.objects.get().status == RequestStatus.NEW
    assert OutboundEmail.objects.count() == 1 and SyncJob.objects.count() == 1


@pytest.mark.django_db
def test_one_address_is_limited_with_retry_after(site, client, settings):
    settings.PAGETOJOB_INTAKE_IP_LIMIT = 3
    answers = [post(client, payload(submission_id=f"sub-ip-{n:04d}")).status_code for n in range(3)]
    assert answers == [201, 201, 201]
    limited = post(client, payload(submission_id="sub-ip-0003"))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 600
    assert "Too many requests from this address" in limited.json()["errors"]["body"]
    assert limited.json()["retry_after"] == int(limited["Retry-After"])
    assert BookingRequest.objects.count() == 3
    other_address = post(client, payload(submission_id="sub-ip-0004"), ip="198.51.100.20")
    assert other_address.status_code == 201


@pytest.mark.django_db
def test_one_site_is_limited_across_addresses(site, client, settings):
    settings.PAGETOJOB_INTAKE_SITE_LIMIT = 2
    assert post(client, payload(submission_id="sub-site-01"), ip="198.51.100.1").status_code == 201
    assert post(client, payload(submission_id="sub-site-02"), ip="198.51.100.2").status_code == 201
    limited = post(client, payload(submission_id="sub-site-03"), ip="198.51.100.3")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert "from this site" in limited.json()["errors"]["body"]
    assert BookingRequest.objects.count() == 2


@pytest.mark.django_db
def test_resending_a_stored_submission_succeeds_while_limited(site, client, settings):
    settings.PAGETOJOB_INTAKE_IP_LIMIT = 1
    first = post(client, payload())
    assert post(client, payload(submission_id="sub-new-9999")).status_code == 429
    retry = post(client, payload())
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert BookingRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_payload_cap_still_answers_413(site, client):
    response = client.post(URL, json.dumps(payload(notes="x" * 40_000)), content_type="application/json")
    assert response.status_code == 413 and BookingRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_request_becomes_notified_when_the_worker_sends_its_email(world, site, client, mailoutbox):
    new = post(client, payload()).json()["id"]
    away = post(client, payload(submission_id="sub-away-0001", address={
        "street": "9 Elm", "city": "Flagstaff", "state": "AZ", "zip": "86001"})).json()["id"]
    assert BookingRequest.objects.get(pk=new).status == RequestStatus.NEW
    worker.run_once("test-worker")
    assert len(mailoutbox) == 2
    assert BookingRequest.objects.get(pk=new).status == RequestStatus.NOTIFIED
    assert BookingRequest.objects.get(pk=away).status == RequestStatus.OUT_OF_AREA


def test_the_visitors_address_behind_a_trusted_proxy():
    from pagetojob.intake.abuse import client_address

    assert client_address("203.0.113.9", "198.51.100.1", []) == "203.0.113.9"  # no proxy configured
    assert client_address("10.0.0.5", "198.51.100.1", ["10.0.0.0/8"]) == "198.51.100.1"
    # A visitor can prepend anything: the nearest untrusted hop from the right is the one that counts.
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.7", ["10.0.0.0/8"]) == "198.51.100.1"
    # Straight from the internet, a forged header is ignored.
    assert client_address("203.0.113.9", "1.2.3.4", ["10.0.0.0/8"]) == "203.0.113.9"
    assert client_address("10.0.0.5", "", ["10.0.0.0/8"]) == "10.0.0.5"


@pytest.mark.django_db
def test_rate_limits_count_the_forwarded_visitor_behind_a_proxy(world, site, client, settings):
    settings.PAGETOJOB_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.PAGETOJOB_INTAKE_IP_LIMIT = 1
    first = client.post(URL, json.dumps(payload(submission_id="proxy-a-000001")), content_type="application/json",
                        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = client.post(URL, json.dumps(payload(submission_id="proxy-b-000001")), content_type="application/json",
                        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = client.post(URL, json.dumps(payload(submission_id="proxy-c-000001")), content_type="application/json",
                        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (first.status_code, other.status_code, again.status_code) == (201, 201, 429)


def test_a_bad_trusted_proxy_setting_says_what_to_fix(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PAGETOJOB_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local", "PAGETOJOB_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
                             " 'pagetojob.settings'); django.setup()"], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "'proxy.local' is not an IP address or network" in result.stderr
