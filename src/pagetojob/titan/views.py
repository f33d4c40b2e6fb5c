"""Settings › ServiceTitan connection: connect, test, disconnect. Owners and admins act; others may look."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, WorkspaceRequest, can, workspace_view
from pagetojob.core import vault
from pagetojob.titan import connection as titan_connection
from pagetojob.titan.forms import ConnectionForm
from pagetojob.titan.models import Environment


def _require_manage(request: WorkspaceRequest) -> None:
    if not can(request.membership, Can.MANAGE_CONNECTION):
        raise PermissionDenied(f"Your role ({request.membership.get_role_display()}) cannot "
                               f"{Can.MANAGE_CONNECTION.value}.")


@workspace_view(Can.VIEW)
def connection_page(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    can_manage = can(request.membership, Can.MANAGE_CONNECTION)
    keys_problem = vault.problem()
    connection = titan_connection.connection_of(workspace)
    if request.GET.get("environment") == "sandbox" and settings.SANDBOX_URL:
        environment = Environment.SANDBOX
    elif connection is not None and (connection.environment != Environment.SANDBOX or settings.SANDBOX_URL):
        environment = Environment(connection.environment)
    else:
        environment = Environment.INTEGRATION
    form = ConnectionForm(request.POST or None, initial={"environment": environment})
    if request.method == "POST":
        _require_manage(request)
        if keys_problem:
            messages.error(request, keys_problem)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                titan_connection.connect(
                    workspace, request.user, environment=data["environment"], tenant_id=data["tenant_id"],
                    app_key=data["app_key"], client_id=data["client_id"], client_secret=data["client_secret"],
                    base_url=data["base_url"])
            except titan_connection.ConnectionRefused as refused:
                for name, message in refused.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                if not data.get("test_now"):
                    messages.success(request, "Credentials stored encrypted. Test the connection to start using them.")
                    return redirect("titan-connection", workspace.key)
                result = titan_connection.test_connection(workspace, request.user)
                if result.ok:
                    messages.success(request, "Credentials stored encrypted. " + result.message)
                else:
                    messages.error(request, "Credentials stored encrypted, but the test failed: "
                                   + result.message.removeprefix("Test failed: "))
                return redirect("titan-connection", workspace.key)
    return render(request, "titan/connection.html", {
        "nav_section": "titan", "connection": connection, "form": form, "can_manage": can_manage,
        "keys_problem": keys_problem, "sandbox_url": settings.SANDBOX_URL,
        "open_form": connection is None or not connection.is_connected or form.is_bound
        or request.GET.get("environment") == "sandbox",
        "credentials_ok": connection is not None and titan_connection.usable(connection),
    })


@require_POST
@workspace_view(Can.MANAGE_CONNECTION)
def test_view(request: WorkspaceRequest) -> HttpResponse:
    try:
        result = titan_connection.test_connection(request.workspace, request.user)
    except titan_connection.NotConnected as error:
        messages.error(request, str(error))
    else:
        (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("titan-connection", request.workspace.key)


@require_POST
@workspace_view(Can.MANAGE_CONNECTION)
def disconnect_view(request: WorkspaceRequest) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the disconnection: nothing was changed.")
        return redirect("titan-connection", request.workspace.key)
    connection = titan_connection.disconnect(request.workspace, request.user)
    if connection is None:
        messages.error(request, "ServiceTitan was not connected.")
    else:
        messages.success(request, "ServiceTitan is disconnected and the stored credentials are deleted. Sync jobs "
                                  "wait until it is connected again; the website form keeps taking requests.")
    return redirect("titan-connection", request.workspace.key)
