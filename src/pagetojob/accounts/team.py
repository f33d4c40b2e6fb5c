"""Invitations and role changes, each audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse

from pagetojob.accounts import audit, mail
from pagetojob.accounts.access import INVITABLE_ROLES
from pagetojob.accounts.models import Invitation, Membership, Role, Workspace
from pagetojob.core import clock


class TeamError(ValueError):
    pass


def invite(workspace: Workspace, actor: Any, inviter_role: str, email: str, role: str) -> Invitation:
    email = email.strip().lower()
    if role not in INVITABLE_ROLES.get(inviter_role, []):
        raise TeamError(f"A {Role(inviter_role).label.lower()} cannot invite a {Role(role).label.lower()}.")
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise TeamError(f"{email} already belongs to {workspace.name}.")
    with transaction.atomic():
        Invitation.objects.filter(workspace=workspace, email__iexact=email, accepted_at__isnull=True,
                                  revoked_at__isnull=True).update(revoked_at=clock.now())
        invitation = Invitation.objects.create(workspace=workspace, email=email, role=role, invited_by=actor)
        link = settings.PAGETOJOB_BASE_URL.rstrip("/") + reverse("accept-invitation", args=[invitation.token])
        inviter = actor.get_full_name() or actor.email
        mail.enqueue(
            "invitation", email, f"{inviter} invited you to {workspace.name} on PageToJob",
            f"{inviter} invited you to join {workspace.name} on PageToJob as {Role(role).label.lower()}.\n\n"
            f"Accept the invitation (the link expires in 14 days):\n{link}\n",
            workspace,
        )
        audit.record(workspace, actor, "team.invite", f"Invited {email} as {Role(role).label.lower()}",
                     target=invitation)
    return invitation


def accept(invitation: Invitation, user: Any | None, first_name: str = "", last_name: str = "",
           password: str = "") -> Membership:
    if invitation.status != "pending":
        raise TeamError(f"This invitation is {invitation.status}; ask for a new one.")
    user_model = get_user_model()
    with transaction.atomic():
        if user is None and user_model._default_manager.filter(email__iexact=invitation.email).exists():
            # Holding the link is not proof of owning the account: its owner signs in to accept.
            raise TeamError(f"{invitation.email} already has an account: sign in with it to accept.")
        if user is None:
            validate_password(password)
            user = user_model._default_manager.create_user(
                username=invitation.email, email=invitation.email, password=password,
                first_name=first_name, last_name=last_name,
            )
        elif user.email.lower() != invitation.email.lower():
            raise TeamError(f"This invitation is for {invitation.email}; sign in as that address to accept it.")
        membership, _ = Membership.objects.get_or_create(
            user=user, workspace=invitation.workspace, defaults={"role": invitation.role}
        )
        invitation.accepted_at = clock.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(invitation.workspace, user, "team.join",
                     f"{invitation.email} joined as {Role(invitation.role).label.lower()}", target=membership)
    return membership


def change_role(workspace: Workspace, actor: Any, actor_role: str, membership: Membership, role: str) -> None:
    allowed = INVITABLE_ROLES.get(actor_role, [])
    if role not in allowed or membership.role not in allowed:
        raise TeamError("Your role cannot make that change.")
    if membership.role == Role.OWNER and role != Role.OWNER and _owners(workspace) <= 1:
        raise TeamError("A workspace keeps at least one owner; make someone else owner first.")
    before = membership.role
    if before == role:
        return
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(workspace, actor, "team.role",
                 f"{membership.user.email}: {Role(before).label.lower()} → {Role(role).label.lower()}",
                 target=membership)


def remove(workspace: Workspace, actor: Any, actor_role: str, membership: Membership) -> None:
    if membership.role not in INVITABLE_ROLES.get(actor_role, []):
        raise TeamError("Your role cannot remove that person.")
    if membership.role == Role.OWNER and _owners(workspace) <= 1:
        raise TeamError("A workspace keeps at least one owner.")
    email = membership.user.email
    membership.delete()
    audit.record(workspace, actor, "team.remove", f"Removed {email}")


def _owners(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()
