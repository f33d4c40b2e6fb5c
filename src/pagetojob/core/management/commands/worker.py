from __future__ import annotations

from django.core.management.base import BaseCommand

from pagetojob.core import worker


class Command(BaseCommand):
    help = "Run the durable worker: claims due work from every queue and writes a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Run every schedule and one pass over every queue, then exit.")
        parser.add_argument("--poll", type=float, default=0.5, help="Seconds to wait when no work is due.")
        parser.add_argument("--max-seconds", type=float, default=None, help="Stop after this many seconds.")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        worker_id = options["worker_id"] or worker.new_worker_id()
        if options["once"]:
            worker.beat(worker_id, worker.clock.now(), 0)
            worker.run_schedules()
            count = worker.run_once(worker_id)
            self.stdout.write(f"Ran {count} item(s).")
            return
        worker.run_forever(worker_id, poll_seconds=options["poll"], max_seconds=options["max_seconds"])
