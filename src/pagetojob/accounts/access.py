"""Who may do what in which workspace. Every workspace view resolves its workspace through here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from pagetojob.accounts.models import Membership, Role, Workspace


class WorkspaceRequest(HttpRequest):
    """What `workspace_view` adds to a request (for type checkers in the views)."""

    workspace: Workspace
    membership: Membership


class Can(StrEnum):
    VIEW = "view"
    EDIT_MAP = "edit the Titan Map"
    APPROVE_MAP = "approve bindings"
    MANAGE_READINESS = "change readiness answers and feature flags"
    MANAGE_TEAM = "invite and manage people"
    OPERATE = "work the sync queue"
    IMPORT = "import ServiceTitan exports"
    MANAGE_INTAKE = "change the website form settings"
    REVIEW_DRIFT = "run drift reviews and acknowledge or suppress findings"
    MANAGE_CONNECTION = "connect, test or disconnect ServiceTitan"


ROLE_PERMISSIONS: dict[str, frozenset[Can]] = {
    Role.OWNER: frozenset(Can),
    Role.ADMIN: frozenset(Can),
    Role.MARKETER: frozenset({Can.VIEW, Can.EDIT_MAP, Can.APPROVE_MAP, Can.IMPORT, Can.REVIEW_DRIFT}),
    Role.OPERATOR: frozenset({Can.VIEW, Can.OPERATE}),
    Role.VIEWER: frozenset({Can.VIEW}),
}

INVITABLE_ROLES = {
    Role.OWNER: [Role.OWNER, Role.ADMIN, Role.MARKETER, Role.OPERATOR, Role.VIEWER],
    Role.ADMIN: [Role.ADMIN, Role.MARKETER, Role.OPERATOR, Role.VIEWER],
}


def can(membership: Membership | None, permission: Can) -> bool:
    return membership is not None and permission in ROLE_PERMISSIONS.get(membership.role, frozenset())


def membership_for(user: Any, workspace_key: str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__key=workspace_key)
        .first()
    )


def workspace_view(permission: Can = Can.VIEW) -> Callable:
    """Resolve `key` into request.workspace; outsiders get 404 (no hint the workspace exists)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, key: str, *args: Any, **kwargs: Any):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, key)
            if membership is None:
                raise Http404("No such workspace")
            if not can(membership, permission):
                raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot {permission.value}.")
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            request.session["workspace_key"] = key
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def workspaces_of(user: Any) -> list[Workspace]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [m.workspace for m in Membership.objects.select_related("workspace").filter(user=user)]
