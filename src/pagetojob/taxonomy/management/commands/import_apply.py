from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from pagetojob.accounts.actors import command_line_actor
from pagetojob.taxonomy import importer
from pagetojob.taxonomy.apply import apply_batch
from pagetojob.taxonomy.models import BatchStatus, ImportBatch


class Command(BaseCommand):
    help = "Apply an import's accepted rows in one transaction (pagetojob import apply BATCH_ID --safe)."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--safe", action="store_true", help="First accept every safe row (new or changed, "
                                                                 "without warnings).")
        parser.add_argument("--workspace", default=None, help="Refuse unless the import belongs to this workspace.")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--as", dest="actor", default=None)

    def handle(self, *args, **options):
        batches = ImportBatch.objects.filter(pk=options["batch_id"])
        if options["workspace"]:
            batches = batches.filter(workspace__key=options["workspace"])
        batch = batches.first()
        if batch is None:
            where = f" in the workspace {options['workspace']}" if options["workspace"] else ""
            raise CommandError(f"No import with the id {options['batch_id']}{where}.")
        if batch.status != BatchStatus.REVIEW:
            raise CommandError(f"Import {batch.pk} is {batch.get_status_display()}; only an import under review "
                               "can be applied.")
        actor = command_line_actor(options["actor"])
        try:
            if options["safe"]:
                importer.accept_safe(batch, actor)
            if not batch.candidates.filter(decision="accepted").exists():
                raise importer.ImportFileError("No row is accepted: use --safe, or accept rows in the app.")
            summary = apply_batch(batch, actor)
        except importer.ImportFileError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps({"batch_id": batch.pk, **summary}))
        else:
            self.stdout.write(f"Applied import {batch.pk}: {summary['created']} created, {summary['updated']} updated, "
                              f"{summary['deactivated']} deactivated.")
            for binding in summary.get("affected_bindings", []):
                self.stdout.write(f"  review the binding of {binding['page']}")
