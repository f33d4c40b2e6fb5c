"""Webhook keys follow the encryption-key rotation like every other stored secret."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command

from pagetojob.core import vault
from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks.models import WebhookEndpoint

from .conftest import OLD_SECRET, SECRET, configure, deliver

pytestmark = pytest.mark.django_db
NEW_KEY = "k9:" + base64.urlsafe_b64encode(b"n" * 32).decode()


def test_rotate_webhook_keys_reencrypts_under_the_newest_key_and_deliveries_still_verify(world, client, settings):
    configure(world.workspace, new_key=OLD_SECRET)
    configure(world.workspace, new_key=SECRET, keep_previous=True)
    old_id = vault.key_id_of(WebhookEndpoint.objects.get().secret_current)
    settings.ENCRYPTION_KEYS = f"{NEW_KEY},{settings.ENCRYPTION_KEYS}"
    call_command("rotate_webhook_keys")
    endpoint = WebhookEndpoint.objects.get()
    assert {vault.key_id_of(endpoint.secret_current), vault.key_id_of(endpoint.secret_previous)} == {"k9"} != {old_id}
    settings.ENCRYPTION_KEYS = NEW_KEY  # the old key can go now
    assert deliver(client, world.workspace, sandbox.job_event("completed", 1),
                   sandbox.Signing(SECRET)).status_code == 200
    assert deliver(client, world.workspace, sandbox.job_event("completed", 2),
                   sandbox.Signing(OLD_SECRET)).status_code == 200
    call_command("rotate_webhook_keys")  # again: nothing to do
    assert WebhookEndpoint.objects.get().secret_current == endpoint.secret_current


def test_a_key_the_server_can_no_longer_read_refuses_deliveries_and_says_why(world, client, client_for, settings):
    configure(world.workspace, world.owner)
    settings.ENCRYPTION_KEYS = NEW_KEY  # the key the webhook secret was stored under is gone
    response = deliver(client, world.workspace, sandbox.job_event("completed", 1))
    assert response.status_code == 503
    assert "cannot read this workspace's webhook key" in response.json()["error"]
    page = client_for(world.owner).get(f"/w/{world.workspace.key}/webhooks/settings/").content.decode()
    assert "not in PAGETOJOB_ENCRYPTION_KEYS" in page
