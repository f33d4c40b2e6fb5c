from __future__ import annotations

from django.db import models


class WorkState(models.TextChoices):
    QUEUED = "queued", "queued"
    IN_FLIGHT = "in_flight", "in flight"
    RETRYING = "retrying", "retrying"
    DONE = "done", "done"
    FAILED = "failed", "failed"
    CANCELLED = "cancelled", "cancelled"
    PARKED = "parked", "parked"  # stored, not yet due for any worker (an import awaiting its columns, a held draft)


class WorkItem(models.Model):
    """A durable unit of background work: a row the operator can see, claimed with a lease."""

    work_state = models.CharField(max_length=16, choices=WorkState.choices, default=WorkState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    run_after = models.DateTimeField(db_index=True)
    lease_owner = models.CharField(max_length=120, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One row per running worker process; `readiness` and `/healthz` read the newest beat."""

    worker_id = models.CharField(max_length=120, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_beat_at = models.DateTimeField(db_index=True)
    items_processed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.worker_id} (last beat {self.last_beat_at:%Y-%m-%d %H:%M:%S})"
