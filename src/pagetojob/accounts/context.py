from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pagetojob.accounts.access import Can, can
from pagetojob.accounts.models import Membership


def workspace_nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "nav_memberships": Membership.objects.select_related("workspace").filter(user=user),
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        "perms_ws": {permission.name: can(membership, permission) for permission in Can},
    }
