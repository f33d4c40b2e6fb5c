"""What `import_sitemap` and `import_pages_csv` share: arguments, finding the site, running and reporting."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pagetojob.accounts.actors import command_line_actor
from pagetojob.accounts.models import Workspace
from pagetojob.sites import discovery
from pagetojob.sites.discovery import DiscoveryError, PageEntry


def add_common_arguments(parser: Any) -> None:
    parser.add_argument("--workspace", required=True, help="The workspace key, e.g. desert-peak.")
    parser.add_argument("--site", default=None, help="The site key; needed when the workspace has several sites.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object with the counts.")
    parser.add_argument("--as", dest="actor", default=None, help="Email of the user to record as importer.")


def run_import(command: BaseCommand, options: dict[str, Any],
               read: Callable[[], tuple[list[PageEntry], str]]) -> None:
    """Read everything first, then import in one transaction: an unreadable source changes nothing."""
    workspace = Workspace.objects.filter(key=options["workspace"]).first()
    if workspace is None:
        raise CommandError(f"No workspace with the key {options['workspace']!r}.")
    actor = command_line_actor(options["actor"])
    try:
        site = discovery.find_site(workspace, options["site"])
        entries, source = read()
        result = discovery.import_pages(workspace, site, entries, actor, source)
    except DiscoveryError as error:
        raise CommandError(str(error)) from None
    if options["json"]:
        command.stdout.write(json.dumps({"workspace": workspace.key, **result.as_dict()}))
        return
    counts = result.counts()
    command.stdout.write(f"Imported the pages of {site.name} from {source}: "
                         + ", ".join(f"{n} {key}" for key, n in counts.items()))
    for item in result.skipped[:50]:
        command.stdout.write(f"  skipped {item.url}: {item.reason}")
    if len(result.skipped) > 50:
        command.stdout.write(f"  … and {len(result.skipped) - 50} more skipped")
