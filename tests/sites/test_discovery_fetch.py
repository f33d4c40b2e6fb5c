"""Fetching sitemaps over real HTTP: indexes, nested and gzipped sitemaps, redirects, limits and failures."""

from __future__ import annotations

import socket

import pytest

from pagetojob.sites.discovery import DiscoveryError
from pagetojob.sites.sitemaps import FetchLimits, read_sitemap_bytes, read_sitemap_url
from tests.sites.sitemap_server import index, running_server


@pytest.fixture(scope="module")
def server():
    with running_server() as running:
        yield running


def paths(read) -> list[str]:
    return sorted(entry.url.removeprefix("https://acme.test") for entry in read.entries)


def error_of(url: str, **limits) -> str:
    with pytest.raises(DiscoveryError) as caught:
        read_sitemap_url(url, FetchLimits(**limits) if limits else None)
    return str(caught.value)


def test_sitemap_index_with_nested_and_gzipped_sitemaps(server):
    read = read_sitemap_url(server.url("/sitemap_index.xml"))
    assert paths(read) == ["/", "/ac-repair", "/blog/ac-tips", "/coupons", "/lp/summer-ac", "/service-areas/mesa"]
    assert read.sitemaps_read == [server.url(p) for p in
                                  ("/sitemap_index.xml", "/pages.xml", "/posts.xml.gz", "/more-index.xml",
                                   "/deep.xml")]
    assert read.entries[0].origin == server.url("/pages.xml")


def test_a_gzip_content_encoding_and_a_same_site_redirect_are_fine(server):
    assert paths(read_sitemap_url(server.url("/encoded.xml"))) == ["/drain-cleaning"]
    assert paths(read_sitemap_url(server.url("/to-pages"))) == ["/", "/ac-repair", "/service-areas/mesa"]


def test_an_uploaded_index_fetches_the_sitemaps_it_lists(server):
    read = read_sitemap_bytes(index(server.url("/pages.xml"), server.url("/deep.xml")), name="sitemap_index.xml")
    assert paths(read) == ["/", "/ac-repair", "/lp/summer-ac", "/service-areas/mesa"]


def test_404_says_what_to_check(server):
    message = error_of(server.url("/gone.xml"))
    assert message.startswith(f"{server.url('/gone.xml')} answered HTTP 404 Not Found. Check the address.")
    assert "/sitemap.xml" in message
    assert "HTTP 503" in error_of(server.url("/server-error.xml"))


def test_an_html_page_is_not_a_sitemap(server):
    message = error_of(server.url("/page.html"))
    assert "returned a web page (text/html), not a sitemap" in message


def test_other_non_xml_responses(server):
    assert "is not valid XML" in error_of(server.url("/json"))
    assert "is empty" in error_of(server.url("/empty.xml"))


def test_oversized_responses_are_cut_off(server):
    assert "is larger than 10,000 bytes" in error_of(server.url("/huge.xml"), max_bytes=10_000)
    assert "is larger than 10,000 bytes" in error_of(server.url("/huge-unannounced.xml"), max_bytes=10_000)


def test_redirects_to_other_schemes_are_not_followed(server):
    message = error_of(server.url("/to-ftp"))
    assert "redirects to “ftp://acme.test/sitemap.xml”, which is not an http:// or https:// address" in message
    assert "file:///etc/passwd" in error_of(server.url("/to-file"))
    assert "redirects more than 5 times" in error_of(server.url("/loop"))


def test_only_http_and_https_addresses_are_fetched(server):
    for address in ("ftp://acme.test/sitemap.xml", "file:///etc/passwd", "javascript:alert(1)", "acme.test",
                    "http://"):
        assert "is not an http:// or https:// address" in error_of(address)


def test_nested_sitemaps_must_be_web_addresses_and_readable(server):
    assert "lists the sitemap “ftp://acme.test/s.xml” is not an http" in error_of(server.url("/index-ftp.xml"))
    message = error_of(server.url("/index-404.xml"))
    assert f"lists {server.url('/gone.xml')}, which could not be read" in message and "HTTP 404" in message


def test_the_number_of_nested_sitemaps_is_capped(server):
    before = len(server.requests)
    message = error_of(server.url("/index-many.xml"))
    assert "lists 60 sitemaps, more than the 50 PageToJob reads in one import" in message
    assert len(server.requests) == before + 1
    assert "lists 3 sitemaps, more than the 2" in error_of(server.url("/sitemap_index.xml"), max_sitemaps=2)
    assert "lists more than 3 sitemaps" in error_of(server.url("/sitemap_index.xml"), max_sitemaps=3)


def test_connection_refused_says_what_to_do():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = error_of(f"http://127.0.0.1:{port}/sitemap.xml")
    assert message.startswith(f"Could not connect to 127.0.0.1:{port} (connection refused).")
    assert "upload the file" in message


def test_a_server_that_does_not_answer_in_time(server):
    assert "did not answer in time" in error_of(server.url("/slow.xml"), timeout=0.3)


def test_addresses_inside_the_servers_network_are_refused_by_default(settings):
    settings.PAGETOJOB_FETCH_PRIVATE_ADDRESSES = False
    from pagetojob.sites import sitemaps

    for url in ("http://127.0.0.1:9/sitemap.xml", "http://10.0.0.8/sitemap.xml", "http://[::1]/sitemap.xml",
                "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(DiscoveryError, match="inside this server's network"):
            sitemaps._check_public(url)


def test_the_overall_deadline_stops_before_another_request():
    from pagetojob.sites import sitemaps

    limits = FetchLimits(total_seconds=0.0)
    with pytest.raises(DiscoveryError, match="took longer than 0 s"):
        sitemaps.read_sitemap_url("http://127.0.0.1:9/sitemap.xml", limits)
