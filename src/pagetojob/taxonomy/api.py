from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Query, Router, Schema

from pagetojob.accounts.api import member_workspace
from pagetojob.taxonomy.families import BY_KEY

router = Router(tags=["taxonomy"])


class TaxonomyItemOut(Schema):
    id: int
    st_id: int | None
    name: str
    active: bool
    source: str
    last_seen_at: datetime | None


class TaxonomyPage(Schema):
    family: str
    count: int
    items: list[TaxonomyItemOut]


@router.get("/workspaces/{key}/taxonomy/{family}", response=TaxonomyPage)
def list_family(request, key: str, family: str, active: bool | None = None,
                limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    workspace = member_workspace(request, key)
    if family not in BY_KEY:
        raise Http404(f"Unknown taxonomy family {family!r}; use one of {', '.join(BY_KEY)}.")
    items = BY_KEY[family].model._default_manager.filter(workspace=workspace).order_by("name", "pk")
    if active is not None:
        items = items.filter(active=active)
    return {"family": family, "count": items.count(), "items": list(items[offset:offset + limit])}
