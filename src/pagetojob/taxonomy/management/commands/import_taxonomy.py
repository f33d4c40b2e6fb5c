from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pagetojob.accounts.actors import command_line_actor
from pagetojob.accounts.models import Workspace
from pagetojob.taxonomy import importer
from pagetojob.taxonomy.families import BY_KEY
from pagetojob.taxonomy.models import CandidateKind


class Command(BaseCommand):
    help = "Read a ServiceTitan export into reviewable candidates (pagetojob import taxonomy ...)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True, help="The workspace key, e.g. desert-peak.")
        parser.add_argument("--family", required=True, choices=sorted(BY_KEY),
                            help="What the file contains.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--as", dest="actor", default=None, help="Email of the user to record as importer.")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(key=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the key {options['workspace']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        actor = command_line_actor(options["actor"])

        def chunks():
            with path.open("rb") as handle:
                yield from iter(lambda: handle.read(1 << 20), b"")

        try:
            batch = importer.create_batch(workspace, actor, options["family"], path.name, chunks())
            importer.confirm_mapping(batch, actor, batch.column_mapping)
            importer.read_batch(batch)
        except importer.ImportFileError as error:
            if "batch" in locals():
                importer.discard(batch, actor, "the file could not be read")
                batch.delete()
            raise CommandError(f"{path.name}: {error}") from error
        counts = {kind: batch.counts.get(kind, 0) for kind in CandidateKind.values}
        result = {"batch_id": batch.pk, "family": batch.family, "counts": counts, "warnings": batch.warnings,
                  "errors": batch.errors}
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"Import {batch.pk}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
            for warning in batch.warnings:
                self.stdout.write(f"  warning: {warning}")
            self.stdout.write(f"Review it in the app, or apply the safe rows: pagetojob import apply {batch.pk} --safe")
