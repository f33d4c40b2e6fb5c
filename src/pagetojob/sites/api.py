from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from pagetojob.accounts.access import Can
from pagetojob.accounts.api import member_workspace
from pagetojob.sites import bindings, coverage
from pagetojob.sites.models import Page
from pagetojob.sites.titan_map import MapFilters, map_pages, with_rows

router = Router(tags=["titan map"])


class BindingOut(Schema):
    status: str
    job_type: str | None
    business_unit: str | None
    campaign: str | None
    zones: list[str]
    pricebook_services: list[str]
    membership_type: str | None
    booking_path: str
    cta_mode: str


class PageOut(Schema):
    id: int
    path: str
    url: str
    title: str
    kind: str
    binding: BindingOut
    gaps: list[str]


class MapPage(Schema):
    count: int
    coverage_score: int
    pages: list[PageOut]


class ApproveIn(Schema):
    page_ids: list[int]


class ApproveOut(Schema):
    approved: list[str]
    skipped: list[dict]


def _page_out(page: Page) -> PageOut:
    b = page.binding
    return PageOut(
        id=page.pk, path=page.path, url=page.url, title=page.title, kind=page.kind,
        binding=BindingOut(
            status=b.status, job_type=b.job_type.name if b.job_type else None,
            business_unit=b.business_unit.name if b.business_unit else None,
            campaign=b.campaign.name if b.campaign else None, zones=[z.name for z in b.zones.all()],
            pricebook_services=[s.name for s in b.pricebook_services.all()],
            membership_type=b.membership_type.name if b.membership_type else None,
            booking_path=b.booking_path, cta_mode=b.cta_mode,
        ),
        gaps=[gap.key for gap in coverage.page_gaps(page)],
    )


@router.get("/workspaces/{key}/pages", response=MapPage)
def list_pages(request, key: str, kind: str = "", status: str = "", gap: str = "", q: str = "",
               sort: str = "path", limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)):
    workspace = member_workspace(request, key)
    filters = MapFilters.from_params({"kind": kind, "status": status, "gap": gap, "q": q, "sort": sort})
    pages = map_pages(workspace, filters)
    rows = list(with_rows(pages)[offset:offset + limit])
    return {"count": pages.count(), "coverage_score": coverage.summarize(workspace).score,
            "pages": [_page_out(page) for page in rows]}


@router.get("/workspaces/{key}/pages/{page_id}", response=PageOut)
def get_page(request, key: str, page_id: int):
    workspace = member_workspace(request, key)
    return _page_out(get_object_or_404(with_rows(Page.objects.filter(workspace=workspace)), pk=page_id))


@router.post("/workspaces/{key}/bindings/approve", response=ApproveOut)
def approve_bindings(request, key: str, body: ApproveIn):
    workspace = member_workspace(request, key, Can.APPROVE_MAP)
    result = bindings.approve(workspace, request.user, body.page_ids)
    return {"approved": result.approved, "skipped": [{"path": p, "reason": r} for p, r in result.skipped]}
