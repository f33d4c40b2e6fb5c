"""Signature schemes: hex and base64, with and without a timestamp, and two keys during a rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pagetojob.core import clock, vault
from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks.models import RejectedDeliveries, WebhookEvent
from pagetojob.webhooks.verification import SigningRules, verify

from .conftest import OLD_SECRET, SECRET, configure, deliver

pytestmark = pytest.mark.django_db


def event(n=1):
    return sandbox.booking_event("accepted", 1000 + n, f"p2j-test-{n}", event_id=f"evt-sig-{n}")


def rules(**overrides) -> SigningRules:
    values = dict(signature_header="X-ServiceTitan-Signature", encoding="hex", timestamp_header="",
                  signed_content="body", tolerance_seconds=300, secrets=(("current key", SECRET),))
    values.update(overrides)
    return SigningRules(**values)


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_a_correct_signature_in_the_configured_encoding_is_accepted(world, client, encoding):
    configure(world.workspace, encoding=encoding)
    sent = event()
    response = deliver(client, world.workspace, sent, sandbox.Signing(SECRET, encoding=encoding))
    assert response.status_code == 200
    assert response.json() == {"accepted": True, "duplicate": False, "event_id": "evt-sig-1"}
    stored = WebhookEvent.objects.get(workspace=world.workspace)
    assert stored.verification == "signature valid (current key)"
    assert stored.raw_body.encode() == sent.body


@pytest.mark.parametrize("configured,sent", [("hex", "base64"), ("base64", "hex")])
def test_the_other_encoding_is_refused(world, client, configured, sent):
    configure(world.workspace, encoding=configured)
    response = deliver(client, world.workspace, event(), sandbox.Signing(SECRET, encoding=sent))
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_header_name_is_configurable_and_case_insensitive(world, client):
    configure(world.workspace, signature_header="ST-Signature")
    assert deliver(client, world.workspace, event(1), sandbox.Signing(SECRET, header="st-signature")).status_code == 200
    assert deliver(client, world.workspace, event(2), sandbox.Signing(SECRET)).status_code == 401
    assert RejectedDeliveries.objects.get(workspace=world.workspace).reason == "missing_signature"


def test_base64_may_be_url_safe_or_unpadded_and_hex_may_carry_a_prefix():
    body = b'{"eventId":"x"}'
    raw = sandbox.signature(sandbox.Signing(SECRET, encoding="hex"), body)
    now = clock.now()
    assert verify(rules(), {"X-ServiceTitan-Signature": "sha256=" + raw.upper()}, body, now).ok
    standard = sandbox.signature(sandbox.Signing(SECRET, encoding="base64"), body)
    url_safe = standard.replace("+", "-").replace("/", "_").rstrip("=")
    assert verify(rules(encoding="base64"), {"x-servicetitan-signature": url_safe}, body, now).ok
    assert not verify(rules(encoding="base64"), {"x-servicetitan-signature": "not base64!"}, body, now).ok


def test_a_signature_over_other_bytes_is_refused_even_if_the_json_is_equal():
    body = b'{"eventId":"x","eventType":"Job.Completed"}'
    spaced = b'{"eventId": "x", "eventType": "Job.Completed"}'
    signature = sandbox.signature(sandbox.Signing(SECRET), body)
    verdict = verify(rules(), {"X-ServiceTitan-Signature": signature}, spaced, clock.now())
    assert not verdict.ok and verdict.reason == "invalid_signature"


@pytest.mark.parametrize("signed_content", ["body", "timestamp.body"])
def test_with_a_timestamp_header_fresh_deliveries_pass_and_stale_ones_are_refused(world, client, signed_content):
    configure(world.workspace, timestamp_header="X-ServiceTitan-Timestamp", signed_content=signed_content)
    signing = sandbox.Signing(SECRET, timestamp_header="X-ServiceTitan-Timestamp", signed_content=signed_content)
    assert deliver(client, world.workspace, event(1), signing).status_code == 200
    assert deliver(client, world.workspace, event(2), signing,
                   at=clock.now() - timedelta(seconds=280)).status_code == 200
    stale = deliver(client, world.workspace, event(3), signing, at=clock.now() - timedelta(seconds=330))
    future = deliver(client, world.workspace, event(4), signing, at=clock.now() + timedelta(seconds=400))
    assert stale.status_code == future.status_code == 401
    assert stale.json()["reason"] == "stale"
    assert set(WebhookEvent.objects.values_list("event_id", flat=True)) == {"evt-sig-1", "evt-sig-2"}
    assert RejectedDeliveries.objects.get(workspace=world.workspace, reason="stale").count == 2
    assert WebhookEvent.objects.get(event_id="evt-sig-1").signed_at is not None


def test_a_timestamp_covered_by_the_signature_cannot_be_refreshed_by_a_replayer():
    body = b'{"eventId":"old"}'
    signing = sandbox.Signing(SECRET, timestamp_header="X-ST-Timestamp", signed_content="timestamp.body")
    old = clock.now() - timedelta(hours=2)
    headers = sandbox.signed_headers(signing, body, at=old)
    headers["X-ST-Timestamp"] = str(int(clock.now().timestamp()))  # a fresh time with the old signature
    verdict = verify(rules(timestamp_header="X-ST-Timestamp", signed_content="timestamp.body"), headers, body,
                     clock.now())
    assert not verdict.ok and verdict.reason == "invalid_signature"


def test_missing_or_unreadable_timestamp_is_refused(world, client):
    configure(world.workspace, timestamp_header="X-ServiceTitan-Timestamp")
    response = deliver(client, world.workspace, event(), sandbox.Signing(SECRET))
    assert response.status_code == 401 and response.json()["reason"] == "stale"
    garbage = deliver(client, world.workspace, event(2), sandbox.Signing(SECRET),
                      extra_headers={"X-ServiceTitan-Timestamp": "yesterday-ish"})
    assert garbage.status_code == 401


def test_during_a_rotation_both_keys_are_accepted_and_after_it_only_the_new(world, client):
    configure(world.workspace, new_key=OLD_SECRET)
    configure(world.workspace, new_key=SECRET, keep_previous=True)
    assert deliver(client, world.workspace, event(1), sandbox.Signing(SECRET)).status_code == 200
    assert deliver(client, world.workspace, event(2), sandbox.Signing(OLD_SECRET)).status_code == 200
    verifications = dict(WebhookEvent.objects.values_list("event_id", "verification"))
    assert verifications == {"evt-sig-1": "signature valid (current key)",
                             "evt-sig-2": "signature valid (previous key)"}
    configure(world.workspace, new_key="", drop_previous=True)
    assert deliver(client, world.workspace, event(3), sandbox.Signing(OLD_SECRET)).status_code == 401
    assert deliver(client, world.workspace, event(4), sandbox.Signing(SECRET)).status_code == 200


def test_a_new_key_without_keeping_the_old_one_ends_the_old_one_at_once(world, client):
    configure(world.workspace, new_key=OLD_SECRET)
    configure(world.workspace, new_key=SECRET, keep_previous=False)
    assert deliver(client, world.workspace, event(1), sandbox.Signing(OLD_SECRET)).status_code == 401


def test_keys_are_stored_encrypted_and_never_in_the_audit_log(world):
    endpoint = configure(world.workspace, world.owner)
    assert SECRET not in endpoint.secret_current and vault.decrypt(endpoint.secret_current) == SECRET
    assert endpoint.secret_hint == "…" + SECRET[-4:]
    from pagetojob.accounts.models import AuditEntry

    entry = AuditEntry.objects.get(workspace=world.workspace, action="webhooks.settings")
    assert SECRET not in entry.summary and SECRET not in str(entry.details)


def test_tampered_signature_is_refused_counted_and_not_stored(world, client, endpoint):
    response = deliver(client, world.workspace, event(), tamper=True)
    assert response.status_code == 401
    assert response.json()["reason"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()
    assert RejectedDeliveries.objects.get(workspace=world.workspace, reason="invalid_signature").count == 1
