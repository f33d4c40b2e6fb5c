"""Read a CSV of page URLs and titles (a crawler export, a spreadsheet, or a plain list of URLs)."""

from __future__ import annotations

import csv
import io

from pagetojob.sites.discovery import DiscoveryError, PageEntry

MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
URL_HEADERS = ("url", "urls", "loc", "page", "page url", "pageurl", "address", "link", "permalink", "path",
               "page path", "landing page")
TITLE_HEADERS = ("title", "page title", "title 1", "meta title", "name", "page name", "h1", "h1-1")
# Optional columns with what the page claims; the drift monitor checks them against ServiceTitan's data.
CLAIM_HEADERS = {
    "city": ("city", "service area city", "location city"),
    "zips": ("zips", "zip codes", "zip", "zip code", "postal codes"),
    "advertised_price": ("advertised price", "price"),
    "offer_text": ("offer", "offer text"),
    "offer_expires_on": ("offer ends", "offer end date", "offer expires", "offer expires on", "offer expiry"),
    "promises": ("promises", "promise"),
    "utm_campaign": ("utm campaign",),
}


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeError as error:
            raise DiscoveryError(f"{name} starts like UTF-16 text but cannot be read as it ({error}). "
                                 "Save it again as “CSV UTF-8”.") from None
    if data[:2] == b"\x1f\x8b" or b"\x00" in data[:4096]:
        raise DiscoveryError(f"{name} is not a text file (it looks compressed or binary). Upload a .csv saved "
                             "as “CSV UTF-8”, or upload a sitemap as a sitemap.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise DiscoveryError(f"{name} is neither UTF-8 nor Windows-1252 text (byte {error.start}). "
                                 "Save it again as “CSV UTF-8”.") from None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cells = [" ".join(cell.strip().lower().replace("_", " ").split()) for cell in header]
    for wanted in names:
        if wanted in cells:
            return cells.index(wanted)
    return None


def _looks_like_url(value: str) -> bool:
    value = value.strip().lower()
    return value.startswith(("http://", "https://", "/", "www."))


def parse_pages_csv(data: bytes, name: str = "The file", max_bytes: int = MAX_CSV_BYTES) -> list[PageEntry]:
    """One entry per row with a URL (column url/URL/loc/page/address…) and its title when there is one."""
    if not data.strip():
        raise DiscoveryError(f"{name} is empty. Export the list of pages again.")
    if len(data) > max_bytes:
        raise DiscoveryError(f"{name} is larger than {max_bytes // 1024 // 1024} MB. Split it into smaller files.")
    text = _decode(data, name)
    if text.lstrip().startswith("<"):
        raise DiscoveryError(f"{name} looks like XML or HTML, not CSV. If it is a sitemap, import it as a sitemap.")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    entries: list[PageEntry] = []
    url_col: int | None = None
    title_col: int | None = None
    claim_cols: dict[str, int] = {}
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if url_col is None:
                url_col, title_col = _column(row, URL_HEADERS), _column(row, TITLE_HEADERS)
                if url_col is not None:
                    claim_cols = {name: col for name, headers in CLAIM_HEADERS.items()
                                  if (col := _column(row, headers)) is not None}
                    continue
                if not _looks_like_url(row[0]):
                    found = ", ".join(cell.strip() for cell in row if cell.strip())[:300]
                    raise DiscoveryError(f"{name} has no URL column (found: {found}). Name the column “url” and "
                                         "the titles “title”, or upload a plain list of URLs, one per line.")
                url_col, title_col = 0, (1 if len(row) > 1 else None)
            url = row[url_col].strip() if len(row) > url_col else ""
            title = row[title_col].strip() if title_col is not None and len(row) > title_col else ""
            claims = tuple((name, row[col].strip() if len(row) > col else "") for name, col in claim_cols.items())
            entries.append(PageEntry(url=url, title=title, origin=f"row {reader.line_num}", claims=claims))
            if len(entries) > MAX_ROWS:
                raise DiscoveryError(f"{name} has more than {MAX_ROWS:,} rows. Split it into smaller files.")
    except csv.Error as error:
        raise DiscoveryError(f"{name} cannot be read as CSV at line {reader.line_num} ({error}). "
                             "Save it again as “CSV UTF-8”.") from None
    if not entries:
        raise DiscoveryError(f"{name} has a header but no rows. Add one URL per row.")
    return entries
