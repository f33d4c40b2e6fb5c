from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pagetojob.accounts import team
from pagetojob.accounts.access import INVITABLE_ROLES, Can, membership_for, workspace_view
from pagetojob.accounts.forms import AcceptInvitationForm, InvitationForm
from pagetojob.accounts.models import Invitation, Membership, Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    key = request.session.get("workspace_key")
    if key and membership_for(request.user, key):
        return redirect("dashboard", key)
    first = Membership.objects.select_related("workspace").filter(user=request.user).first()
    if first is None:
        return render(request, "accounts/no_workspace.html")
    return redirect("dashboard", first.workspace.key)


@login_required
def switch_workspace(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("key", "")
    if membership_for(request.user, key) is None:
        raise Http404("No such workspace")
    request.session["workspace_key"] = key
    return redirect("dashboard", key)


@workspace_view(Can.VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = request.workspace.audit_entries.select_related("actor")
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    groups = [("", "Everything"), ("binding", "Titan Map"), ("readiness", "Readiness"), ("team", "People")]
    return render(request, "accounts/audit_log.html", {
        "nav_section": "audit", "page_obj": page, "action": action, "groups": groups,
        "query": f"action={action}" if action else "",
    })


@workspace_view(Can.VIEW)
def team_page(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    membership = request.membership
    allowed = INVITABLE_ROLES.get(membership.role, [])
    form = InvitationForm(request.POST or None, allowed_roles=allowed)
    if request.method == "POST":
        if not allowed:
            messages.error(request, "Your role cannot invite people. Ask an owner or admin.")
            return redirect("team", workspace.key)
        if form.is_valid():
            try:
                team.invite(workspace, request.user, membership.role, form.cleaned_data["email"],
                            form.cleaned_data["role"])
            except team.TeamError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("team", workspace.key)
    members = workspace.memberships.select_related("user").order_by("user__email")
    invitations = workspace.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    return render(request, "accounts/team.html", {
        "nav_section": "team", "members": members, "invitations": invitations, "form": form,
        "can_manage": bool(allowed), "allowed_roles": [(r, Role(r).label) for r in allowed],
    })


@require_POST
@workspace_view(Can.MANAGE_TEAM)
def change_member(request: HttpRequest, member_id: int) -> HttpResponse:
    workspace = request.workspace
    member = get_object_or_404(workspace.memberships.select_related("user"), pk=member_id)
    try:
        if request.POST.get("remove"):
            team.remove(workspace, request.user, request.membership.role, member)
            messages.success(request, f"Removed {member.user.email}.")
        else:
            team.change_role(workspace, request.user, request.membership.role, member, request.POST.get("role", ""))
            messages.success(request, f"{member.user.email} is now {member.get_role_display().lower()}.")
    except (team.TeamError, ValueError) as error:
        messages.error(request, str(error))
    return redirect("team", workspace.key)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("workspace").filter(token=token).first()
    if invitation is None or invitation.status != "pending":
        return render(request, "accounts/invitation_invalid.html",
                      {"invitation": invitation}, status=410 if invitation else 404)
    existing = request.user if request.user.is_authenticated else None
    if existing is None and get_user_model()._default_manager.filter(email__iexact=invitation.email).exists():
        messages.info(request, f"{invitation.email} already has a PageToJob account: sign in to accept.")
        return redirect_to_login(request.get_full_path())
    form = AcceptInvitationForm(request.POST or None) if existing is None else None
    if request.method == "POST":
        if existing is not None or (form is not None and form.is_valid()):
            data = form.cleaned_data if form is not None else {}
            try:
                membership = team.accept(invitation, existing, data.get("first_name", ""),
                                         data.get("last_name", ""), data.get("password1", ""))
            except team.TeamError as error:
                messages.error(request, str(error))
            except Exception as error:  # password validation messages
                if form is None or not hasattr(error, "messages"):
                    raise
                form.add_error("password1", " ".join(error.messages))
            else:
                login(request, membership.user, backend="pagetojob.accounts.backends.EmailBackend")
                messages.success(request, f"Welcome to {invitation.workspace.name}.")
                return redirect("dashboard", invitation.workspace.key)
    return render(request, "accounts/accept_invitation.html", {"invitation": invitation, "form": form})
