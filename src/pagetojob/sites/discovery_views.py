"""Import a site's pages (sitemap file, sitemap address, CSV), see what the import did, correct a page's kind."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.sites import discovery, pages_csv, sitemaps
from pagetojob.sites.discovery import DiscoveryError, PageEntry
from pagetojob.sites.discovery_forms import SOURCES, PageImportForm, PageKindForm
from pagetojob.sites.models import Page, PageKind

# A web request must finish well inside the web server's 60 s worker timeout; the CLI may take longer.
WEB_FETCH_LIMITS = sitemaps.FetchLimits(timeout=10.0, total_seconds=40.0)


def _read(form: PageImportForm) -> tuple[list[PageEntry], str]:
    """The entries of the chosen source, and how the import describes where they came from."""
    if form.source == "sitemap_url":
        address = form.cleaned_data["address"].strip()
        return sitemaps.read_sitemap_url(address, WEB_FETCH_LIMITS).entries, f"sitemap {address}"
    upload = form.cleaned_data["upload"]
    data = upload.read()
    if form.source == "csv":
        return pages_csv.parse_pages_csv(data, name=upload.name), f"CSV file {upload.name}"
    return sitemaps.read_sitemap_bytes(data, name=upload.name).entries, f"sitemap file {upload.name}"


@workspace_view(Can.EDIT_MAP)
def import_pages(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    forms = {source: PageImportForm(workspace=workspace, source=source) for source in SOURCES}
    active = request.GET.get("source", "")
    status = 200
    if request.method == "POST":
        active = request.POST.get("source", "")
        if active not in SOURCES:
            messages.error(request, "Choose a sitemap file, a sitemap address or a CSV to import.")
            return redirect("import-pages", workspace.key)
        form = forms[active] = PageImportForm(request.POST, request.FILES, workspace=workspace, source=active)
        if form.is_valid():
            input_field = "address" if active == "sitemap_url" else "upload"
            try:
                entries, described = _read(form)
                with transaction.atomic():
                    site = form.cleaned_data.get("site") or discovery.add_site(
                        workspace, form.cleaned_data["new_site"], request.user)
                    result = discovery.import_pages(workspace, site, entries, request.user, described)
            except DiscoveryError as error:
                form.add_error(input_field, str(error))
            else:
                messages.success(request, f"Imported the pages of {result.site.name}.")
                return redirect("import-pages-result", workspace.key, result.audit_id)
        status = 400
    recent = workspace.audit_entries.filter(action="pages.import")[:10]
    return render(request, "sites/import_pages.html", {
        "nav_section": "map", "forms": [(source, SOURCES[source], forms[source]) for source in SOURCES],
        "active": active, "recent": recent, "site_count": workspace.sites.count(),
    }, status=status)


@workspace_view(Can.VIEW)
def import_result(request: HttpRequest, entry_id: int) -> HttpResponse:
    workspace = request.workspace
    entry = get_object_or_404(workspace.audit_entries.filter(action="pages.import"), pk=entry_id)
    details = entry.details or {}
    site = workspace.sites.filter(key=details.get("site", "")).first()
    created = Page.objects.none()
    if site is not None:
        created = Page.objects.filter(workspace=workspace, site=site, path__in=details.get("created", []))
    counts = details.get("counts", {})
    return render(request, "sites/import_result.html", {
        "nav_section": "map", "entry": entry, "details": details, "site": site, "counts": counts,
        "created_pages": created.select_related("binding").order_by("path"),
        "more_created": counts.get("created", 0) - len(details.get("created", [])),
        "more_missing": counts.get("missing", 0) - len(details.get("missing", [])),
        "more_skipped": counts.get("skipped", 0) - len(details.get("skipped", [])),
        "kinds": PageKind.choices, "can_edit": can(request.membership, Can.EDIT_MAP),
    })


@require_POST
@workspace_view(Can.EDIT_MAP)
def set_page_kind(request: HttpRequest, page_id: int) -> HttpResponse:
    workspace = request.workspace
    page = get_object_or_404(Page.objects.filter(workspace=workspace), pk=page_id)
    form = PageKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Choose one of the page kinds for {page.path}.")
    elif discovery.set_page_kind(page, request.user, form.cleaned_data["kind"]):
        how = "automatic" if page.kind_source == discovery.AUTO else "kept on re-import"
        messages.success(request, f"{page.path} is now a {page.get_kind_display()} page ({how}).")
    else:
        messages.info(request, f"{page.path} was already a {page.get_kind_display()} page.")
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("binding", workspace.key, page.pk)
