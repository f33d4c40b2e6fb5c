from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from pagetojob.accounts import audit
from pagetojob.accounts.actors import command_line_actor
from pagetojob.accounts.models import Workspace
from pagetojob.drift import report, reviews
from pagetojob.drift.models import Trigger


class Command(BaseCommand):
    help = "Drift monitor: `pagetojob drift run --workspace KEY [--json]` reviews a workspace now."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="run")
        run = actions.add_parser("run", help="Run a drift review now and print its findings.")
        run.add_argument("--workspace", required=True, help="The workspace key (as in /w/KEY/).")
        run.add_argument("--json", action="store_true", help="Print one JSON object instead of text.")
        run.add_argument("--as", dest="actor", default=None, help="Email of the user the audit log names.")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(key=options["workspace"]).first()
        if workspace is None:
            known = ", ".join(Workspace.objects.order_by("key").values_list("key", flat=True)[:10]) or "none yet"
            raise CommandError(f"No workspace with the key {options['workspace']!r}. Workspace keys: {known}.")
        actor = command_line_actor(options["actor"])
        review = reviews.new_review(workspace, Trigger.ON_DEMAND, actor=actor)
        try:
            review = reviews.run_now(review)
        except reviews.ReviewError as error:
            raise CommandError(str(error)) from error
        summary = report.review_summary(review)
        audit.record(workspace, actor, "drift.review",
                     f"Ran a drift review from the command line: {review.total} finding(s), {review.new_count} new, "
                     f"{review.resolved_count} resolved", target=review)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        counts = summary["counts"]
        self.stdout.write(
            f"Drift review {review.pk} of {workspace.name}: {sum(counts.values())} finding(s) — "
            + ", ".join(f"{n} {severity}" for severity, n in counts.items())
            + f"; {summary['new']} new, {summary['persisting']} persisting, {summary['resolved']} resolved; "
            f"{review.pages_checked} pages checked in {review.duration_ms} ms.")
        for finding in summary["findings"]:
            where = finding["page"] or finding["object"]
            self.stdout.write(f"  [{finding['severity']}] {finding['rule']} {where}: {finding['message']}")
            self.stdout.write(f"      fix: {finding['fix']}")
        for finding in summary["resolved_findings"]:
            self.stdout.write(f"  [resolved] {finding['rule']} {finding['page'] or finding['object']}: "
                              f"{finding['message']}")
