"""A real sync worker process for the reliability tests: the test database, then `run_forever` until stopped."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")

if __name__ == "__main__":
    db_name, worker_id = sys.argv[1], sys.argv[2]
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = db_name
    import django

    django.setup()
    from pagetojob.core import worker

    worker.run_forever(worker_id, poll_seconds=0.05, heartbeat_seconds=2.0)
