"""`pagetojob rotate-keys` re-encrypts every stored credential under the newest key, once."""

from __future__ import annotations

import base64
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pagetojob.accounts.models import Workspace
from pagetojob.core import vault
from pagetojob.titan import connection as titan
from pagetojob.titan.models import SECRET_FIELDS, TitanConnection

pytestmark = pytest.mark.django_db

K1 = base64.urlsafe_b64encode(os.urandom(32)).decode()
K2 = base64.urlsafe_b64encode(os.urandom(32)).decode()


def store(workspace, owner, secret):
    titan.connect(workspace, owner, environment="integration", tenant_id="4242", app_key="ak1.rotation-app",
                  client_id=f"cid.rotation-{workspace.key}", client_secret=secret)


def rotate() -> str:
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    return out.getvalue()


def test_rotation_moves_every_secret_to_the_newest_key_and_is_idempotent(world, settings):
    settings.ENCRYPTION_KEYS = f"k1:{K1}"
    store(world.workspace, world.owner, "cs1.first-secret")
    store(world.other, world.outsider, "cs1.second-secret")
    Workspace.objects.create(key="never-connected", name="Never connected")
    titan.disconnect(Workspace.objects.get(key="never-connected"), None)  # nothing to rotate, nothing breaks

    settings.ENCRYPTION_KEYS = f"k2:{K2},k1:{K1}"
    output = rotate()
    assert "Stored secrets found: 6 under k1." in output
    assert "Re-encrypted under k2: 6; already under k2: 0." in output
    for connection in TitanConnection.objects.exclude(client_secret_encrypted=""):
        assert connection.key_ids == ["k2"]
    assert rotate().count("Re-encrypted under k2: 0; already under k2: 6.") == 1

    settings.ENCRYPTION_KEYS = f"k2:{K2}"  # the old key can go now
    stored = TitanConnection.objects.get(workspace=world.workspace)
    assert vault.decrypt(stored.client_secret_encrypted) == "cs1.first-secret"
    assert titan.credentials_for(stored).client_id == "cid.rotation-acme-air"


def test_without_keys_the_command_refuses_and_says_how_to_set_them(world, settings):
    settings.ENCRYPTION_KEYS = ""
    with pytest.raises(CommandError, match="PAGETOJOB_ENCRYPTION_KEYS"):
        rotate()


def test_a_secret_under_a_missing_key_is_reported_and_left_alone(world, settings):
    settings.ENCRYPTION_KEYS = f"old:{K1}"
    store(world.workspace, world.owner, "cs1.orphan")
    before = {name: getattr(TitanConnection.objects.get(), name) for name in SECRET_FIELDS}
    settings.ENCRYPTION_KEYS = f"k2:{K2}"
    err = StringIO()
    with pytest.raises(CommandError, match="1 connection"):
        call_command("rotate_keys", stdout=StringIO(), stderr=err)
    assert "acme-air" in err.getvalue() and "'old'" in err.getvalue()
    assert {name: getattr(TitanConnection.objects.get(), name) for name in SECRET_FIELDS} == before


def test_the_command_runs_as_pagetojob_rotate_keys(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGETOJOB_") and k != "DATABASE_URL"}
    env.update(PAGETOJOB_DATA_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-m", "pagetojob", "migrate", "--verbosity", "0"], env=env, check=True,
                   timeout=180)
    result = subprocess.run([sys.executable, "-m", "pagetojob", "rotate-keys"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Stored secrets found: none." in result.stdout and "Every stored secret is encrypted under k1." in \
        result.stdout


def test_rotation_also_moves_webhook_signing_keys(world, settings):
    from pagetojob.webhooks import endpoints
    from pagetojob.webhooks.models import WebhookEndpoint

    settings.ENCRYPTION_KEYS = f"k1:{K1}"
    endpoints.save_settings(world.workspace, world.owner, signature_header="X-ServiceTitan-Signature", encoding="hex",
                            timestamp_header="", signed_content="body", tolerance_seconds=300,
                            new_key="whsec-rotation-test-key-0123456789")
    settings.ENCRYPTION_KEYS = f"k2:{K2},k1:{K1}"
    assert "Re-encrypted under k2: 1;" in rotate()
    endpoint = WebhookEndpoint.objects.get(workspace=world.workspace)
    assert vault.key_id_of(endpoint.secret_current) == "k2"
    settings.ENCRYPTION_KEYS = f"k2:{K2}"
    assert vault.decrypt(endpoint.secret_current) == "whsec-rotation-test-key-0123456789"
