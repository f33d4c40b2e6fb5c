"""Connecting, testing and disconnecting a workspace's ServiceTitan tenant, and the credentials gate it drives."""

from __future__ import annotations

import logging

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.core import vault
from pagetojob.readiness.evaluate import evaluate
from pagetojob.titan import connection as titan
from pagetojob.titan import tokens
from pagetojob.titan.models import ConnectionState, TitanConnection
from pagetojob.titan.signals import connection_changed
from tests.titan.conftest import APP_KEY, CLIENT_ID, CLIENT_SECRET, SECRETS, TENANT

pytestmark = pytest.mark.django_db


def connect(world, sandbox, **changes):
    values = {"base_url": sandbox.url, "tenant_id": TENANT, "app_key": APP_KEY, "client_id": CLIENT_ID,
              "client_secret": CLIENT_SECRET}
    values.update(changes)
    return titan.connect_sandbox(world.workspace, world.owner, **values)


def credentials_gate(workspace):
    return next(gate for gate in evaluate(workspace).gates if gate.key == "credentials")


@pytest.fixture
def signals():
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    connection_changed.connect(receiver, dispatch_uid="test-receiver")
    yield received
    connection_changed.disconnect(dispatch_uid="test-receiver")


def test_connecting_stores_only_ciphertexts_and_a_passing_test_opens_the_gate(world, sandbox, signals):
    assert not credentials_gate(world.workspace).satisfied
    connection = connect(world, sandbox)
    stored = TitanConnection.objects.get(workspace=world.workspace)
    for name, plain in (("app_key_encrypted", APP_KEY), ("client_id_encrypted", CLIENT_ID),
                        ("client_secret_encrypted", CLIENT_SECRET)):
        value = getattr(stored, name)
        assert plain not in value and vault.key_id_of(value) == "k1" and vault.decrypt(value) == plain
    assert stored.client_id_hint == CLIENT_ID[-4:]
    assert connection.state == ConnectionState.CONNECTED and connection.last_test_ok
    assert connection.scopes == ["api"]  # what the sandbox's token answer grants
    assert titan.credentials_ok(world.workspace)
    gate = credentials_gate(world.workspace)
    assert gate.satisfied and gate.environment == "sandbox" and "read business units" in gate.detail
    assert [(s["reason"], s["connected"]) for s in signals] == [("connected", False), ("tested", True)]
    assert not titan.credentials_ok(world.other)


def test_a_failing_test_records_why_and_keeps_the_gate_closed(world, sandbox):
    connection = connect(world, sandbox, client_secret="cs1.not-the-right-one")
    assert connection.last_test_ok is False
    assert "refused the client id and secret" in connection.last_test_message
    assert not titan.credentials_ok(world.workspace)
    gate = credentials_gate(world.workspace)
    assert not gate.satisfied and "refused" in gate.detail


def test_a_working_connection_that_starts_failing_closes_the_gate(world, sandbox):
    connect(world, sandbox)
    sandbox.faults(error_rate=1.0)
    result = titan.test_connection(world.workspace, world.owner)
    assert not result.ok and "500" in result.message
    assert not titan.credentials_ok(world.workspace) and not credentials_gate(world.workspace).satisfied


def test_disconnect_deletes_the_secrets_forgets_the_token_and_tells_everyone(world, sandbox, signals):
    connect(world, sandbox)
    assert any(key[0].startswith("titan-connection-") for key in tokens.cache._tokens)
    titan.disconnect(world.workspace, world.admin)
    stored = TitanConnection.objects.get(workspace=world.workspace)
    assert (stored.app_key_encrypted, stored.client_id_encrypted, stored.client_secret_encrypted) == ("", "", "")
    assert stored.state == ConnectionState.DISCONNECTED and stored.disconnected_by == world.admin
    assert stored.client_id_hint == "" and stored.scopes == []
    assert not any(key[0].startswith("titan-connection-") for key in tokens.cache._tokens)
    assert signals[-1]["reason"] == "disconnected" and signals[-1]["connected"] is False
    assert signals[-1]["workspace"] == world.workspace
    assert not titan.credentials_ok(world.workspace)
    gate = credentials_gate(world.workspace)
    assert not gate.satisfied and "disconnected" in gate.detail
    with pytest.raises(titan.NotConnected):
        titan.client_for(world.workspace)


def test_every_step_is_audited_without_secrets(world, sandbox):
    connect(world, sandbox)
    titan.disconnect(world.workspace, world.owner)
    entries = list(AuditEntry.objects.filter(workspace=world.workspace).order_by("pk"))
    actions = [entry.action for entry in entries]
    assert actions.index("titan.connect") < actions.index("titan.test") < actions.index("titan.disconnect")
    assert "readiness.gate" in actions
    dump = repr([(entry.summary, entry.details) for entry in entries])
    for secret in SECRETS:
        assert secret not in dump
    assert f"client id ••••{CLIENT_ID[-4:]}" in dump  # people can still tell which credentials were used


def test_secrets_stay_out_of_repr_str_and_logs(world, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    connection = connect(world, sandbox, client_secret="cs1.wrong-secret-for-logs")
    connect(world, sandbox)
    client = titan.client_for(world.workspace)
    client.get(client.tenant_path("settings", "business-units"), pageSize=1)
    sandbox.faults(error_rate=1.0)
    titan.test_connection(world.workspace, world.owner)
    titan.disconnect(world.workspace, world.owner)
    text = caplog.text + repr(connection) + str(connection) + repr(client) + repr(client.credentials)
    assert "ServiceTitan" in caplog.text  # the client did log its calls
    for secret in (*SECRETS, "cs1.wrong-secret-for-logs"):
        assert secret not in text


def test_without_encryption_keys_connecting_is_refused_with_how_to_fix(world, sandbox, settings):
    settings.ENCRYPTION_KEYS = ""
    with pytest.raises(titan.ConnectionRefused, match="PAGETOJOB_ENCRYPTION_KEYS") as refused:
        connect(world, sandbox)
    assert "__all__" in refused.value.errors
    assert not TitanConnection.objects.exists()
    gate = credentials_gate(world.workspace)
    assert gate.status == "blocked" and "PAGETOJOB_ENCRYPTION_KEYS" in gate.detail


def test_credentials_under_a_retired_key_no_longer_count(world, sandbox, settings):
    connect(world, sandbox)
    settings.ENCRYPTION_KEYS = "k2:" + "A" * 43 + "="
    assert not titan.credentials_ok(world.workspace)
    with pytest.raises(titan.NotConnected, match="'k1'"):
        titan.client_for(world.workspace)


@pytest.mark.parametrize("field, value, message", [
    ("tenant_id", "", "Enter the tenant id"),
    ("tenant_id", "12ab", "digits only"),
    ("tenant_id", "0123", "digits only"),
    ("app_key", "", "Enter the app key"),
    ("client_id", "cid.with space", "contains spaces"),
    ("client_secret", CLIENT_ID, "same as the client id"),
    ("client_secret", "x" * 501, "longer than 500"),
    ("base_url", "ftp://127.0.0.1:1", "sandbox URL must look like"),
    ("base_url", "http://127.0.0.1:1/path", "sandbox URL must look like"),
])
def test_each_field_is_validated_with_a_message_that_says_what_to_fix(world, sandbox, field, value, message):
    with pytest.raises(titan.ConnectionRefused) as refused:
        connect(world, sandbox, **{field: value})
    assert message in refused.value.errors[field]
    assert value == "" or len(value) < 8 or value not in str(refused.value)
    assert not TitanConnection.objects.exists()


def test_unknown_environment_is_refused(world):
    with pytest.raises(titan.ConnectionRefused) as refused:
        titan.connect(world.workspace, world.owner, environment="staging", tenant_id="1", app_key="ak1.x",
                      client_id="cid.x", client_secret="cs1.x")
    assert "environment" in refused.value.errors


def test_integration_and_production_use_servicetitans_hosts(world):
    titan.connect(world.workspace, world.owner, environment="production", tenant_id="123456", app_key=APP_KEY,
                  client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url="http://ignored.example")
    credentials = titan.credentials_for(TitanConnection.objects.get(workspace=world.workspace))
    assert credentials.api_base == "https://api.servicetitan.io"
    assert credentials.token_url == "https://auth.servicetitan.io/connect/token"
    assert credentials.base_url == ""
    titan.connect(world.workspace, world.owner, environment="integration", tenant_id="123456", app_key=APP_KEY,
                  client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    credentials = titan.credentials_for(TitanConnection.objects.get(workspace=world.workspace))
    assert credentials.api_base == "https://api-integration.servicetitan.io"
    assert credentials.token_url == "https://auth-integration.servicetitan.io/connect/token"
