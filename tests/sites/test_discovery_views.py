"""The Import pages screen, its result page and the page-kind endpoint, through the Django test client."""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pagetojob.accounts.models import AuditEntry, Workspace
from pagetojob.sites.models import Binding, Page, PageKind, Site
from tests.sites.sitemap_server import running_server, urlset

pytestmark = pytest.mark.django_db
IMPORT = "/w/acme-air/map/import/"


def upload(source: str, name: str, data: bytes, **extra) -> dict:
    return {"source": source, f"{source}-upload": SimpleUploadedFile(name, data), **extra}


def test_outsiders_get_404_everywhere(world, client_for):
    client = client_for(world.outsider)
    assert client.get(IMPORT).status_code == 404
    assert client.post(IMPORT, upload("sitemap_file", "s.xml", urlset("/x"))).status_code == 404
    assert client.post(f"/w/acme-air/map/{world.page.pk}/kind/", {"kind": "offer"}).status_code == 404
    entry = AuditEntry.objects.create(workspace=world.workspace, action="pages.import", summary="x",
                                      created_at=world.page.created_at, details={"site": "acme"})
    assert client.get(f"{IMPORT}{entry.pk}/").status_code == 404
    # A page or an import result of another workspace is not reachable through one's own workspace either.
    own = client_for(world.marketer)
    assert own.post(f"/w/acme-air/map/{world.other_page.pk}/kind/", {"kind": "offer"}).status_code == 404
    theirs = AuditEntry.objects.create(workspace=world.other, action="pages.import", summary="x",
                                       created_at=world.page.created_at, details={})
    assert own.get(f"{IMPORT}{theirs.pk}/").status_code == 404
    assert Page.objects.get(pk=world.other_page.pk).kind == PageKind.SERVICE


def test_viewers_and_operators_cannot_import_or_change_kinds(world, client_for):
    for user in (world.viewer, world.operator):
        client = client_for(user)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, upload("sitemap_file", "s.xml", urlset("/x"))).status_code == 403
        assert client.post(f"/w/acme-air/map/{world.page.pk}/kind/", {"kind": "offer"}).status_code == 403
    assert not Page.objects.filter(path="/x").exists()
    assert Page.objects.get(pk=world.page.pk).kind == PageKind.SERVICE
    html = client_for(world.viewer).get("/w/acme-air/map/").content.decode()
    assert "Import pages" not in html
    assert "Import pages" in client_for(world.marketer).get("/w/acme-air/map/").content.decode()


def test_sitemap_upload_end_to_end(world, client_for):
    client = client_for(world.marketer)
    page = client.get(IMPORT)
    text = page.content.decode()
    assert page.status_code == 200
    for label in ('for="id_sitemap_file-upload"', 'for="id_sitemap_url-address"', 'for="id_csv-upload"'):
        assert label in text
    assert "No imports yet" in text

    data = gzip.compress(urlset("/", "/ac-repair/", "/service-areas/mesa", "/coupons", host="https://www.acme.test")
                         .replace(b"</urlset>", b"<url><loc>https://rival.test/x</loc></url></urlset>"))
    response = client.post(IMPORT, upload("sitemap_file", "sitemap.xml.gz", data, **{"sitemap_file-site":
                                                                                        world.page.site.pk}))
    assert response.status_code == 302
    result = client.get(response["Location"])
    html = result.content.decode()
    assert result.status_code == 200
    assert "Imported the pages of Acme." in html
    assert re.search(r"New</div><div class=\"value\">3<", html)
    assert re.search(r"Skipped</div><div class=\"value\">1<", html)
    assert "https://rival.test/x" in html and "not on this site" in html
    assert "From sitemap file sitemap.xml.gz" in html
    created = Page.objects.filter(site=world.page.site).exclude(pk=world.page.pk)
    assert sorted(p.path for p in created) == ["/", "/coupons", "/service-areas/mesa"]
    assert Binding.objects.filter(page__in=created, workspace=world.workspace, status="draft").count() == 3

    coupons = created.get(path="/coupons")
    assert coupons.kind == PageKind.OFFER
    changed = client.post(f"/w/acme-air/map/{coupons.pk}/kind/", {"kind": "campaign",
                                                                  "next": response["Location"] + "#created"})
    assert changed.status_code == 302 and changed["Location"] == response["Location"] + "#created"
    coupons.refresh_from_db()
    assert (coupons.kind, coupons.kind_source) == (PageKind.CAMPAIGN, "user")
    assert "/coupons is now a campaign page (kept on re-import)." in client.get(changed["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="page.kind", target_id=str(coupons.pk)).exists()

    again = client.post(IMPORT, upload("sitemap_file", "sitemap.xml", urlset("/coupons", host="https://acme.test")))
    assert again.status_code == 302
    coupons.refresh_from_db()
    assert coupons.kind == PageKind.CAMPAIGN
    assert "Missing</div><div class=\"value\">3<" in client.get(again["Location"]).content.decode()
    assert "sitemap file sitemap.xml" in client.get(IMPORT).content.decode()


def test_an_unsafe_next_address_is_ignored(world, client_for):
    response = client_for(world.marketer).post(f"/w/acme-air/map/{world.page.pk}/kind/",
                                               {"kind": "location", "next": "https://evil.test/"})
    assert response["Location"] == f"/w/acme-air/map/{world.page.pk}/"
    bad = client_for(world.marketer).post(f"/w/acme-air/map/{world.page.pk}/kind/", {"kind": "landing"})
    assert bad.status_code == 302
    assert Page.objects.get(pk=world.page.pk).kind == PageKind.LOCATION


def test_a_bad_file_shows_the_error_and_changes_nothing(world, client_for):
    client = client_for(world.marketer)
    before = Page.objects.count()
    response = client.post(IMPORT, upload("sitemap_file", "export.xlsx", b"PK\x03\x04 not a sitemap"))
    text = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in text and "export.xlsx is not valid XML" in text
    assert Page.objects.count() == before and not AuditEntry.objects.filter(action="pages.import").exists()
    empty = client.post(IMPORT, {"source": "sitemap_file"})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    csv_error = client.post(IMPORT, upload("csv", "pages.csv", b"name,price\nAC,89\n"))
    assert "pages.csv has no URL column (found: name, price)" in csv_error.content.decode()


def test_csv_upload_with_titles(world, client_for):
    client = client_for(world.marketer)
    data = ("\ufeffURL,Title\nhttps://acme.test/ac-repair,AC Repair Experts\n"
            "https://acme.test/comfort-club,Comfort Club\n")
    response = client.post(IMPORT, upload("csv", "pages.csv", data.encode()))
    assert response.status_code == 302
    assert Page.objects.get(pk=world.page.pk).title == "AC Repair Experts"
    assert Page.objects.get(path="/comfort-club").kind == PageKind.MEMBERSHIP


def test_sitemap_address_import(world, client_for):
    client = client_for(world.marketer)
    with running_server() as server:
        index = server.url("/sitemap_index.xml")
        response = client.post(IMPORT, {"source": "sitemap_url", "sitemap_url-address": index})
        assert response.status_code == 302
        failed = client.post(IMPORT, {"source": "sitemap_url", "sitemap_url-address": server.url("/page.html")})
    assert failed.status_code == 400 and "not a sitemap" in failed.content.decode()
    assert Page.objects.filter(site=world.page.site).count() == 6
    ftp = client.post(IMPORT, {"source": "sitemap_url", "sitemap_url-address": "ftp://acme.test/sitemap.xml"})
    assert "is not an http:// or https:// address" in ftp.content.decode()


def test_the_site_must_be_chosen_among_several_and_belong_to_the_workspace(world, client_for):
    second = Site.objects.create(workspace=world.workspace, key="acme-plumbing", name="Acme Plumbing",
                                 base_url="https://plumbing.acme.test")
    client = client_for(world.marketer)
    assert '<select name="sitemap_file-site"' in client.get(IMPORT).content.decode()
    foreign = client.post(IMPORT, upload("sitemap_file", "s.xml", urlset("/drains", host="https://rival.test"),
                                         **{"sitemap_file-site": world.other_page.site.pk}))
    assert foreign.status_code == 400 and "Select a valid choice" in foreign.content.decode()
    ok = client.post(IMPORT, upload("sitemap_file", "s.xml", urlset("/drains", host="https://plumbing.acme.test"),
                                    **{"sitemap_file-site": second.pk}))
    assert ok.status_code == 302 and Page.objects.filter(site=second, path="/drains").exists()
    assert Page.objects.get(pk=world.page.pk).missing_since is None


def test_a_workspace_without_a_site_adds_it_with_the_first_import(client_for, world):
    fresh = Workspace.objects.create(key="fresh-air", name="Fresh Air")
    fresh.memberships.create(user=world.marketer, role="marketer")
    client = client_for(world.marketer)
    text = client.get("/w/fresh-air/map/import/").content.decode()
    assert "This workspace has no site yet" in text and 'for="id_csv-new_site"' in text
    bad = client.post("/w/fresh-air/map/import/", upload("csv", "p.csv", b"url\n/a\n", **{"csv-new_site": "nope"}))
    assert bad.status_code == 400 and "is not a website address" in bad.content.decode()
    nothing = client.post("/w/fresh-air/map/import/", upload("csv", "p.csv", b"url\nhttps://other.test/a\n",
                                                             **{"csv-new_site": "fresh-air.test"}))
    assert nothing.status_code == 400 and not fresh.sites.exists()
    ok = client.post("/w/fresh-air/map/import/", upload("csv", "p.csv", b"url\n/a\n/ac-repair\n",
                                                        **{"csv-new_site": "https://www.fresh-air.test/"}))
    assert ok.status_code == 302
    site = fresh.sites.get()
    assert site.base_url == "https://www.fresh-air.test"
    assert sorted(site.pages.values_list("path", flat=True)) == ["/a", "/ac-repair"]
