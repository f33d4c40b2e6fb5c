"""Signing in by email, switching workspaces, and resetting a forgotten password through the email queue."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from pagetojob.accounts.models import Membership, OutboundEmail, Role
from pagetojob.core import worker
from pagetojob.core.models import WorkState
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SIGN_IN_FAILED = "That email and password do not match an account."
NEW_PASSWORD = "a-brand-new-passphrase-77"


def sign_in(client: Client, email: str, password: str = PASSWORD, follow: bool = False, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra}, follow=follow)


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("typed", ["owner@acme.test", "OWNER@Acme.Test", "  owner@acme.test "])
def test_sign_in_by_email_in_any_case_lands_on_the_dashboard(world, client, typed):
    response = sign_in(client, typed, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=["acme-air"])
    assert signed_in_as(client) == str(world.owner.pk)
    assert "Acme Air" in response.content.decode()


def test_sign_in_lands_on_the_users_own_workspace(world, client):
    response = sign_in(client, "outsider@rival.test", follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=["rival-plumbing"])


def test_sign_in_honours_next(world, client):
    response = sign_in(client, "viewer@acme.test", next=reverse("titan-map", args=["acme-air"]))
    assert response["Location"] == reverse("titan-map", args=["acme-air"])


@pytest.mark.parametrize("email,password", [("owner@acme.test", "wrong-password-here"),
                                            ("nobody@acme.test", PASSWORD), ("", PASSWORD)])
def test_wrong_credentials_show_the_error_and_do_not_sign_in(world, client, email, password):
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.content.decode()
    assert signed_in_as(client) is None
    assert client.get(reverse("dashboard", args=["acme-air"])).status_code == 302


def test_inactive_account_cannot_sign_in(world, client):
    world.viewer.is_active = False
    world.viewer.save()
    response = sign_in(client, "viewer@acme.test")
    assert SIGN_IN_FAILED in response.content.decode()
    assert signed_in_as(client) is None


def test_user_without_a_workspace_is_told_so(world, client):
    make_user("loner@example.com")
    response = sign_in(client, "loner@example.com", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "You are not in a workspace yet" in response.content.decode()


def test_anonymous_home_and_switch_go_to_login(client):
    for url in (reverse("home"), reverse("switch-workspace") + "?key=acme-air"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_workspace_switcher_moves_between_the_users_workspaces(world, client_for):
    Membership.objects.create(user=world.owner, workspace=world.other, role=Role.VIEWER)
    client = client_for(world.owner)
    response = client.get(reverse("switch-workspace"), {"key": "rival-plumbing"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=["rival-plumbing"])
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=["rival-plumbing"])
    client.get(reverse("switch-workspace"), {"key": "acme-air"})
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=["acme-air"])


@pytest.mark.parametrize("key", ["rival-plumbing", "no-such-workspace", ""])
def test_workspace_switcher_404s_outside_the_users_workspaces(world, client_for, key):
    client = client_for(world.owner)
    client.get(reverse("switch-workspace"), {"key": "acme-air"})
    response = client.get(reverse("switch-workspace"), {"key": key})
    assert response.status_code == 404
    assert "Rival" not in response.content.decode()
    assert client.get(reverse("home"))["Location"] == reverse("dashboard", args=["acme-air"])


def test_sign_out_ends_the_session(world, client_for):
    client = client_for(world.owner)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert signed_in_as(client) is None


# --- password reset --------------------------------------------------------------------------------------

def ask_for_reset(client: Client, email: str):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def reset_path(email: OutboundEmail) -> str:
    match = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", email.body)
    assert match, email.body
    return match.group(1)


def test_reset_queues_an_email_the_worker_sends(world, client):
    response = ask_for_reset(client, "Owner@ACME.test")
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "Check your email" in response.content.decode()
    email = OutboundEmail.objects.get()
    assert (email.kind, email.to, email.work_state) == ("password_reset", "owner@acme.test", WorkState.QUEUED)
    assert mail.outbox == []
    worker.run_once("test-worker")
    assert [message.to for message in mail.outbox] == [["owner@acme.test"]]
    assert reset_path(email) in mail.outbox[0].body
    email.refresh_from_db()
    assert email.work_state == WorkState.DONE and email.sent_at is not None


def test_reset_link_sets_a_new_password_that_signs_in(world, client):
    ask_for_reset(client, "owner@acme.test")
    link = reset_path(OutboundEmail.objects.get())
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Password changed" in response.content.decode()

    fresh = Client()
    assert SIGN_IN_FAILED in sign_in(fresh, "owner@acme.test").content.decode()
    response = sign_in(fresh, "owner@acme.test", NEW_PASSWORD, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=["acme-air"])
    assert signed_in_as(fresh) == str(world.owner.pk)

    again = Client().get(link, follow=True)
    assert "That link has expired" in again.content.decode()


def test_reset_rejects_a_weak_new_password(world, client):
    ask_for_reset(client, "owner@acme.test")
    form = client.get(reset_path(OutboundEmail.objects.get()), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    world.owner.refresh_from_db()
    assert world.owner.check_password(PASSWORD)


def test_reset_for_an_unknown_email_looks_the_same_and_queues_nothing(world, client):
    known = ask_for_reset(Client(), "owner@acme.test")
    unknown = ask_for_reset(client, "stranger@example.com")
    assert unknown.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "Check your email" in unknown.content.decode()
    assert unknown.content == known.content
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == ["owner@acme.test"]
    worker.run_once("test-worker")
    assert [message.to for message in mail.outbox] == [["owner@acme.test"]]
