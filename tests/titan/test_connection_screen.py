"""Settings › ServiceTitan connection: who may do what, what the page shows, and what it never shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pagetojob.titan import connection as titan
from pagetojob.titan.models import TitanConnection
from tests.titan.conftest import APP_KEY, CLIENT_ID, CLIENT_SECRET, SECRETS, TENANT

pytestmark = pytest.mark.django_db


def page_url(world):
    return reverse("titan-connection", args=[world.workspace.key])


def form(**changes):
    data = {"environment": "sandbox", "tenant_id": str(TENANT), "app_key": APP_KEY, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "test_now": "on"}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def sandbox_setting(settings, sandbox):
    settings.SANDBOX_URL = sandbox.url
    return sandbox


def test_owner_connects_to_the_local_sandbox_and_sees_it_labelled(world, client_for, sandbox_setting):
    client = client_for(world.owner)
    page = client.get(page_url(world) + "?environment=sandbox").content.decode()
    assert "Connect to the local sandbox" in page and sandbox_setting.url in page
    assert 'value="sandbox"' in page and "checked" in page.split('value="sandbox"')[1].split(">")[0]

    response = client.post(page_url(world), form(), follow=True)
    html = response.content.decode()
    assert "Credentials stored encrypted. Fetched a token and read business units" in html
    assert "stored, encrypted with key k1" in html and "sandbox-tag" in html
    assert f"…{CLIENT_ID[-4:]}" in html and "<code>api</code>" in html
    for secret in SECRETS:
        assert secret not in html
    readiness = client.get(reverse("readiness", args=[world.workspace.key])).content.decode()
    assert "View the ServiceTitan connection" in readiness


def test_errors_are_listed_and_no_secret_is_echoed_back(world, client_for, sandbox_setting):
    response = client_for(world.owner).post(page_url(world), form(tenant_id="twelve", client_secret=CLIENT_ID))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please fix 2 problems" in html
    assert "The tenant id is a number" in html and "same as the client id" in html
    for secret in SECRETS:
        assert secret not in html
    assert not TitanConnection.objects.exists()


def test_sandbox_is_not_offered_unless_one_is_configured(world, client_for, settings):
    settings.SANDBOX_URL = ""
    client = client_for(world.owner)
    assert 'value="sandbox"' not in client.get(page_url(world)).content.decode()
    response = client.post(page_url(world), form())
    assert "Select a valid choice" in response.content.decode()
    assert not TitanConnection.objects.exists()


def test_saving_without_testing_stores_and_asks_for_a_test(world, client_for, sandbox_setting):
    response = client_for(world.admin).post(page_url(world), form(test_now=None), follow=True)
    html = response.content.decode()
    assert "Test the connection to start using them" in html and "connected, not tested" in html
    assert TitanConnection.objects.get().last_test_at is None


def test_test_and_disconnect_buttons(world, client_for, sandbox_setting):
    client = client_for(world.owner)
    client.post(page_url(world), form(test_now=None))
    tested = client.post(reverse("titan-test", args=[world.workspace.key]), follow=True).content.decode()
    assert "Fetched a token" in tested and "passed" in tested

    unconfirmed = client.post(reverse("titan-disconnect", args=[world.workspace.key]), follow=True)
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert TitanConnection.objects.get().has_secrets

    done = client.post(reverse("titan-disconnect", args=[world.workspace.key]), {"confirm": "yes"}, follow=True)
    html = done.content.decode()
    assert "the website form keeps taking requests" in html and "deleted" in html
    assert not TitanConnection.objects.get().has_secrets
    again = client.post(reverse("titan-test", args=[world.workspace.key]), follow=True).content.decode()
    assert "connect ServiceTitan first" in again


@pytest.mark.parametrize("role", ["marketer", "operator", "viewer"])
def test_other_roles_see_the_state_but_cannot_change_it(world, client_for, sandbox_setting, role):
    titan.connect_sandbox(world.workspace, world.owner, sandbox_setting.url, TENANT, APP_KEY, CLIENT_ID,
                          CLIENT_SECRET)
    client = client_for(getattr(world, role))
    html = client.get(page_url(world)).content.decode()
    assert "Owners and admins connect, test and disconnect ServiceTitan" in html
    assert "stored, encrypted with key k1" in html and "<form method=\"post\" class=\"form\"" not in html
    for secret in SECRETS:
        assert secret not in html
    assert client.post(page_url(world), form()).status_code == 403
    assert client.post(reverse("titan-test", args=[world.workspace.key])).status_code == 403
    assert client.post(reverse("titan-disconnect", args=[world.workspace.key]), {"confirm": "yes"}).status_code == 403
    assert TitanConnection.objects.get().has_secrets


def test_without_keys_the_page_says_how_to_set_them_and_saves_nothing(world, client_for, settings):
    settings.ENCRYPTION_KEYS = ""
    client = client_for(world.owner)
    html = client.get(page_url(world)).content.decode()
    assert "Credentials cannot be stored on this server" in html and "PAGETOJOB_ENCRYPTION_KEYS" in html
    assert "disabled" in html.split("Save credentials")[0].rsplit("<button", 1)[1]
    response = client.post(page_url(world), form(environment="integration"), follow=True)
    assert "PAGETOJOB_ENCRYPTION_KEYS" in response.content.decode()
    assert not TitanConnection.objects.exists()


def test_the_settings_nav_links_the_screen(world, client_for):
    html = client_for(world.viewer).get(reverse("dashboard", args=[world.workspace.key])).content.decode()
    assert f'href="{page_url(world)}"' in html and "ServiceTitan connection" in html


def test_admin_shows_state_but_never_ciphertexts(world, client, sandbox_setting, django_user_model):
    titan.connect_sandbox(world.workspace, world.owner, sandbox_setting.url, TENANT, APP_KEY, CLIENT_ID,
                          CLIENT_SECRET)
    staff = django_user_model.objects.create_superuser("staff@p2j.test", "staff@p2j.test", "x" * 12)
    client.force_login(staff)
    stored = TitanConnection.objects.get()
    html = client.get(reverse("admin:titan_titanconnection_change", args=[stored.pk])).content.decode()
    assert "stored, encrypted with key k1" in html
    for value in (stored.app_key_encrypted, stored.client_id_encrypted, stored.client_secret_encrypted, *SECRETS):
        assert value not in html
