from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pagetojob.accounts.access import Can, workspace_view
from pagetojob.taxonomy.families import BY_KEY, FAMILIES, MAP_FILTERS
from pagetojob.taxonomy.models import JobType, Zone, ZoneState


def family_counts(workspace) -> dict[str, int]:
    return {family.key: family.model._default_manager.filter(workspace=workspace).count() for family in FAMILIES}


@workspace_view(Can.VIEW)
def family_list(request: HttpRequest, family: str) -> HttpResponse:
    if family not in BY_KEY:
        raise Http404("No such taxonomy family")
    spec = BY_KEY[family]
    workspace = request.workspace
    items = spec.model._default_manager.filter(workspace=workspace)
    totals = items.aggregate(total=Count("pk"), n_active=Count("pk", filter=Q(active=True)),
                             n_inactive=Count("pk", filter=Q(active=False)))
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    zone_state = request.GET.get("zone_state", "")
    if q:
        condition = Q()
        for field in spec.search_fields:
            condition |= Q(**{f"{field}__icontains": q})
        if q.isdigit() and len(q) < 19:
            condition |= Q(st_id=int(q))
        items = items.filter(condition)
    if state == "active":
        items = items.filter(active=True)
    elif state == "inactive":
        items = items.filter(active=False)
    if spec.model is Zone and zone_state in ZoneState.values:
        items = items.filter(state=zone_state)
    if spec.model is JobType:
        items = items.prefetch_related("business_units")
    if hasattr(spec.model, "membership_type"):
        items = items.select_related("membership_type")
    items = items.annotate(binding_count=Count("bindings", distinct=True)) if hasattr(spec.model, "bindings") else items
    page = Paginator(items.order_by("-active", "name"), 50).get_page(request.GET.get("page"))
    zone_states = []
    if spec.model is Zone:
        zone_counts = dict(Zone.objects.filter(workspace=workspace).values_list("state").annotate(n=Count("pk")))
        zone_states = [(value, label, zone_counts.get(value, 0)) for value, label in ZoneState.choices]
    query = "&".join(f"{k}={v}" for k, v in (("q", q), ("state", state), ("zone_state", zone_state)) if v)
    return render(request, "taxonomy/family_list.html", {
        "nav_section": "taxonomy", "family": spec, "families": FAMILIES, "counts": family_counts(workspace),
        "page_obj": page, "totals": totals, "map_filter": MAP_FILTERS.get(spec.key, ""),
        "q": q, "state": state, "zone_state": zone_state, "zone_states": zone_states, "query": query,
    })
