from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pagetojob.accounts.actors import command_line_actor
from pagetojob.accounts.models import Workspace
from pagetojob.taxonomy import hooks, importer
from pagetojob.taxonomy.families import BY_KEY
from pagetojob.taxonomy.models import CandidateKind, ImportBatch


class Command(BaseCommand):
    help = ("Read a ServiceTitan export (FILE), or fetch from the ServiceTitan API (--from-api, read-only), into "
            "reviewable candidates (pagetojob import taxonomy ...).")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The export file (CSV or XLSX); omit with --from-api.")
        parser.add_argument("--workspace", required=True, help="The workspace key, e.g. desert-peak.")
        parser.add_argument("--family", choices=sorted(BY_KEY),
                            help="What the file contains; with --from-api, the one family to fetch (default: all).")
        parser.add_argument("--from-api", action="store_true",
                            help="Fetch from the workspace's ServiceTitan connection instead of a file (needs every "
                                 "gate of the read-only API import).")
        parser.add_argument("--json", action="store_true",
                            help="Print one JSON object per import (a list when --from-api fetches several).")
        parser.add_argument("--as", dest="actor", default=None, help="Email of the user to record as importer.")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(key=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the key {options['workspace']!r}.")
        actor = command_line_actor(options["actor"])
        if options["from_api"]:
            if options["file"]:
                raise CommandError("Give either a FILE or --from-api, not both.")
            results = [self._summary(batch) for batch in self._from_api(workspace, actor, options)]
            if options["json"]:
                self.stdout.write(json.dumps(results[0] if len(results) == 1 else results))
            else:
                for result in results:
                    self._print(result)
            return
        if not options["file"]:
            raise CommandError("Give the export FILE to read, or --from-api to fetch from ServiceTitan.")
        if not options["family"]:
            raise CommandError("Say what the file contains with --family (e.g. --family job-types).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")

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
        result = self._summary(batch)
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self._print(result)

    def _from_api(self, workspace, actor, options) -> list[ImportBatch]:
        feeder = hooks.api_import()
        if feeder is None:
            raise CommandError("The read-only API import is not installed in this deployment.")
        families = [options["family"]] if options["family"] else None
        try:
            runs = feeder.start(workspace, actor, families)
        except feeder.ApiImportRefused as error:
            raise CommandError(str(error)) from error
        say = self.stderr.write if options["json"] else self.stdout.write
        batches = []
        for run in runs:
            say(f"Fetching {BY_KEY[run.family].label.lower()} from ServiceTitan (tenant {run.tenant_id}, "
                f"{run.environment})…")
            try:
                batches.append(feeder.run_inline(run, say=say))
            except feeder.ApiImportRefused as error:
                raise CommandError(f"{BY_KEY[run.family].label}: {error}") from error
        return batches

    @staticmethod
    def _summary(batch: ImportBatch) -> dict:
        counts = {kind: batch.counts.get(kind, 0) for kind in CandidateKind.values}
        return {"batch_id": batch.pk, "family": batch.family, "counts": counts, "warnings": batch.warnings,
                "errors": batch.errors}

    def _print(self, result: dict) -> None:
        self.stdout.write(f"Import {result['batch_id']} ({BY_KEY[result['family']].label.lower()}): "
                          + ", ".join(f"{n} {kind}" for kind, n in result["counts"].items()))
        for warning in result["warnings"]:
            self.stdout.write(f"  warning: {warning}")
        self.stdout.write(f"Review it in the app, or apply the safe rows: pagetojob import apply "
                          f"{result['batch_id']} --safe")
