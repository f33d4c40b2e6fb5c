from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from pagetojob.accounts.access import Can, can, membership_for
from pagetojob.accounts.models import Membership, Workspace

router = Router(tags=["workspaces"])


class WorkspaceOut(Schema):
    key: str
    name: str
    role: str


def member_workspace(request, key: str, permission: Can = Can.VIEW) -> Workspace:
    """The API's workspace check: outsiders get 404, members without the permission 403."""
    membership = membership_for(request.user, key)
    if membership is None:
        raise Http404("No such workspace")
    if not can(membership, permission):
        from ninja.errors import HttpError

        raise HttpError(403, f"Your role ({membership.get_role_display()}) cannot {permission.value}.")
    return membership.workspace


@router.get("/workspaces", response=list[WorkspaceOut])
def list_workspaces(request):
    return [
        WorkspaceOut(key=m.workspace.key, name=m.workspace.name, role=m.role)
        for m in Membership.objects.select_related("workspace").filter(user=request.user)
    ]
