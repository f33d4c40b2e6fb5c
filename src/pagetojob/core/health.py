"""What /healthz reports: database reachable, migrations applied, the worker's last heartbeat."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from pagetojob.core import worker


def health_report() -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {"database": {"vendor": connection.vendor}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"]["status"] = "ok"
    except DatabaseError as error:
        report["database"].update(status="error", error=str(error))
        report.update(migrations={"status": "unknown"}, worker={"status": "unknown"}, status="unhealthy")
        return False, report
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    report["migrations"] = {
        "status": "ok" if not pending else "pending",
        "pending": [f"{migration.app_label}.{migration.name}" for migration, _ in pending],
    }
    beat = worker.latest_heartbeat() if not pending else None
    alive = worker.is_fresh(beat)
    report["worker"] = {
        "status": "ok" if alive else ("stale" if beat else "never seen"),
        "last_heartbeat": beat.last_beat_at.isoformat() if beat else None,
        "worker_id": beat.worker_id if beat else None,
    }
    healthy = report["database"]["status"] == "ok" and not pending and alive
    report["status"] = "healthy" if healthy else "unhealthy"
    return healthy, report
