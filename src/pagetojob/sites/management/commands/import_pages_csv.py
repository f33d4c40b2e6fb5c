from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from pagetojob.sites import pages_csv
from pagetojob.sites.discovery import PageEntry
from pagetojob.sites.management.commands._page_import import add_common_arguments, run_import
from pagetojob.sites.management.commands.import_sitemap import read_file


class Command(BaseCommand):
    help = "Import a site's pages from a CSV of URLs and titles (pagetojob import pages-csv ...)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV with a url column (and a title column), or one URL per line.")
        add_common_arguments(parser)

    def handle(self, *args, **options):
        path = Path(options["file"])

        def read() -> tuple[list[PageEntry], str]:
            data = read_file(path, pages_csv.MAX_CSV_BYTES)
            return pages_csv.parse_pages_csv(data, name=path.name), f"CSV file {path.name}"

        run_import(self, options, read)
