"""What a page claims — set in the binding editor or by a page CSV — is validated, stored and audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from pagetojob.accounts.models import AuditEntry
from pagetojob.sites import claims, discovery
from pagetojob.sites.models import Page
from pagetojob.sites.pages_csv import parse_pages_csv

pytestmark = pytest.mark.django_db


def test_parse_reads_forgiving_text_and_says_what_to_fix():
    values = claims.parse({"city": " Mesa,  AZ ", "zips": "85201, 85202 85201", "advertised_price": "$1,089",
                           "offer_expires_on": "2027-05-31", "promises": "Same-day; 24/7", "utm_campaign": " Spring "})
    assert values == {"city": "Mesa, AZ", "zips": ["85201", "85202"], "advertised_price": Decimal("1089.00"),
                      "offer_expires_on": date(2027, 5, 31), "promises": ["same_day", "24_7"],
                      "utm_campaign": "Spring"}
    with pytest.raises(claims.ClaimsError) as error:
        claims.parse({"zips": "8520, 85201", "advertised_price": "about 90", "offer_expires_on": "31/05/2027",
                      "promises": "fast"})
    assert set(error.value.errors) == {"zips", "advertised_price", "offer_expires_on", "promises"}
    assert "8520 is not a five-digit ZIP code" in str(error.value)
    assert "write it as YYYY-MM-DD" in str(error.value)


def test_editor_saves_the_claims_and_audits_them(world, client_for):
    url = reverse("page-claims", args=["acme-air", world.page.pk])
    response = client_for(world.marketer).post(url, {
        "city": "Phoenix", "zips": "85004", "advertised_price": "89", "offer_text": "$89 diagnostic",
        "offer_expires_on": "2027-01-31", "promises": ["same_day", "emergency"], "utm_campaign": "Summer AC Demand",
    }, follow=True)
    assert "Saved what /ac-repair claims" in response.content.decode()
    page = Page.objects.get(pk=world.page.pk)
    assert (page.city, page.zips, page.advertised_price, page.promises) == (
        "Phoenix", ["85004"], Decimal("89.00"), ["same_day", "emergency"])
    entry = AuditEntry.objects.get(action="page.claims")
    assert entry.actor == world.marketer and entry.details["Advertised price"] == {"before": None, "after": "89.00"}


def test_editor_refuses_bad_input_and_viewers(world, client_for):
    url = reverse("page-claims", args=["acme-air", world.page.pk])
    response = client_for(world.marketer).post(url, {"zips": "85OO4"}, follow=True)
    assert "Nothing saved for /ac-repair. ZIPs: 85OO4 is not a five-digit ZIP code" in response.content.decode()
    assert client_for(world.viewer).post(url, {"city": "Mesa"}).status_code == 403
    assert Page.objects.get(pk=world.page.pk).city == ""


def test_page_csv_claim_columns_are_imported_and_bad_cells_reported(world):
    data = (b"url,title,city,zips,advertised price,offer,offer ends,promises,utm campaign\n"
            b"https://acme.test/ac-repair,AC Repair,Phoenix,85004,89,$89 AC check,2027-01-31,24/7,Summer AC Demand\n"
            b"https://acme.test/mesa,Mesa,Mesa,85201,,,,same-day,\n"
            b"https://acme.test/tempe,Tempe,Tempe,852O1,,,,,\n")
    entries = parse_pages_csv(data, "pages.csv")
    result = discovery.import_pages(world.workspace, world.page.site, entries, world.owner, "pages.csv")
    existing = Page.objects.get(pk=world.page.pk)
    assert (existing.city, existing.promises, existing.utm_campaign) == ("Phoenix", ["24_7"], "Summer AC Demand")
    assert result.claims_updated == 1
    mesa = Page.objects.get(workspace=world.workspace, path="/mesa")
    assert (mesa.zips, mesa.promises) == (["85201"], ["same_day"])
    tempe = Page.objects.get(workspace=world.workspace, path="/tempe")  # imported, without its claims
    assert tempe.zips == []
    assert any("not what it claims" in s.reason and "852O1" in s.reason for s in result.skipped)


def test_a_csv_without_claim_columns_leaves_claims_alone(world):
    Page.objects.filter(pk=world.page.pk).update(city="Phoenix")
    entries = parse_pages_csv(b"url,title\nhttps://acme.test/ac-repair,AC Repair\n", "pages.csv")
    discovery.import_pages(world.workspace, world.page.site, entries, world.owner, "pages.csv")
    assert Page.objects.get(pk=world.page.pk).city == "Phoenix"
