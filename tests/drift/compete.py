"""A worker process for the schedule race: waits for the go signal, runs the schedules, drains the queues."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")

if __name__ == "__main__":
    db_name, go_file, worker_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = db_name
    import django

    django.setup()
    from pagetojob.core import worker

    Path(str(go_file) + f".{worker_id}.ready").touch()
    deadline = time.monotonic() + 60
    while not go_file.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    created = worker.run_schedules()
    processed = 0
    idle_passes = 0
    while idle_passes < 3:
        ran = worker.run_once(worker_id, batch=2)
        processed += ran
        idle_passes = 0 if ran else idle_passes + 1
    print(json.dumps({"worker": worker_id, "created": created, "processed": processed}))
