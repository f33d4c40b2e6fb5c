"""Site discovery: turn a list of URLs (from a sitemap or a CSV) into the site's pages, never duplicating one.

Readers live in ``sitemaps.py`` and ``pages_csv.py``; they produce ``PageEntry`` rows or raise
``DiscoveryError``. ``import_pages`` applies the rows to a site in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.text import slugify

from pagetojob.accounts import audit
from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.sites import claims
from pagetojob.sites.classification import classify_page
from pagetojob.sites.models import Binding, Page, PageKind, Site
from pagetojob.taxonomy.models import Zone

AUDIT_LIST_LIMIT = 200
MAX_PATH_LENGTH = 500
AUTO = "auto"
BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(/|$)", re.IGNORECASE)
USER = "user"


class DiscoveryError(Exception):
    """Something the user gave us cannot be read; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class PageEntry:
    url: str
    title: str = ""
    origin: str = ""
    claims: tuple[tuple[str, str], ...] = ()  # claim columns of a page CSV: (field, cell text)


@dataclass(frozen=True)
class Skipped:
    url: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"url": self.url, "reason": self.reason}


@dataclass
class ImportResult:
    site: Site
    source: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    audit_id: int | None = None
    claims_updated: int = 0  # existing pages whose claims (price, offer, place...) the file changed

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged,
                "missing": len(self.missing), "skipped": len(self.skipped)}

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site.key, "source": self.source, "counts": self.counts(),
                "skipped": [s.as_dict() for s in self.skipped], "audit_id": self.audit_id}


class _Skip(Exception):
    pass


def _host_port(parts: Any) -> tuple[str, int | None]:
    host = (parts.hostname or "").lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    port = parts.port
    return host, None if port in (80, 443) else port


def normalize_path(path: str) -> str:
    """One spelling per page: no query, no fragment, no doubled or trailing slash (except the home page)."""
    path = path.split("?", 1)[0].split("#", 1)[0] or "/"
    while "//" in path:
        path = path.replace("//", "/")
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


def page_path(url: str, base_url: str) -> str:
    """The page's path on the site at ``base_url``; raises _Skip with the reason when it is not on that site."""
    url = url.strip()
    if not url:
        raise _Skip("no URL in this row")
    if BARE_HOST.match(url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        base = urlsplit(base_url)
        if parts.scheme or parts.netloc:
            if parts.scheme and parts.scheme.lower() not in ("http", "https"):
                raise _Skip(f"not a web address ({parts.scheme}:)")
            if _host_port(parts) != _host_port(base):
                raise _Skip(f"on {parts.netloc or 'another host'}, not on this site ({base.netloc})")
        elif not url.startswith("/"):
            raise _Skip("not a URL or a path starting with /")
    except ValueError as error:
        raise _Skip(f"not a valid URL ({error})") from error
    path = normalize_path(parts.path)
    prefix = normalize_path(base.path)
    if prefix != "/":
        if path != prefix and not path.startswith(prefix + "/"):
            raise _Skip(f"outside the site's base URL {base_url}")
        path = path[len(prefix):] or "/"
    if len(path) > MAX_PATH_LENGTH:
        raise _Skip(f"path longer than {MAX_PATH_LENGTH} characters")
    return path


def find_site(workspace: Workspace, site_key: str | None) -> Site:
    sites = list(workspace.sites.all())
    if site_key:
        site = next((s for s in sites if s.key == site_key), None)
        if site is None:
            known = ", ".join(s.key for s in sites) or "none yet"
            raise DiscoveryError(f"Workspace {workspace.key} has no site “{site_key}”. Its sites: {known}.")
        return site
    if len(sites) == 1:
        return sites[0]
    if not sites:
        raise DiscoveryError(f"Workspace {workspace.key} has no site yet. Add one on the Import pages screen "
                             "(it asks for the website address) and import again.")
    raise DiscoveryError(f"Workspace {workspace.key} has several sites ({', '.join(s.key for s in sites)}). "
                         "Choose the one these pages belong to.")


def site_address(base_url: str) -> str:
    """A website address as a site's base URL (scheme and host); raises DiscoveryError when it is not one."""
    value = base_url.strip()
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")
    except ValueError:
        valid = False
    if not valid:
        raise DiscoveryError(f"“{base_url.strip()}” is not a website address. Enter it like https://www.example.com.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def add_site(workspace: Workspace, base_url: str, actor: Any) -> Site:
    """A new site for the workspace, from its web address."""
    base_url = site_address(base_url)
    host = urlsplit(base_url).hostname or "site"
    host = host[4:] if host.startswith("www.") else host
    base_key = slugify(host.replace(".", "-"))[:50] or "site"
    key, n = base_key, 2
    while Site.objects.filter(key=key).exists():  # site keys are public (form and embed URLs): unique everywhere
        key, n = f"{base_key}-{n}", n + 1
    site = Site.objects.create(workspace=workspace, key=key, name=host, base_url=base_url)
    audit.record(workspace, actor, "site.create", f"Added the site {site.base_url}", target=site)
    return site


def _accept(site: Site, entries: Any, skipped: list[Skipped]) -> dict[str, PageEntry]:
    accepted: dict[str, PageEntry] = {}
    for entry in entries:
        label = entry.url or entry.origin
        if entry.origin.startswith("row ") and entry.url:
            label = f"{entry.origin}: {entry.url}"
        try:
            path = page_path(entry.url, site.base_url)
        except _Skip as reason:
            skipped.append(Skipped(label, str(reason)))
            continue
        if path in accepted:
            first = accepted[path]
            if first.title or not entry.title:
                skipped.append(Skipped(label, f"the same page as {first.url} (listed twice)"))
                continue
            skipped.append(Skipped(first.url, f"the same page as {entry.url} (listed twice)"))
        accepted[path] = entry
    return accepted


def import_pages(workspace: Workspace, site: Site, entries: Any, actor: Any, source: str) -> ImportResult:
    """Create new pages (each with a draft binding), refresh the ones seen again, mark the ones not seen."""
    if site.workspace_id != workspace.pk:
        raise DiscoveryError("This site belongs to another workspace.")
    result = ImportResult(site=site, source=source[:500])
    accepted = _accept(site, entries, result.skipped)
    if not accepted:
        reasons = "; ".join(f"{s.url} ({s.reason})" for s in result.skipped[:3])
        raise DiscoveryError(f"None of the URLs belong to {site.name} ({site.base_url}), so nothing was imported"
                             f"{': ' + reasons if reasons else ''}. Choose the right site or check the file.")
    now = clock.now()
    cities = [city for zone in Zone.objects.filter(workspace=workspace) for city in (zone.cities or [])]
    with transaction.atomic():
        Site.objects.select_for_update().filter(pk=site.pk).first()
        pages = list(Page.objects.filter(workspace=workspace, site=site).only(
            "pk", "path", "title", "kind", "kind_source", "missing_since", "discovered_from"))
        existing: dict[str, Page] = {}
        for known in pages:
            existing.setdefault(normalize_path(known.path), known)
        seen: set[int] = set()
        new_pages: list[Page] = []
        changed: list[Page] = []
        seen_unchanged: list[int] = []
        claimed: list[Page] = []
        for path, entry in accepted.items():
            title = entry.title.strip()[:300]
            found = existing.get(path)
            values = _claims_of(entry, result.skipped)
            if found is None:
                kind = classify_page(path, title, cities).kind
                new_pages.append(Page(workspace=workspace, site=site, path=path, title=title, kind=kind,
                                      kind_source=AUTO, discovered_from=result.source, last_seen_in_sitemap_at=now,
                                      **values))
                continue
            page = found
            if values and any(getattr(page, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(page, name, value)
                claimed.append(page)
            seen.add(page.pk)
            before = (page.title, page.kind, page.missing_since)
            if title:
                page.title = title
            if page.kind_source != USER:
                page.kind = classify_page(path, page.title, cities).kind
            page.missing_since = None
            page.last_seen_in_sitemap_at = now
            page.discovered_from = page.discovered_from or result.source
            if (page.title, page.kind, page.missing_since) != before:
                changed.append(page)
                result.updated.append(page.path)
            else:
                seen_unchanged.append(page.pk)
        created = Page.objects.bulk_create(new_pages, batch_size=500)
        Binding.objects.bulk_create([Binding(workspace=workspace, page=page) for page in created], batch_size=500)
        result.created = [page.path for page in created]
        Page.objects.bulk_update(changed, ["title", "kind", "missing_since", "last_seen_in_sitemap_at",
                                           "discovered_from"], batch_size=500)
        if claimed:
            Page.objects.bulk_update(claimed, list(claims.FIELDS), batch_size=500)
        result.claims_updated = len(claimed)
        for chunk in _chunks(seen_unchanged):
            Page.objects.filter(pk__in=chunk).update(last_seen_in_sitemap_at=now)
            Page.objects.filter(pk__in=chunk, discovered_from="").update(discovered_from=result.source)
        result.unchanged = len(seen_unchanged)
        missing = [page for page in pages if page.pk not in seen]
        for chunk in _chunks([page.pk for page in missing if page.missing_since is None]):
            Page.objects.filter(pk__in=chunk).update(missing_since=now)
        result.missing = sorted(page.path for page in missing)
        record = audit.record(workspace, actor, "pages.import", _summary(result), target=site, details={
            "site": site.key, "source": result.source, "counts": result.counts(),
            "created": result.created[:AUDIT_LIST_LIMIT], "updated": result.updated[:AUDIT_LIST_LIMIT],
            "missing": result.missing[:AUDIT_LIST_LIMIT],
            "skipped": [s.as_dict() for s in result.skipped[:AUDIT_LIST_LIMIT]],
            "claims_updated": result.claims_updated,
        })
    result.audit_id = record.pk
    return result


def _claims_of(entry: PageEntry, skipped: list[Skipped]) -> dict[str, Any]:
    """The claim columns of a page CSV row; a cell that cannot be read keeps all of that row's claims out."""
    if not entry.claims:
        return {}
    try:
        return claims.parse(dict(entry.claims))
    except claims.ClaimsError as error:
        label = f"{entry.origin}: {entry.url}" if entry.origin else entry.url
        skipped.append(Skipped(label, f"the page was imported, but not what it claims — {error}"))
        return {}


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _summary(result: ImportResult) -> str:
    c = result.counts()
    return (f"Imported the pages of {result.site.name} from {result.source}: {c['created']} new, "
            f"{c['updated']} updated, {c['unchanged']} unchanged, {c['missing']} missing, {c['skipped']} skipped")


def set_page_kind(page: Page, actor: Any, kind: str) -> bool:
    """A person sets the page's kind (re-imports keep it), or hands it back to the classifier with "auto"."""
    if kind != AUTO and kind not in PageKind.values:
        raise DiscoveryError(f"“{kind}” is not a page kind. Choose one of: {', '.join(PageKind.values)}.")
    before = (page.kind, page.kind_source)
    if kind == AUTO:
        cities = [c for zone in Zone.objects.filter(workspace_id=page.workspace_id) for c in (zone.cities or [])]
        page.kind, page.kind_source = classify_page(page.path, page.title, cities).kind, AUTO
    else:
        page.kind, page.kind_source = kind, USER
    if (page.kind, page.kind_source) == before:
        return False
    with transaction.atomic():
        page.save(update_fields=["kind", "kind_source"])
        how = "automatic" if page.kind_source == AUTO else "set by hand"
        audit.record(page.workspace, actor, "page.kind",
                     f"Kind of {page.path} changed from {before[0]} to {page.kind} ({how})", target=page,
                     details={"from": before[0], "to": page.kind, "kind_source": page.kind_source})
    return True
