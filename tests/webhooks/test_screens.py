"""The event log and the signing settings screen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pagetojob.core import worker
from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks import records
from pagetojob.webhooks.models import WebhookEndpoint

from .conftest import SECRET, configure, deliver

pytestmark = pytest.mark.django_db


def test_empty_event_log_says_what_to_do(world, client_for):
    page = client_for(world.viewer).get(reverse("webhook-events", args=[world.workspace.key])).content.decode()
    assert "No events" in page and "Signing settings" in page


def test_event_log_shows_verification_processing_links_and_escaped_payload(world, client, client_for, endpoint):
    records.record_sent(world.workspace, "p2j-shown", "booking", 4242)
    deliver(client, world.workspace, sandbox.booking_event("converted", 4242, "p2j-shown", job_id=8181))
    deliver(client, world.workspace,
            sandbox.make_event("Job.Completed", {"id": 8181, "summary": "<script>alert(1)</script>"}))
    deliver(client, world.workspace, sandbox.make_event("Technician.Clocked", {"id": 1}))
    deliver(client, world.workspace, sandbox.job_event("completed", 1), tamper=True)
    while worker.run_once("screen-worker"):
        pass
    response = client_for(world.viewer).get(reverse("webhook-events", args=[world.workspace.key]))
    page = response.content.decode()
    assert "signature valid (current key)" in page
    assert "Booking 4242: converted, job 8181" in page
    assert "p2j-shown" in page and "Job completed" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert '&quot;eventType&quot;: &quot;Booking.Converted&quot;' in page  # pretty-printed, one key per line
    assert "is not one PageToJob uses" in page
    assert "invalid signature" in page  # the refused-delivery counter
    ignored = client_for(world.viewer).get(reverse("webhook-events", args=[world.workspace.key]),
                                          {"outcome": "ignored"}).content.decode()
    assert "Technician.Clocked" in ignored and "Booking.Converted" not in ignored
    by_id = client_for(world.viewer).get(reverse("webhook-events", args=[world.workspace.key]),
                                        {"q": "8181"}).content.decode()
    assert "Job.Completed" in by_id and "Technician.Clocked" not in by_id


def test_validation_events_are_hidden_unless_asked_for(world, client, client_for, endpoint):
    deliver(client, world.workspace, sandbox.make_event("PageToJob.Validation", {"run": "x"}))
    url = reverse("webhook-events", args=[world.workspace.key])
    assert "PageToJob.Validation" not in client_for(world.viewer).get(url).content.decode()
    assert "PageToJob.Validation" in client_for(world.viewer).get(url, {"validation": "1"}).content.decode()


def form(**overrides):
    data = {"signature_header": "X-ServiceTitan-Signature", "encoding": "hex", "timestamp_header": "",
            "signed_content": "body", "tolerance_seconds": "300", "new_key": SECRET, "keep_previous": "on"}
    data.update(overrides)
    return data


def test_admin_sets_the_key_and_it_is_never_shown_again(world, client_for):
    client = client_for(world.admin)
    url = reverse("webhook-settings", args=[world.workspace.key])
    response = client.post(url, form(), follow=True)
    assert "Webhook settings saved." in response.content.decode()
    assert SECRET not in response.content.decode()
    assert "…" + SECRET[-4:] in response.content.decode()
    assert f"/api/v1/webhooks/servicetitan/{world.workspace.key}" in response.content.decode()
    assert WebhookEndpoint.objects.get(workspace=world.workspace).configured


@pytest.mark.parametrize("overrides,message", [
    ({"new_key": "short"}, "The key is 5 characters"),
    ({"new_key": ""}, "Paste the HMAC key"),
    ({"signature_header": "X Bad Header"}, "letters, digits and dashes"),
    ({"tolerance_seconds": "5"}, "between 30 and 3600"),
    ({"signed_content": "timestamp.body"}, "needs a timestamp header"),
    ({"timestamp_header": "X-ServiceTitan-Signature"}, "must differ from the signature header"),
])
def test_bad_settings_say_what_to_fix(world, client_for, overrides, message):
    response = client_for(world.owner).post(reverse("webhook-settings", args=[world.workspace.key]), form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_viewers_and_marketers_see_settings_but_cannot_change_them(world, client_for):
    configure(world.workspace, world.owner)
    url = reverse("webhook-settings", args=[world.workspace.key])
    page = client_for(world.marketer).get(url).content.decode()
    assert "Owners and admins can change these settings." in page and SECRET not in page
    client_for(world.marketer).post(url, form(new_key="m" * 40))
    assert deliver(client_for(world.marketer), world.workspace, sandbox.job_event("completed", 1)).status_code == 200


def test_the_nav_links_to_webhooks(world, client_for):
    page = client_for(world.viewer).get(reverse("dashboard", args=[world.workspace.key])).content.decode()
    assert reverse("webhook-events", args=[world.workspace.key]) in page
