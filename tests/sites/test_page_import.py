"""Importing pages: new pages get draft bindings, re-imports update and mark missing, nothing is duplicated."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.sites import discovery
from pagetojob.sites.discovery import DiscoveryError, PageEntry, import_pages, set_page_kind
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind, Site

pytestmark = pytest.mark.django_db


def entries(*urls, titles=None):
    titles = titles or {}
    return [PageEntry(url, titles.get(url, ""), "sitemap.xml") for url in urls]


def run(world, *urls, titles=None, source="sitemap file sitemap.xml", site=None):
    return import_pages(world.workspace, site or world.page.site, entries(*urls, titles=titles), world.marketer,
                        source)


def test_new_pages_get_a_draft_binding_in_the_same_workspace_and_a_guessed_kind(world):
    result = run(world, "https://acme.test/", "https://acme.test/service-areas/mesa",
                 "https://acme.test/lp/summer-ac", titles={"https://acme.test/": "Acme Air"})
    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "missing": 1, "skipped": 0}
    pages = {p.path: p for p in Page.objects.filter(site=world.page.site)}
    assert pages["/"].kind == PageKind.HOME and pages["/"].title == "Acme Air"
    assert pages["/service-areas/mesa"].kind == PageKind.LOCATION
    assert pages["/lp/summer-ac"].kind == PageKind.CAMPAIGN
    for path in result.created:
        page = pages[path]
        assert page.binding.status == BindingStatus.DRAFT and page.binding.workspace_id == world.workspace.pk
        assert page.kind_source == "auto" and page.discovered_from == "sitemap file sitemap.xml"
        assert page.last_seen_in_sitemap_at is not None and page.missing_since is None
    assert Binding.objects.filter(page__site=world.page.site).count() == 4


def test_re_import_updates_marks_missing_and_never_duplicates(world, now):
    first = run(world, "https://acme.test/ac-repair", "https://acme.test/drains")
    assert first.counts()["created"] == 1 and first.counts()["unchanged"] == 1
    second = run(world, "https://acme.test/ac-repair/", "https://www.acme.test/ac-repair?utm_source=x#top",
                 "http://acme.test/drains/", titles={"http://acme.test/drains/": "Drain Cleaning in Phoenix"})
    assert second.counts() == {"created": 0, "updated": 1, "unchanged": 1, "missing": 0, "skipped": 1}
    assert second.skipped[0].reason.startswith("the same page as https://acme.test/ac-repair/")
    assert Page.objects.filter(site=world.page.site).count() == 2
    drains = Page.objects.get(site=world.page.site, path="/drains")
    assert drains.title == "Drain Cleaning in Phoenix"

    third = run(world, "https://acme.test/drains")
    assert third.missing == ["/ac-repair"]
    missing_since = Page.objects.get(pk=world.page.pk).missing_since
    assert missing_since is not None
    assert Page.objects.get(pk=drains.pk).title == "Drain Cleaning in Phoenix"  # a sitemap without titles keeps them

    fourth = run(world, "https://acme.test/drains")
    assert Page.objects.get(pk=world.page.pk).missing_since == missing_since  # first noticed, not last
    assert fourth.counts()["missing"] == 1

    back = run(world, "https://acme.test/drains", "https://acme.test/ac-repair")
    assert back.updated == ["/ac-repair"] and back.counts()["missing"] == 0
    assert Page.objects.get(pk=world.page.pk).missing_since is None
    assert Page.objects.filter(site=world.page.site).count() == 2


def test_only_automatically_classified_pages_are_reclassified(world):
    run(world, "https://acme.test/spring-deal")
    page = Page.objects.get(site=world.page.site, path="/spring-deal")
    assert page.kind == PageKind.OFFER
    run(world, "https://acme.test/spring-deal", "https://acme.test/ac-repair",
        titles={"https://acme.test/ac-repair": "AC Repair Coupons"})
    assert Page.objects.get(pk=world.page.pk).kind == PageKind.SERVICE  # the URL decides before the title

    assert set_page_kind(page, world.marketer, PageKind.CAMPAIGN)
    result = run(world, "https://acme.test/spring-deal", "https://acme.test/ac-repair",
                 titles={"https://acme.test/spring-deal": "Spring Deal: $59 Tune-Up"})
    page.refresh_from_db()
    assert (page.kind, page.kind_source, page.title) == (PageKind.CAMPAIGN, "user", "Spring Deal: $59 Tune-Up")
    assert result.updated == ["/spring-deal"]

    assert set_page_kind(page, world.marketer, "auto")
    page.refresh_from_db()
    assert (page.kind, page.kind_source) == (PageKind.OFFER, "auto")
    assert not set_page_kind(page, world.marketer, "auto")
    with pytest.raises(DiscoveryError, match="not a page kind"):
        set_page_kind(page, world.marketer, "landing")
    kinds = AuditEntry.objects.filter(workspace=world.workspace, action="page.kind")
    assert kinds.count() == 2 and "from campaign to offer" in kinds.first().summary


def test_a_workspace_zone_city_makes_a_location_page(world):
    from pagetojob.taxonomy.models import Zone

    Zone.objects.create(workspace=world.workspace, st_id=402, name="West Valley", cities=["Litchfield Heights"])
    run(world, "https://acme.test/ac-repair-litchfield-heights")
    assert Page.objects.get(path="/ac-repair-litchfield-heights").kind == PageKind.LOCATION


def test_urls_from_other_hosts_and_bad_rows_are_skipped_with_reasons(world):
    result = import_pages(world.workspace, world.page.site, [
        PageEntry("https://acme.test/ok", "OK", "row 2"),
        PageEntry("https://rival.test/drains", "", "row 3"),
        PageEntry("", "Orphan", "row 4"),
        PageEntry("mailto:office@acme.test", "", "row 5"),
        PageEntry("https://acme.test/" + "x" * 600, "", "row 6"),
        PageEntry("ac-repair", "", "row 7"),
        PageEntry("acme.test/heating", "Heating", "row 8"),
        PageEntry("/cooling", "Cooling", "row 9"),
    ], world.marketer, "CSV file pages.csv")
    reasons = {s.url: s.reason for s in result.skipped}
    assert reasons["row 3: https://rival.test/drains"] == "on rival.test, not on this site (acme.test)"
    assert reasons["row 4"] == "no URL in this row"
    assert reasons["row 5: mailto:office@acme.test"] == "not a web address (mailto:)"
    assert "longer than 500" in reasons[f"row 6: https://acme.test/{'x' * 600}"]
    assert reasons["row 7: ac-repair"] == "not a URL or a path starting with /"
    assert sorted(result.created) == ["/cooling", "/heating", "/ok"]


def test_a_site_with_a_base_path_keeps_its_pages_relative_to_it(world):
    site = Site.objects.create(workspace=world.workspace, key="es", name="Acme ES", base_url="https://acme.test/es/")
    result = run(world, "https://acme.test/es/", "https://acme.test/es/reparacion-ac", "https://acme.test/other",
                 site=site)
    assert sorted(result.created) == ["/", "/reparacion-ac"]
    assert result.skipped[0].reason == "outside the site's base URL https://acme.test/es/"
    assert Page.objects.get(site=site, path="/reparacion-ac").url == "https://acme.test/es/reparacion-ac"


def test_an_import_with_no_page_of_the_site_changes_nothing(world):
    before = (Page.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DiscoveryError, match="None of the URLs belong to Acme"):
        run(world, "https://rival.test/a", "https://rival.test/b")
    assert (Page.objects.count(), AuditEntry.objects.count()) == before
    assert Page.objects.get(pk=world.page.pk).missing_since is None


def test_the_import_is_one_transaction(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Binding.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        run(world, "https://acme.test/new-page", "https://acme.test/ac-repair")
    assert not Page.objects.filter(path="/new-page").exists()
    assert not AuditEntry.objects.filter(action="pages.import").exists()


def test_one_audit_entry_summarises_the_import(world):
    result = run(world, "https://acme.test/ac-repair", "https://acme.test/furnace-repair", "https://rival.test/x")
    entry = AuditEntry.objects.get(action="pages.import")
    assert entry.pk == result.audit_id and entry.actor == world.marketer and entry.target_type == "Site"
    assert entry.summary == ("Imported the pages of Acme from sitemap file sitemap.xml: 1 new, 0 updated, "
                             "1 unchanged, 0 missing, 1 skipped")
    assert entry.details["counts"] == result.counts()
    assert entry.details["created"] == ["/furnace-repair"]
    assert entry.details["skipped"] == [{"url": "https://rival.test/x",
                                         "reason": "on rival.test, not on this site (acme.test)"}]


def test_other_workspaces_are_untouched_and_their_sites_refused(world):
    other_site = world.other_page.site
    run(world, "https://acme.test/new")
    assert Page.objects.get(pk=world.other_page.pk).missing_since is None
    with pytest.raises(DiscoveryError, match="another workspace"):
        import_pages(world.workspace, other_site, entries("https://rival.test/x"), world.marketer, "x")


def test_find_site_and_add_site(world):
    assert discovery.find_site(world.workspace, None) == world.page.site
    with pytest.raises(DiscoveryError, match="no site “nope”. Its sites: acme"):
        discovery.find_site(world.workspace, "nope")
    Site.objects.create(workspace=world.workspace, key="acme-2", name="Acme 2", base_url="https://two.acme.test")
    with pytest.raises(DiscoveryError, match="several sites"):
        discovery.find_site(world.workspace, None)
    site = discovery.add_site(world.workspace, "www.new-acme.test/some/page", world.owner)
    assert (site.key, site.base_url, site.name) == ("new-acme-test", "https://www.new-acme.test", "new-acme.test")
    with pytest.raises(DiscoveryError, match="not a website address"):
        discovery.add_site(world.workspace, "ftp://acme.test", world.owner)


def test_large_import_creates_every_page_with_its_binding(world, now):
    urls = [f"https://acme.test/ac-repair-{i}" for i in range(3000)]
    result = run(world, *urls)
    assert result.counts()["created"] == 3000
    assert Binding.objects.filter(page__site=world.page.site).count() == 3001
    again = run(world, *urls[:2000])
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2000, "missing": 1001, "skipped": 0}
    seen = Page.objects.filter(site=world.page.site, last_seen_in_sitemap_at__gte=now - timedelta(minutes=5))
    assert seen.count() == 3000
