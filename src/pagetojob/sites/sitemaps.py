"""Read sitemaps (urlset, sitemap index, gzip) from bytes or from the web, safely.

The XML parser refuses DTDs and entity declarations outright, so a crafted file cannot expand
("billion laughs") or reach for external files. Fetching only speaks http(s), with timeouts and size caps.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

import httpx

from pagetojob.sites.discovery import DiscoveryError, PageEntry

GZIP_MAGIC = b"\x1f\x8b"
MAX_URLS_PER_SITEMAP = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
USER_AGENT = "PageToJob-sitemap-reader/1.0"
WHERE_TO_LOOK = "Most sites publish it at /sitemap.xml or /sitemap_index.xml (robots.txt names it)."


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = MAX_SITEMAP_BYTES
    max_total_bytes: int = 200 * 1024 * 1024
    max_sitemaps: int = 50
    max_pages: int = 100_000
    max_redirects: int = 5
    max_depth: int = 3
    timeout: float = 15.0
    total_seconds: float = 180.0


@dataclass
class Sitemap:
    root: str
    entries: list[PageEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


@dataclass
class SitemapRead:
    entries: list[PageEntry]
    sitemaps_read: list[str]


class _Refused(Exception):
    pass


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise DiscoveryError(f"{name} looks gzip-compressed but cannot be decompressed ({error}). Download it "
                             "again, or use the uncompressed sitemap.xml.") from error
    if len(out) > max_bytes:
        raise DiscoveryError(f"{name} is larger than {_megabytes(max_bytes)} once decompressed, more than a "
                             "sitemap may hold. Split it into several sitemaps listed in a sitemap index.")
    if not inflater.eof:
        raise DiscoveryError(f"{name} is a truncated gzip file (it ends before its compressed data does). "
                             "Download it again.")
    return out


class _Handler:
    def __init__(self, name: str) -> None:
        self.name = name
        self.stack: list[str] = []
        self.text: list[str] | None = None
        self.sitemap: Sitemap | None = None

    def start(self, tag: str, attrs: object) -> None:
        local = tag.rpartition(" ")[2]
        if not self.stack:
            if local not in ("urlset", "sitemapindex"):
                raise DiscoveryError(f"{self.name} is XML but not a sitemap: its root element is <{local}>, not "
                                     f"<urlset> or <sitemapindex>. {WHERE_TO_LOOK}")
            self.sitemap = Sitemap(root=local)
        self.stack.append(local)
        parent = "url" if self.stack[0] == "urlset" else "sitemap"
        if local == "loc" and len(self.stack) == 3 and self.stack[1] == parent:
            self.text = []

    def end(self, tag: str) -> None:
        self.stack.pop()
        if self.text is None or self.sitemap is None:
            return
        loc, self.text = "".join(self.text).strip(), None
        if self.sitemap.root == "urlset":
            self.sitemap.entries.append(PageEntry(loc, origin=self.name))
            count = len(self.sitemap.entries)
        else:
            if loc:
                self.sitemap.sitemaps.append(loc)
            count = len(self.sitemap.sitemaps)
        if count > MAX_URLS_PER_SITEMAP:
            raise DiscoveryError(f"{self.name} lists more than {MAX_URLS_PER_SITEMAP:,} entries, the most one "
                                 "sitemap may hold. Split it into several sitemaps listed in a sitemap index.")

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def _refuse(*_: Any) -> Any:
    raise _Refused


def parse_sitemap(data: bytes, name: str = "The file", max_bytes: int = MAX_SITEMAP_BYTES) -> Sitemap:
    """The page URLs (urlset) or the nested sitemap URLs (sitemap index) in one sitemap document."""
    if not data.strip():
        raise DiscoveryError(f"{name} is empty. Export the sitemap again, or check its address.")
    for _ in range(2):
        if data[:2] != GZIP_MAGIC:
            break
        data = _gunzip(data, name, max_bytes)
        if not data.strip():
            raise DiscoveryError(f"{name} is an empty gzip file. Export the sitemap again.")
    if len(data) > max_bytes:
        raise DiscoveryError(f"{name} is larger than {_megabytes(max_bytes)}, more than a sitemap may hold. "
                             "Split it into several sitemaps listed in a sitemap index.")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise DiscoveryError(f"{name} is a web page (HTML), not a sitemap. {WHERE_TO_LOOK}")
    handler = _Handler(name)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    try:
        parser.Parse(data, True)
    except _Refused:
        raise DiscoveryError(f"{name} declares a DTD or entities (<!DOCTYPE …>). Sitemaps never need one and "
                             "PageToJob refuses them, so a crafted file cannot expand without limit. Remove the "
                             "DOCTYPE declaration or export the sitemap again.") from None
    except (expat.ExpatError, ValueError, LookupError, UnicodeError) as error:
        raise DiscoveryError(f"{name} is not valid XML ({error}). Use the sitemap itself (sitemap.xml or "
                             "sitemap.xml.gz), or import a CSV of URLs instead.") from None
    except RecursionError:
        raise DiscoveryError(f"{name} is nested too deeply to be a sitemap.") from None
    if handler.sitemap is None:
        raise DiscoveryError(f"{name} is not valid XML (no root element). {WHERE_TO_LOOK}")
    return handler.sitemap


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _check_redirect(url: str, target: str) -> None:
    if not _is_web_address(target):
        raise DiscoveryError(f"{url} redirects to “{target}”, which is not an http:// or https:// address, so "
                             "PageToJob does not follow it. Enter the sitemap's final web address, or upload the "
                             "file.")


def check_address(url: str, context: str = "") -> None:
    """Only http(s) addresses with a host are fetched."""
    if not _is_web_address(url):
        raise DiscoveryError(f"{context}“{url}” is not an http:// or https:// address; PageToJob only fetches "
                             "web addresses. Enter the sitemap's full address, e.g. https://www.example.com/"
                             "sitemap.xml, or upload the file.")


def _check_public(url: str) -> None:
    """Refuse addresses inside the server's own network unless PAGETOJOB_FETCH_PRIVATE_ADDRESSES allows them."""
    from django.conf import settings

    if getattr(settings, "PAGETOJOB_FETCH_PRIVATE_ADDRESSES", False):
        return
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return  # the request itself reports the unknown host
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise DiscoveryError(f"{host} is an address inside this server's network, which PageToJob does not "
                                 "fetch. Enter the sitemap's public web address, or upload the file.")


class _Fetcher:
    def __init__(self, client: httpx.Client, limits: FetchLimits) -> None:
        self.client = client
        self.limits = limits
        self.total = 0
        self.deadline = time.monotonic() + limits.total_seconds

    def get(self, url: str) -> bytes:
        current = url
        for _ in range(self.limits.max_redirects + 1):
            if current != url:
                _check_redirect(url, current)
            _check_public(current)
            if time.monotonic() > self.deadline:
                raise DiscoveryError(f"Reading {url} and the sitemaps it lists took longer than "
                                     f"{self.limits.total_seconds:.0f} s. Download the sitemap and upload the file, "
                                     "or import it with `pagetojob import sitemap`, which may take longer.")
            try:
                with self.client.stream("GET", current) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    return self._body(url, response)
            except httpx.TimeoutException as error:
                raise DiscoveryError(f"{url} did not answer in time ({type(error).__name__}). Try again later, "
                                     "or download the sitemap and upload the file.") from None
            except httpx.ConnectError as error:
                raise DiscoveryError(f"Could not connect to {urlsplit(current).netloc} ({_reason(error)}). Check "
                                     "the address, or download the sitemap and upload the file.") from None
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                raise DiscoveryError(f"Could not read {url} ({error}). Check the address, or download the "
                                     "sitemap and upload the file.") from None
        raise DiscoveryError(f"{url} redirects more than {self.limits.max_redirects} times. Use the final "
                             "address of the sitemap.")

    def _body(self, url: str, response: httpx.Response) -> bytes:
        if response.status_code >= 400:
            raise DiscoveryError(f"{url} answered HTTP {response.status_code} {response.reason_phrase}. Check "
                                 f"the address. {WHERE_TO_LOOK}")
        cap = min(self.limits.max_bytes, self.limits.max_total_bytes - self.total)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise self._too_large(url, cap)
        body = bytearray()
        for chunk in response.iter_raw() if _is_gzip_body(response) else response.iter_bytes():
            body += chunk
            if len(body) > cap:
                raise self._too_large(url, cap)
            if time.monotonic() > self.deadline:
                raise DiscoveryError(f"Reading {url} took longer than {self.limits.total_seconds:.0f} s. "
                                     "Download the sitemap and upload the file instead.")
        self.total += len(body)
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        head = bytes(body[:1024]).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if "html" in content_type and not head.startswith((b"<?xml", b"<urlset", b"<sitemapindex")):
            raise DiscoveryError(f"{url} returned a web page ({content_type}), not a sitemap. {WHERE_TO_LOOK}")
        return bytes(body)

    def _too_large(self, url: str, cap: int) -> DiscoveryError:
        return DiscoveryError(f"{url} is larger than {_megabytes(cap)}, the most PageToJob reads for one "
                              "import. Split it into several sitemaps listed in a sitemap index.")


def _is_gzip_body(response: httpx.Response) -> bool:
    """A .gz served with Content-Encoding: gzip stays compressed; parse_sitemap inflates it within its cap."""
    return response.headers.get("content-encoding", "").strip().lower() in ("gzip", "x-gzip")


def _reason(error: Exception) -> str:
    text = str(error)
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "nodename" in text.lower():
        return "the host name does not resolve"
    return text or type(error).__name__


def _client(limits: FetchLimits) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(limits.timeout, connect=min(5.0, limits.timeout)),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/xml, text/xml, application/gzip;q=0.9, */*;q=0.5"},
    )


def _follow(first: Sitemap, name: str, fetcher: _Fetcher | None, limits: FetchLimits) -> SitemapRead:
    if len(set(first.sitemaps)) > limits.max_sitemaps:
        raise DiscoveryError(f"{name} lists {len(set(first.sitemaps)):,} sitemaps, more than the "
                             f"{limits.max_sitemaps} PageToJob reads in one import. Import the nested sitemaps "
                             "one by one.")
    entries = list(first.entries)
    read = [name]
    queue = deque((loc, 1) for loc in first.sitemaps)
    seen = {name}
    while queue:
        loc, depth = queue.popleft()
        if loc in seen:
            continue
        seen.add(loc)
        if len(read) > limits.max_sitemaps:
            raise DiscoveryError(f"{name} lists more than {limits.max_sitemaps} sitemaps, the most PageToJob "
                                 "reads in one import. Import the nested sitemaps one by one.")
        check_address(loc, f"{name} lists the sitemap ")
        if fetcher is None:
            raise DiscoveryError(f"{name} lists other sitemaps, which cannot be fetched here.")
        try:
            nested = parse_sitemap(fetcher.get(loc), name=loc, max_bytes=limits.max_bytes)
        except DiscoveryError as error:
            raise DiscoveryError(f"The sitemap index {name} lists {loc}, which could not be read: {error}") from None
        read.append(loc)
        entries.extend(nested.entries)
        if len(entries) > limits.max_pages:
            raise DiscoveryError(f"{name} lists more than {limits.max_pages:,} pages in all, the most PageToJob "
                                 "imports at once. Import the nested sitemaps one by one.")
        if nested.sitemaps:
            if depth >= limits.max_depth:
                raise DiscoveryError(f"{loc} nests sitemap indexes more than {limits.max_depth} levels deep. "
                                     "Import the nested sitemaps one by one.")
            queue.extend((child, depth + 1) for child in nested.sitemaps)
    if not entries:
        raise DiscoveryError(f"{name} lists no pages. Check that it is the site's sitemap, or import a CSV.")
    return SitemapRead(entries=entries, sitemaps_read=read)


def read_sitemap_url(url: str, limits: FetchLimits | None = None) -> SitemapRead:
    """Fetch a sitemap (or a sitemap index and every sitemap it lists) from the web."""
    limits = limits or FetchLimits()
    url = url.strip()
    check_address(url)
    with _client(limits) as client:
        fetcher = _Fetcher(client, limits)
        first = parse_sitemap(fetcher.get(url), name=url, max_bytes=limits.max_bytes)
        return _follow(first, url, fetcher, limits)


def read_sitemap_bytes(data: bytes, name: str = "The file", limits: FetchLimits | None = None) -> SitemapRead:
    """A sitemap file; when it is an index, the sitemaps it lists are fetched from the web."""
    limits = limits or FetchLimits()
    first = parse_sitemap(data, name=name, max_bytes=limits.max_bytes)
    if not first.sitemaps:
        return _follow(first, name, None, limits)
    with _client(limits) as client:
        return _follow(first, name, _Fetcher(client, limits), limits)
