"""The hosted booking request form and the embed snippet: public pages that never wait on ServiceTitan."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from pagetojob.core import clock
from pagetojob.intake.api import public_site
from pagetojob.intake.models import CustomerType, IntakeSettings, TimeWindow, Urgency
from pagetojob.intake.submissions import find_page
from pagetojob.readiness.evaluate import flag_enabled, module_owned
from pagetojob.sites.capacity import Cta, choose_cta
from pagetojob.sites.models import CapacityRule, Page, Site
from pagetojob.taxonomy.models import JobType

EMBED_JS = Path(__file__).resolve().parent / "static" / "intake" / "embed.js"


def origin_of(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(site: Site, intake: IntakeSettings) -> list[str]:
    """Origins that may frame the form: the configured ones plus the site's own address."""
    origins = [origin_of(site.base_url)] + [origin_of(origin) for origin in intake.allowed_origins]
    return list(dict.fromkeys(origin for origin in origins if origin))


def service_options(site: Site, page: Page | None) -> list[str]:
    """The page's bound job type first, then the active job types allowed in its business unit."""
    binding = getattr(page, "binding", None) if page is not None else None
    job_types = JobType.objects.filter(workspace_id=site.workspace_id, active=True)
    if binding is not None and binding.business_unit_id:
        job_types = job_types.filter(business_units=binding.business_unit_id)
    names = []
    if binding is not None and binding.job_type is not None and binding.job_type.active:
        names.append(binding.job_type.name)
    names += [job_type.name for job_type in job_types.distinct().order_by("name")]
    return list(dict.fromkeys(names))


def page_cta(site: Site, page: Page | None, zone_state: str | None = None) -> Cta:
    """The call to action for a page now, and once the visitor's ZIP is known, for their zone."""
    workspace = site.workspace
    binding = getattr(page, "binding", None) if page is not None else None
    return choose_cta(binding, CapacityRule.objects.filter(workspace=workspace, active=True),
                      clock.now().astimezone(ZoneInfo(workspace.time_zone or "America/Phoenix")),
                      zone_state=zone_state, phone_first=flag_enabled(workspace, "phone_first_cta"),
                      # Without Scheduling Pro recorded, or with its embed switched off, the form stays the way in.
                      scheduler_disabled=(flag_enabled(workspace, "disable_scheduler_embed")
                                          or not module_owned(workspace, "scheduling_pro")),
                      phone=site.phone or workspace.phone)


@require_GET
@xframe_options_exempt
def hosted_form(request: HttpRequest, site_key: str, page_id: int | None = None) -> HttpResponse:
    site = public_site(site_key)
    workspace = site.workspace
    page_url = request.GET.get("page_url", "")[:2000]
    if page_id is not None:
        page = get_object_or_404(Page.objects.filter(site=site).select_related("binding"), pk=page_id)
        page_url = page_url or page.url
    else:
        page = find_page(site, page_url) if origin_of(page_url) else None
        page_url = page_url if origin_of(page_url) else ""
    intake = IntakeSettings.for_site(site)
    cta = page_cta(site, page)
    origins = allowed_origins(site, intake)
    host_origin = origin_of(request.GET.get("host", ""))
    config = {
        "apiUrl": reverse("api:intake-requests", args=[site.key]),
        "zonesUrl": reverse("api:intake-zone-check", args=[site.key]),
        "pageUrl": page_url, "pagePath": urlsplit(page_url).path if page_url else "",
        "allowedOrigins": origins, "hostOrigin": host_origin if host_origin in origins else "",
        "phone": cta.phone,
    }
    response = render(request, "intake/hosted_form.html", {
        "site": site, "workspace": workspace, "page": page, "cta": cta, "intake": intake, "config": config,
        "services": service_options(site, page), "urgencies": Urgency.choices, "windows": TimeWindow.choices,
        "customer_types": CustomerType.choices, "today": clock.now().date().isoformat(),
        "embedded": bool(host_origin),
    })
    response["Content-Security-Policy"] = "frame-ancestors " + " ".join(["'self'", *origins])
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def embed_js(request: HttpRequest) -> HttpResponse:
    """One script a contractor pastes anywhere; it finds its own origin from its src, so it is cache-safe."""
    response = HttpResponse(EMBED_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
