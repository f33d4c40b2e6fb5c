"""Inviting people, the queued invitation email, accepting it, and changing or removing members."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from pagetojob.accounts.models import AuditEntry, Invitation, Membership, OutboundEmail, Role
from pagetojob.core import clock, worker
from pagetojob.core.models import WorkState
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ACME = "acme-air"
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def invite(client, email: str = "New.Person@Example.com", role: str = "marketer"):
    return client.post(reverse("team", args=[ACME]), {"email": email, "role": role}, follow=True)


def accept_link(email: OutboundEmail) -> str:
    match = re.search(r"https?://\S+/invitations/[\w-]+/", email.body)
    assert match, email.body
    return match.group(0)


def path_of(link: str) -> str:
    return link.removeprefix(settings.PAGETOJOB_BASE_URL.rstrip("/"))


def signup(client, link: str, **overrides):
    data = {"first_name": "Nia", "last_name": "Person", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post(path_of(link), {**data, **overrides})


def membership_of(world, user) -> Membership:
    return Membership.objects.get(workspace=world.workspace, user=user)


def audit_actions(world) -> list[str]:
    return list(AuditEntry.objects.filter(workspace=world.workspace).order_by("pk").values_list("action", flat=True))


def test_admin_invites_and_the_email_is_queued(world, client_for):
    response = invite(client_for(world.admin))
    assert "Invitation sent to New.Person@Example.com." in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("new.person@example.com", "marketer",
                                                                          world.admin)
    email = OutboundEmail.objects.get()
    assert (email.kind, email.to, email.workspace, email.work_state) == ("invitation", "new.person@example.com",
                                                                         world.workspace, WorkState.QUEUED)
    assert email.sent_at is None
    assert accept_link(email).endswith(reverse("accept-invitation", args=[invitation.token]))
    assert "Acme Air" in email.subject
    entry = AuditEntry.objects.get(action="team.invite")
    assert entry.actor == world.admin and "new.person@example.com" in entry.summary
    assert "new.person@example.com" in response.content.decode()  # listed under pending invitations


def test_worker_sends_the_invitation_and_marks_it_done(world, client_for):
    invite(client_for(world.admin))
    assert mail.outbox == []
    assert worker.run_once("test-worker") == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    email = OutboundEmail.objects.get()
    assert sent.to == ["new.person@example.com"]
    assert sent.subject == email.subject
    assert accept_link(email) in sent.body
    assert email.work_state == WorkState.DONE and email.sent_at is not None and email.finished_at is not None
    assert worker.run_once("test-worker") == 0
    assert len(mail.outbox) == 1


def test_accepting_creates_the_account_and_membership_and_signs_in(world, client_for, client):
    invite(client_for(world.admin))
    link = accept_link(OutboundEmail.objects.get())
    client.logout()
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "Join Acme Air" in page.content.decode()
    response = signup(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[ACME])
    user = get_user_model().objects.get(email="new.person@example.com")
    assert user.first_name == "Nia" and user.check_password(NEW_PASSWORD)
    assert membership_of(world, user).role == Role.MARKETER
    assert int(client.session["_auth_user_id"]) == user.pk
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200
    assert "Welcome to Acme Air." in dashboard.content.decode()
    assert Invitation.objects.get().status == "accepted"
    assert audit_actions(world) == ["team.invite", "team.join"]
    assert AuditEntry.objects.get(action="team.join").actor == user


def test_password_rules_apply_when_accepting(world, client_for, client):
    invite(client_for(world.admin))
    link = accept_link(OutboundEmail.objects.get())
    client.logout()
    response = signup(client, link, password1="password123", password2="password123")
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    response = signup(client, link, password2="something-else-entirely")
    assert "The two passwords differ" in response.content.decode()
    assert not get_user_model().objects.filter(email="new.person@example.com").exists()
    assert Invitation.objects.get().status == "pending"


def test_signed_in_user_accepts_with_one_click(world, client_for):
    person = make_user("colleague@example.com")
    invite(client_for(world.admin), "colleague@example.com", "viewer")
    client = client_for(person)
    page = client.get(path_of(accept_link(OutboundEmail.objects.get())))
    assert "Join as colleague@example.com" in page.content.decode()
    response = client.post(path_of(accept_link(OutboundEmail.objects.get())))
    assert response["Location"] == reverse("dashboard", args=[ACME])
    assert membership_of(world, person).role == Role.VIEWER


def test_invitation_for_someone_else_is_refused_when_signed_in(world, client_for):
    invite(client_for(world.admin), "colleague@example.com", "admin")
    client = client_for(world.outsider)
    response = client.post(path_of(accept_link(OutboundEmail.objects.get())), follow=True)
    assert "This invitation is for colleague@example.com" in response.content.decode()
    assert not Membership.objects.filter(workspace=world.workspace, user=world.outsider).exists()
    assert Invitation.objects.get().status == "pending"


def test_invitation_for_an_existing_account_needs_that_accounts_password(world, client_for, client):
    person = make_user("colleague@example.com")
    invite(client_for(world.admin), "colleague@example.com", "viewer")
    link = accept_link(OutboundEmail.objects.get())
    client.logout()
    signup(client, link, password1="whatever-i-type-here", password2="whatever-i-type-here")
    assert client.session.get("_auth_user_id") != str(person.pk)
    assert not Membership.objects.filter(workspace=world.workspace, user=person).exists()
    response = client.get(link)
    assert response.status_code == 302 and response.url.startswith("/login/")
    client.force_login(person)
    client.post(link)
    assert Membership.objects.filter(workspace=world.workspace, user=person, role="viewer").exists()


def _expire(invitation, world, client_for):
    invitation.expires_at = clock.now() - timedelta(minutes=1)
    invitation.save()


def _revoke_by_reinviting(invitation, world, client_for):
    invite(client_for(world.admin), invitation.email, "viewer")


def _accept(invitation, world, client_for):
    signup(Client(), reverse("accept-invitation", args=[invitation.token]))


@pytest.mark.parametrize("spoil,status", [(_expire, "expired"), (_revoke_by_reinviting, "revoked"),
                                          (_accept, "accepted")], ids=["expired", "revoked", "accepted"])
def test_unusable_invitations_are_refused(world, client_for, client, spoil, status):
    invite(client_for(world.admin))
    invitation = Invitation.objects.get()
    spoil(invitation, world, client_for)
    invitation.refresh_from_db()
    assert invitation.status == status
    users_before = get_user_model().objects.count()
    members_before = sorted(Membership.objects.values_list("pk", "role"))
    client.logout()
    url = reverse("accept-invitation", args=[invitation.token])
    for response in (client.get(url), signup(client, url)):
        assert response.status_code == 410
        content = response.content.decode()
        assert "This invitation cannot be used" in content and f"It is {status}." in content
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users_before
    assert sorted(Membership.objects.values_list("pk", "role")) == members_before


def test_unknown_invitation_link_is_a_clear_404(client):
    response = client.get(reverse("accept-invitation", args=["no-such-token"]))
    assert response.status_code == 404
    assert "The link is not valid." in response.content.decode()


def test_admin_cannot_invite_an_owner_but_an_owner_can(world, client_for):
    response = invite(client_for(world.admin), role="owner")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists() and not OutboundEmail.objects.exists()
    assert "team.invite" not in audit_actions(world)
    invite(client_for(world.owner), role="owner")
    assert Invitation.objects.get().role == Role.OWNER


def test_inviting_an_existing_member_is_refused(world, client_for):
    response = invite(client_for(world.admin), "VIEWER@acme.test", "admin")
    assert "viewer@acme.test already belongs to Acme Air." in response.content.decode()
    assert not Invitation.objects.exists() and not OutboundEmail.objects.exists()


def change(client, world, user, **data):
    return client.post(reverse("change-member", args=[ACME, membership_of(world, user).pk]), data, follow=True)


def test_last_owner_cannot_be_demoted_or_removed(world, client_for):
    client = client_for(world.owner)
    response = change(client, world, world.owner, role="admin")
    assert "A workspace keeps at least one owner; make someone else owner first." in response.content.decode()
    response = change(client, world, world.owner, remove="1")
    assert "A workspace keeps at least one owner." in response.content.decode()
    assert membership_of(world, world.owner).role == Role.OWNER
    assert audit_actions(world) == []


def test_admin_cannot_demote_or_remove_an_owner(world, client_for):
    client = client_for(world.admin)
    for data in ({"role": "viewer"}, {"remove": "1"}):
        response = change(client, world, world.owner, **data)
        assert "Your role cannot" in response.content.decode()
    response = change(client, world, world.viewer, role="owner")
    assert "Your role cannot make that change." in response.content.decode()
    assert membership_of(world, world.owner).role == Role.OWNER
    assert membership_of(world, world.viewer).role == Role.VIEWER
    assert audit_actions(world) == []


def test_with_a_second_owner_the_first_can_step_down(world, client_for):
    client = client_for(world.owner)
    change(client, world, world.admin, role="owner")
    response = change(client, world, world.owner, role="admin")
    assert "owner@acme.test is now admin." in response.content.decode()
    assert membership_of(world, world.owner).role == Role.ADMIN
    assert audit_actions(world) == ["team.role", "team.role"]
    assert "owner@acme.test: owner → admin" in AuditEntry.objects.order_by("pk").last().summary


def test_admin_changes_and_removes_members_with_audit(world, client_for):
    client = client_for(world.admin)
    response = change(client, world, world.viewer, role="marketer")
    assert "viewer@acme.test is now marketer." in response.content.decode()
    assert membership_of(world, world.viewer).role == Role.MARKETER
    response = change(client, world, world.operator, remove="1")
    assert "Removed operator@acme.test." in response.content.decode()
    assert not Membership.objects.filter(workspace=world.workspace, user=world.operator).exists()
    assert audit_actions(world) == ["team.role", "team.remove"]
    assert all(entry.actor == world.admin for entry in AuditEntry.objects.all())
    assert client_for(world.operator).get(reverse("dashboard", args=[ACME])).status_code == 404


def test_full_journey_is_audited_step_by_step(world, client_for, client):
    invite(client_for(world.owner), "pat@example.com", "viewer")
    worker.run_once("test-worker")
    link = accept_link(OutboundEmail.objects.get())
    client.logout()
    signup(client, link)
    pat = get_user_model().objects.get(email="pat@example.com")
    owner_client = client_for(world.owner)
    change(owner_client, world, pat, role="marketer")
    change(owner_client, world, pat, remove="1")
    assert audit_actions(world) == ["team.invite", "team.join", "team.role", "team.remove"]
    log = owner_client.get(reverse("audit-log", args=[ACME]), {"action": "team"}).content.decode()
    for text in ("Invited pat@example.com as viewer", "pat@example.com joined as viewer",
                 "pat@example.com: viewer → marketer", "Removed pat@example.com"):
        assert text in log
