"""The Titan Map list: filters, sort, pagination, bulk approve and CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind


def add_pages(world, count, kind=PageKind.SERVICE, status=BindingStatus.DRAFT, **binding):
    for i in range(count):
        page = Page.objects.create(workspace=world.workspace, site=world.page.site, path=f"/{kind}-{i:03d}",
                                   title=f"{kind} page {i}", kind=kind)
        Binding.objects.create(workspace=world.workspace, page=page, status=status, **binding)


@pytest.mark.django_db
def test_filters_by_kind_status_gap_and_search(world, client_for):
    add_pages(world, 3, PageKind.LOCATION)
    add_pages(world, 2, PageKind.SERVICE, BindingStatus.APPROVED, job_type=world.ac_repair,
              business_unit=world.hvac)
    client = client_for(world.viewer)
    api = lambda **params: client.get("/api/v1/workspaces/acme-air/pages", params).json()  # noqa: E731
    assert api(kind="location")["count"] == 3
    assert api(status="approved")["count"] == 2
    assert api(gap="none")["count"] == 2
    assert api(gap="missing_zones")["count"] == 3
    assert [p["path"] for p in api(q="ac-rep")["pages"]] == ["/ac-repair"]
    html = client.get("/w/acme-air/map/", {"kind": "location"}).content.decode()
    assert "/location-000" in html and "/service-000" not in html


@pytest.mark.django_db
def test_sort_and_pagination(world, client_for):
    add_pages(world, 120)
    client = client_for(world.viewer)
    first = client.get("/w/acme-air/map/", {"sort": "-path"}).content.decode()
    assert "/service-119" in first and "1–50 of 121" in first
    third = client.get("/w/acme-air/map/", {"sort": "-path", "page": 3}).content.decode()
    assert "101–121 of 121" in third and "/ac-repair" in third


@pytest.mark.django_db
def test_bulk_approve_from_the_list(world, client_for):
    add_pages(world, 2, PageKind.SERVICE, BindingStatus.SUGGESTED, job_type=world.ac_repair,
              business_unit=world.hvac)
    ids = list(Page.objects.filter(path__startswith="/service-").values_list("pk", flat=True))
    client = client_for(world.marketer)
    response = client.post("/w/acme-air/map/approve/", {"page": [*ids, world.page.pk]}, follow=True)
    text = response.content.decode()
    assert "Approved 2 bindings." in text
    assert "Not approved: /ac-repair (no job type; no business unit)" in text
    assert Binding.objects.filter(page_id__in=ids, status=BindingStatus.APPROVED).count() == 2


@pytest.mark.django_db
def test_csv_export_has_every_page_with_its_binding(world, client_for):
    add_pages(world, 3, PageKind.SERVICE, BindingStatus.APPROVED, job_type=world.ac_repair,
              business_unit=world.hvac)
    response = client_for(world.viewer).get("/w/acme-air/map/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4
    row = next(r for r in rows if r["path"] == "/service-000")
    assert row["job_type"] == "AC Repair" and row["job_type_st_id"] == "201"
    assert row["business_unit"] == "HVAC Service" and row["status"] == "approved" and row["gaps"] == ""
    assert next(r for r in rows if r["path"] == "/ac-repair")["gaps"].startswith("Binding not approved")
    assert "/drains" not in b"".join(client_for(world.viewer).get("/w/acme-air/map/export.csv")
                                     .streaming_content).decode()
