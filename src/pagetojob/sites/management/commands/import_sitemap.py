from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from pagetojob.sites import sitemaps
from pagetojob.sites.discovery import DiscoveryError, PageEntry
from pagetojob.sites.management.commands._page_import import add_common_arguments, run_import


def read_file(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise DiscoveryError(f"{path} does not exist or is not a file.")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DiscoveryError(f"{path.name} is larger than {max_bytes // 1024 // 1024} MB, more than a sitemap may "
                             "hold. Split it into several sitemaps listed in a sitemap index.")
    return data


class Command(BaseCommand):
    help = ("Import a site's pages from a sitemap file or http(s) address; sitemap indexes and .gz included "
            "(pagetojob import sitemap ...).")

    def add_arguments(self, parser):
        parser.add_argument("source", help="A sitemap file (.xml or .xml.gz) or its http(s) address.")
        add_common_arguments(parser)

    def handle(self, *args, **options):
        source: str = options["source"]

        def read() -> tuple[list[PageEntry], str]:
            if "://" in source:
                return sitemaps.read_sitemap_url(source).entries, f"sitemap {source}"
            path = Path(source)
            data = read_file(path, sitemaps.MAX_SITEMAP_BYTES)
            return sitemaps.read_sitemap_bytes(data, name=path.name).entries, f"sitemap file {path.name}"

        run_import(self, options, read)
