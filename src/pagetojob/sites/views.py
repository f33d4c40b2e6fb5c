from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.core import clock
from pagetojob.sites import bindings, claims, coverage
from pagetojob.sites.forms import BindingForm
from pagetojob.sites.models import BindingStatus, CapacityRule, Page, PageKind
from pagetojob.sites.titan_map import GAP_CHOICES, OBJECT_FILTERS, MapFilters, export_rows, map_pages, with_rows
from pagetojob.taxonomy.models import JobType

PAGE_SIZE = 50
OBJECT_MODELS = {
    "job_type": "taxonomy.JobType", "business_unit": "taxonomy.BusinessUnit", "campaign": "taxonomy.Campaign",
    "zone": "taxonomy.Zone", "pricebook_service": "taxonomy.PricebookService",
    "membership_type": "taxonomy.MembershipType",
}


def _object_label(workspace, filters: MapFilters) -> str:
    from django.apps import apps

    if not (filters.object_field and filters.object_id):
        return ""
    model = apps.get_model(OBJECT_MODELS[filters.object_field])
    item = model._default_manager.filter(workspace=workspace, pk=filters.object_id).first()
    return f"{filters.object_field.replace('_', ' ')}: {item.name}" if item else ""


@workspace_view(Can.VIEW)
def titan_map(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    filters = MapFilters.from_params(request.GET)
    summary = coverage.summarize(workspace)
    pages = map_pages(workspace, filters)
    page_obj = Paginator(with_rows(pages), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(page, coverage.page_gaps(page)) for page in page_obj.object_list]
    return render(request, "sites/titan_map.html", {
        "nav_section": "map", "summary": summary, "page_obj": page_obj, "rows": rows, "filters": filters,
        "query": filters.as_query(), "all_statuses_query": filters.as_query(status=""),
        "kinds": PageKind.choices, "statuses": BindingStatus.choices,
        "gap_choices": GAP_CHOICES, "object_label": _object_label(workspace, filters),
        "can_edit": can(request.membership, Can.EDIT_MAP), "can_approve": can(request.membership, Can.APPROVE_MAP),
        "sorts": [("path", "Path"), ("kind", "Kind"), ("status", "Status"), ("job_type", "Job type"),
                  ("business_unit", "Business unit"), ("-updated", "Recently changed")],
    })


@workspace_view(Can.VIEW)
def export_map(request: HttpRequest) -> StreamingHttpResponse:
    workspace = request.workspace
    filters = MapFilters.from_params(request.GET)
    response = StreamingHttpResponse(export_rows(workspace, filters), content_type="text/csv; charset=utf-8")
    name = f"titan-map-{slugify(workspace.key)}-{clock.now():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@workspace_view(Can.APPROVE_MAP)
def bulk_approve(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    ids = [int(value) for value in request.POST.getlist("page") if value.isdigit()]
    back = request.POST.get("back", "")
    if not ids:
        messages.warning(request, "Select the pages to approve first.")
    else:
        result = bindings.approve(workspace, request.user, ids)
        if result.approved:
            count = len(result.approved)
            messages.success(request, f"Approved {count} binding{'s' if count != 1 else ''}.")
        if result.skipped:
            listed = "; ".join(f"{path} ({reason})" for path, reason in result.skipped[:8])
            more = f" and {len(result.skipped) - 8} more" if len(result.skipped) > 8 else ""
            messages.warning(request, f"Not approved: {listed}{more}.")
    url = redirect("titan-map", workspace.key).url
    return redirect(f"{url}?{back}" if back else url)


@workspace_view(Can.VIEW)
def binding_detail(request: HttpRequest, page_id: int) -> HttpResponse:
    workspace = request.workspace
    page = get_object_or_404(with_rows(Page.objects.filter(workspace=workspace)), pk=page_id)
    binding = page.binding
    editable = can(request.membership, Can.EDIT_MAP)
    form = BindingForm(request.POST or None, binding=binding, initial={
        "business_unit": binding.business_unit_id, "job_type": binding.job_type_id,
        "campaign": binding.campaign_id, "zones": list(binding.zones.values_list("pk", flat=True)),
        "pricebook_services": list(binding.pricebook_services.values_list("pk", flat=True)),
        "membership_type": binding.membership_type_id, "booking_provider": binding.booking_provider_id,
        "booking_path": binding.booking_path, "scheduler_id": binding.scheduler_id,
        "cta_mode": binding.cta_mode, "notes": binding.notes,
    })
    if request.method == "POST":
        if not editable:
            messages.error(request, "Your role can view bindings but not change them.")
            return redirect("binding", workspace.key, page.pk)
        action = request.POST.get("action", "save")
        if action in ("draft", "suggested", "retired"):
            bindings.set_status(binding, request.user, action)
            messages.success(request, f"{page.path} is now {BindingStatus(action).label}.")
            return redirect("binding", workspace.key, page.pk)
        if action == "approve" and not can(request.membership, Can.APPROVE_MAP):
            messages.error(request, "Your role cannot approve bindings.")
            return redirect("binding", workspace.key, page.pk)
        # Validate the raw choices ourselves: the form's querysets already hide what may not be bound.
        change = bindings.BindingChange({
            "business_unit": request.POST.get("business_unit") or None,
            "job_type": request.POST.get("job_type") or None,
            "campaign": request.POST.get("campaign") or None,
            "zones": request.POST.getlist("zones"),
            "pricebook_services": request.POST.getlist("pricebook_services"),
            "membership_type": request.POST.get("membership_type") or None,
            "booking_provider": request.POST.get("booking_provider") or None,
            "booking_path": request.POST.get("booking_path", binding.booking_path),
            "scheduler_id": request.POST.get("scheduler_id", ""),
            "cta_mode": request.POST.get("cta_mode", binding.cta_mode),
            "notes": request.POST.get("notes", ""),
        })
        try:
            diff = bindings.update_binding(binding, request.user, change)
        except bindings.BindingError as error:
            for field, message in error.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            if action == "approve":
                result = bindings.approve(workspace, request.user, [page.pk])
                if result.approved:
                    messages.success(request, f"Saved and approved the binding of {page.path}.")
                else:
                    reason = result.skipped[0][1] if result.skipped else "unknown reason"
                    messages.warning(request, f"Saved, but not approved: {reason}.")
            else:
                messages.success(request, f"Saved {len(diff)} change{'s' if len(diff) != 1 else ''} to {page.path}."
                                 if diff else "Nothing changed.")
            return redirect("binding", workspace.key, page.pk)
    history = workspace.audit_entries.filter(target_type="Binding", target_id=str(binding.pk))[:20]
    bound = [binding.job_type, binding.business_unit, binding.campaign, binding.membership_type,
             binding.booking_provider, *binding.zones.all(), *binding.pricebook_services.all()]
    inactive_bound = [f"{item._meta.verbose_name} “{item.name}”" for item in bound
                      if item is not None and not item.active]
    return render(request, "sites/binding.html", {
        "nav_section": "map", "page": page, "binding": binding, "form": form, "gaps": coverage.page_gaps(page),
        "editable": editable, "can_approve": can(request.membership, Can.APPROVE_MAP), "history": history,
        "inactive_bound": inactive_bound, "page_kinds": PageKind.choices,
        "required": [coverage.FIELD_LABELS[f] for f in coverage.REQUIRED.get(page.kind, ())],
        "promise_choices": list(claims.PROMISES.items()),
    }, status=400 if form.errors else 200)


@require_POST
@workspace_view(Can.EDIT_MAP)
def page_claims(request: HttpRequest, page_id: int) -> HttpResponse:
    """What the page claims (place, price, offer, promises, UTM campaign): the facts drift reviews check."""
    workspace = request.workspace
    page = get_object_or_404(Page.objects.filter(workspace=workspace), pk=page_id)
    raw = {name: request.POST.get(name, "") for name in claims.FIELDS if name != "promises"}
    raw["promises"] = request.POST.getlist("promises")
    try:
        diff = claims.update(page, request.user, claims.parse(raw))
    except claims.ClaimsError as error:
        messages.error(request, f"Nothing saved for {page.path}. {error}.")
    else:
        messages.success(request, f"Saved what {page.path} claims; the next drift review checks it."
                         if diff else "Nothing changed.")
    return redirect("binding", workspace.key, page.pk)


@workspace_view(Can.VIEW)
def job_type_options(request: HttpRequest, page_id: int) -> HttpResponse:
    """htmx: the job types allowed in the chosen business unit, as <option>s."""
    workspace = request.workspace
    page = get_object_or_404(Page.objects.filter(workspace=workspace).select_related("binding"), pk=page_id)
    unit = request.GET.get("business_unit", "")
    job_types = JobType.objects.filter(workspace=workspace, active=True)
    if unit.isdigit():
        job_types = job_types.filter(business_units=int(unit), business_units__workspace=workspace)
    current = request.GET.get("job_type") or page.binding.job_type_id
    return render(request, "sites/job_type_options.html", {
        "job_types": job_types.distinct().order_by("name"), "current": str(current or ""),
    })


@workspace_view(Can.VIEW)
def capacity_rules(request: HttpRequest) -> HttpResponse:
    rules = CapacityRule.objects.filter(workspace=request.workspace).select_related("business_unit", "job_type", "zone")
    weekday_names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return render(request, "sites/capacity_rules.html",
                  {"nav_section": "capacity", "rules": rules, "weekday_names": weekday_names})


OBJECT_FILTER_KEYS = list(OBJECT_FILTERS)
