"""Sitemap files: urlset, sitemap index, gzip, the 50,000 URL limit, and every bad file a user can give us."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagetojob.sites.discovery import DiscoveryError
from pagetojob.sites.sitemaps import parse_sitemap, read_sitemap_bytes

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*urls: str, extra: str = "") -> bytes:
    body = "".join(f"<url><loc>{url}</loc><lastmod>2024-05-01</lastmod></url>" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}{extra}>{body}</urlset>'.encode()


def error_of(data: bytes, **kwargs) -> str:
    with pytest.raises(DiscoveryError) as caught:
        parse_sitemap(data, **kwargs)
    return str(caught.value)


def test_urlset_lists_every_page_url():
    sitemap = parse_sitemap(urlset("https://acme.test/", "https://acme.test/ac-repair", "https://acme.test/lp/x"))
    assert sitemap.root == "urlset"
    assert [e.url for e in sitemap.entries] == ["https://acme.test/", "https://acme.test/ac-repair",
                                                "https://acme.test/lp/x"]
    assert sitemap.sitemaps == []


def test_image_and_alternate_links_are_not_pages_and_whitespace_is_trimmed():
    data = (f'<urlset {NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml"><url>\n  <loc>\n https://acme.test/ac-repair \n</loc>'
            '<xhtml:link rel="alternate" hreflang="es" href="https://acme.test/es/ac-repair"/>'
            '<image:image><image:loc>https://acme.test/van.jpg</image:loc></image:image></url></urlset>').encode()
    assert [e.url for e in parse_sitemap(data).entries] == ["https://acme.test/ac-repair"]


def test_sitemap_without_namespace_and_with_bom_and_entities_in_text():
    data = b"\xef\xbb\xbf<urlset><url><loc>https://acme.test/a?x=1&amp;y=2</loc></url></urlset>"
    assert [e.url for e in parse_sitemap(data).entries] == ["https://acme.test/a?x=1&y=2"]


def test_sitemap_index_lists_nested_sitemaps():
    data = (f'<sitemapindex {NS}><sitemap><loc>https://acme.test/page-sitemap.xml</loc></sitemap>'
            '<sitemap><loc>https://acme.test/post-sitemap.xml.gz</loc></sitemap></sitemapindex>').encode()
    sitemap = parse_sitemap(data)
    assert sitemap.root == "sitemapindex" and sitemap.entries == []
    assert sitemap.sitemaps == ["https://acme.test/page-sitemap.xml", "https://acme.test/post-sitemap.xml.gz"]


def test_gzip_compressed_sitemap():
    assert len(parse_sitemap(gzip.compress(urlset("https://acme.test/a", "https://acme.test/b"))).entries) == 2


def test_fifty_thousand_urls_are_read_and_one_more_is_refused():
    urls = [f"https://acme.test/p{i}" for i in range(50_000)]
    assert len(parse_sitemap(gzip.compress(urlset(*urls))).entries) == 50_000
    message = error_of(urlset(*urls, "https://acme.test/one-too-many"))
    assert "more than 50,000" in message and "sitemap index" in message


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "is empty"),
    (b"   \n\t ", "is empty"),
    (b"Just some text, not a sitemap", "is not valid XML"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is not valid XML"),
    (b"<urlset><url><loc>https://acme.test/</loc></url>", "is not valid XML"),
    (b"<!DOCTYPE html><html><body>Not found</body></html>", "is a web page (HTML)"),
    (b'<rss version="2.0"><channel></channel></rss>', "root element is <rss>"),
    (b"\x1f\x8b\x08\x00garbage-after-the-gzip-header", "cannot be decompressed"),
    (gzip.compress(b"") , "empty gzip file"),
    (gzip.compress(urlset("https://acme.test/a"))[:-12], "truncated gzip"),
])
def test_bad_files_say_what_is_wrong(data, expected):
    assert expected in error_of(data, name="upload.xml")


def test_billion_laughs_is_refused_before_any_expansion():
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    bomb += b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
                     for i in range(1, 10))
    bomb += b"]><urlset><url><loc>&lol9;</loc></url></urlset>"
    message = error_of(bomb)
    assert "DTD" in message and "Remove the DOCTYPE" in message


def test_external_entities_are_refused():
    data = (b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>&xxe;</loc></url></urlset>")
    assert "DTD" in error_of(data)
    assert "not valid XML" in error_of(b"<urlset><url><loc>&undefined;</loc></url></urlset>")


def test_gzip_bomb_stops_at_the_size_cap():
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert len(bomb) < 20_000
    assert "once decompressed" in error_of(bomb, max_bytes=1_000_000)


def test_oversized_plain_file_is_refused():
    assert "larger than" in error_of(urlset(*[f"https://acme.test/{i}" for i in range(100)]), max_bytes=1000)


def test_a_file_that_is_an_empty_urlset_lists_no_pages():
    with pytest.raises(DiscoveryError, match="lists no pages"):
        read_sitemap_bytes(f"<urlset {NS}></urlset>".encode(), name="sitemap.xml")


def test_an_index_file_with_a_non_web_sitemap_is_refused():
    data = f"<sitemapindex {NS}><sitemap><loc>file:///etc/passwd</loc></sitemap></sitemapindex>".encode()
    with pytest.raises(DiscoveryError, match="not an http:// or https:// address"):
        read_sitemap_bytes(data, name="index.xml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_ever_raise_discovery_error(data):
    try:
        parse_sitemap(data)
    except DiscoveryError:
        pass


XML_PIECES = st.sampled_from([
    "<urlset>", "</urlset>", "<sitemapindex>", "</sitemapindex>", "<url>", "</url>", "<loc>", "</loc>",
    "<sitemap>", "</sitemap>", "https://acme.test/a", "&amp;", "&bogus;", "<!DOCTYPE x>", "<!ENTITY e 'x'>",
    "<?xml version='1.0' encoding='latin-1'?>", "<?xml version='1.0' encoding='nope'?>", "]]>", "<![CDATA[",
    "\x00", "é", "<", ">", " xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(XML_PIECES, max_size=30), st.booleans())
def test_xml_like_garbage_only_ever_raises_discovery_error(pieces, compress):
    data = "".join(pieces).encode("utf-8", "surrogatepass")
    try:
        parse_sitemap(gzip.compress(data) if compress else data)
    except DiscoveryError:
        pass
