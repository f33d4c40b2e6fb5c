"""A CSV of page URLs and titles: header variants, encodings, delimiters, plain URL lists and bad files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pagetojob.sites.discovery import DiscoveryError
from pagetojob.sites.pages_csv import parse_pages_csv


@pytest.mark.parametrize("header", ["url,title", "URL,Title", "loc,title", "Page,Page Title", "Address,Title 1",
                                    "page_url,meta_title"])
def test_header_names_are_recognised(header):
    entries = parse_pages_csv(f"{header}\nhttps://acme.test/ac-repair,AC Repair\n".encode())
    assert [(e.url, e.title, e.origin) for e in entries] == [("https://acme.test/ac-repair", "AC Repair", "row 2")]


def test_columns_in_any_order_with_extra_columns_and_bom():
    data = "\ufeffStatus Code,Title,Indexability,Address\n200,Furnace Repair,Indexable,https://acme.test/furnace\n"
    entries = parse_pages_csv(data.encode("utf-8"))
    assert [(e.url, e.title) for e in entries] == [("https://acme.test/furnace", "Furnace Repair")]


def test_semicolon_and_tab_delimiters_quoted_commas_and_windows_1252():
    data = 'url;title\n/ac-repair;"AC Repair, Same Day"\n/caf\xe9;Caf\xe9 Plumbing\n'.encode("cp1252")
    assert [(e.url, e.title) for e in parse_pages_csv(data)] == [("/ac-repair", "AC Repair, Same Day"),
                                                                ("/café", "Café Plumbing")]
    tabbed = parse_pages_csv(b"url\ttitle\n/drains\tDrain Cleaning\n")
    assert tabbed[0].title == "Drain Cleaning"


def test_a_plain_list_of_urls_needs_no_header_and_blank_lines_are_ignored():
    entries = parse_pages_csv(b"https://acme.test/\n\nhttps://acme.test/ac-repair\r\n")
    assert [(e.url, e.origin) for e in entries] == [("https://acme.test/", "row 1"),
                                                    ("https://acme.test/ac-repair", "row 3")]


def test_utf16_excel_export():
    entries = parse_pages_csv("url\ttitle\n/heat-pumps\tHeat Pumps\n".encode("utf-16"))
    assert entries[0].url == "/heat-pumps"


def test_rows_without_a_url_are_kept_for_the_importer_to_report():
    entries = parse_pages_csv(b"url,title\n,Orphan title\n/ok,OK\n")
    assert [(e.url, e.title) for e in entries] == [("", "Orphan title"), ("/ok", "OK")]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "is empty"),
    (b"url,title\n", "no rows"),
    (b"name,price\nAC Diagnostic,89\n", "has no URL column (found: name, price)"),
    (b"PK\x03\x04\x00\x00binary", "not a text file"),
    (b"\x1f\x8b\x08\x00\x00\x00", "not a text file"),
    (b'<?xml version="1.0"?><urlset></urlset>', "import it as a sitemap"),
    (b"url,title\n\"/unterminated,\x81\x8d\n", "neither UTF-8 nor Windows-1252"),
])
def test_bad_files_say_what_is_wrong(data, expected):
    with pytest.raises(DiscoveryError) as caught:
        parse_pages_csv(data, name="pages.csv")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("pages.csv")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_ever_raise_discovery_error(data):
    try:
        parse_pages_csv(data)
    except DiscoveryError:
        pass
