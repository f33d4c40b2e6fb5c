"""Tokens and the 401/403 answers every ServiceTitan call can get."""

from __future__ import annotations

import time

import httpx

from pagetojob.sandbox.seeds import DEMO_TENANT_ID
from pagetojob.sandbox.server import ClientCredentials, SandboxServer

from .conftest import FAKE_APP_KEY, FAKE_SECRET, Client, make_config

UNITS = "/settings/v2/tenant/{t}/business-units"


def test_token_is_issued_for_client_credentials(client: Client):
    response = client.fetch_token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900 and len(body["access_token"]) > 20


def test_token_request_errors_say_what_is_wrong(client: Client):
    wrong_grant = client.http.post("/connect/token", data={"grant_type": "password", "client_id": "cid.test",
                                                            "client_secret": FAKE_SECRET})
    assert wrong_grant.status_code == 400 and wrong_grant.json()["error"] == "unsupported_grant_type"
    missing = client.http.post("/connect/token", data={"grant_type": "client_credentials", "client_id": "cid.test"})
    assert missing.status_code == 400 and "client_secret" in missing.json()["error_description"]
    unknown = client.http.post("/connect/token", data={"grant_type": "client_credentials", "client_id": "nobody",
                                                        "client_secret": "x"})
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    wrong_secret = client.http.post("/connect/token", data={"grant_type": "client_credentials",
                                                             "client_id": "cid.test", "client_secret": "nope"})
    assert wrong_secret.status_code == 401
    as_json = client.http.post("/connect/token", json={"grant_type": "client_credentials"})
    assert as_json.status_code == 400 and "form-encoded" in as_json.json()["error_description"]


def test_api_calls_need_a_bearer_token_and_the_app_key(client: Client):
    path = UNITS.format(t=DEMO_TENANT_ID)
    no_token = client.http.get(path, headers={"ST-App-Key": FAKE_APP_KEY})
    assert no_token.status_code == 401
    assert set(no_token.json()) == {"type", "title", "status", "traceId", "errors", "data"}
    bad_token = client.http.get(path, headers={"Authorization": "Bearer made-up", "ST-App-Key": FAKE_APP_KEY})
    assert bad_token.status_code == 401 and "expired" in bad_token.json()["title"]
    token = client.headers()["Authorization"]
    no_key = client.http.get(path, headers={"Authorization": token})
    assert no_key.status_code == 403 and "ST-App-Key" in no_key.json()["title"]
    wrong_key = client.http.get(path, headers={"Authorization": token, "ST-App-Key": "ak1.other"})
    assert wrong_key.status_code == 403
    assert client.get(UNITS).status_code == 200
    assert client.admin("stats").json()["tenants"]["4100100"]["authFailures"] == 4


def test_a_token_of_one_tenant_is_refused_for_another(server: SandboxServer, client: Client):
    created = client.admin("tenants", {"tenant": 4100200, "seed": "demo", "clientId": "cid.other",
                                       "clientSecret": "fake-other-secret"})
    assert created.status_code == 201
    other = Client(server.url, client_id="cid.other", secret="fake-other-secret", tenant=4100200)
    assert other.get(UNITS).status_code == 200
    refused = other.http.get(UNITS.format(t=DEMO_TENANT_ID), headers=other.headers())
    assert refused.status_code == 403 and "4100200" in refused.json()["title"]
    other.close()


def test_tokens_expire_after_their_ttl():
    config = make_config()
    config.token_ttl = 1
    with SandboxServer(config=config) as server:
        api = Client(server.url)
        assert api.fetch_token().json()["expires_in"] == 1
        assert api.get(UNITS).status_code == 200
        time.sleep(1.1)
        expired = api.get(UNITS)
        assert expired.status_code == 401 and expired.headers["WWW-Authenticate"].startswith("Bearer")
        api.close()


def test_without_given_credentials_a_secret_is_generated():
    config = make_config()
    config.clients = []
    with SandboxServer(config=config) as server:
        (generated,) = server.clients
        assert generated.generated and generated.tenant_id == DEMO_TENANT_ID and len(generated.client_secret) >= 24
        api = Client(server.url, client_id=generated.client_id, secret=generated.client_secret)
        assert api.get(UNITS).status_code == 200
        api.close()
    config.clients = []
    with SandboxServer(config=config) as again:
        assert again.clients[0].client_secret != generated.client_secret


def test_given_credentials_are_kept_as_given():
    config = make_config()
    config.clients = [ClientCredentials(DEMO_TENANT_ID, "cid.given", "fake-given-secret")]
    with SandboxServer(config=config) as server:
        assert not server.clients[0].generated
        response = httpx.post(server.url + "/connect/token", data={
            "grant_type": "client_credentials", "client_id": "cid.given", "client_secret": "fake-given-secret"})
        assert response.status_code == 200
