"""The "Website form" screen: the embed snippet, each page's hosted form, and the audited intake settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pagetojob.accounts import audit
from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.intake.forms import IntakeSettingsForm
from pagetojob.intake.models import IntakeSettings

AUDITED = ("notification_emails", "allowed_origins", "consent_sms_text", "consent_email_text")


@workspace_view(Can.VIEW)
def website_form(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    site = workspace.sites.order_by("pk").first()
    can_manage = can(request.membership, Can.MANAGE_INTAKE)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(f"Your role ({request.membership.get_role_display()}) cannot change the website form.")
    if site is None:
        return render(request, "intake/website_form.html", {"nav_section": "website-form", "site": None})
    intake = IntakeSettings.for_site(site)
    before = {name: getattr(intake, name) for name in AUDITED}
    form = IntakeSettingsForm(request.POST or None, instance=intake)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        changed = {name: {"from": before[name], "to": getattr(saved, name)} for name in AUDITED
                   if before[name] != getattr(saved, name)}
        if changed:
            audit.record(workspace, request.user, "intake.settings",
                         f"Changed the website form settings of {site.name}: {', '.join(changed)}",
                         target=saved, details=changed)
        messages.success(request, "Website form settings saved." if changed else "Nothing changed.")
        return redirect("website-form", workspace.key)
    base = settings.PAGETOJOB_BASE_URL.rstrip("/")
    snippet = f'<script src="{base}{reverse("embed-js")}" data-site="{site.key}" async></script>'
    pages = workspace.pages.filter(site=site).select_related("binding").order_by("path")
    return render(request, "intake/website_form.html", {
        "nav_section": "website-form", "site": site, "form": form, "snippet": snippet, "can_manage": can_manage,
        "site_form_url": base + reverse("hosted-form", args=[site.key]),
        "pages": [(page, base + reverse("hosted-form-page", args=[site.key, page.pk])) for page in pages],
    })
