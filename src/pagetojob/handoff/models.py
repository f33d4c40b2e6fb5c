"""Durable outbound work toward ServiceTitan: one row per handoff, visible to operators."""

from __future__ import annotations

from django.db import models

from pagetojob.accounts.models import Workspace
from pagetojob.core.models import WorkItem
from pagetojob.intake.models import BookingRequest
from pagetojob.sites.models import Page


class SyncState(models.TextChoices):
    DRAFT = "draft", "draft"
    QUEUED = "queued", "queued"
    IN_FLIGHT = "in_flight", "in flight"
    RETRYING = "retrying", "retrying"
    NEEDS_REVIEW = "needs_review", "needs review"
    BLOCKED = "blocked", "blocked"
    HELD = "held", "held"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"
    MANUAL_COMPLETE = "manual_complete", "manual-complete"
    CANCELLED = "cancelled", "cancelled"


class SyncKind(models.TextChoices):
    BOOKING_HANDOFF = "booking_handoff", "booking handoff"
    LEAD_HANDOFF = "lead_handoff", "lead handoff"
    ATTRIBUTION_POST = "attribution_post", "attribution post"


class SyncJob(WorkItem):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sync_jobs")
    kind = models.CharField(max_length=24, choices=SyncKind.choices)
    state = models.CharField(max_length=20, choices=SyncState.choices, default=SyncState.DRAFT, db_index=True)
    booking_request = models.ForeignKey(BookingRequest, null=True, blank=True, on_delete=models.CASCADE,
                                        related_name="sync_jobs")
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    binding_snapshot = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    held_reason = models.CharField(max_length=500, blank=True, default="")
    operator_action = models.CharField(max_length=200, blank=True, default="")
    customer_status = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)
    # What ServiceTitan answered: the record's id once created (or adopted after an unknown outcome).
    titan_id = models.BigIntegerField(null=True, blank=True)
    environment = models.CharField(max_length=16, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    error_detail = models.JSONField(default=dict, blank=True)
    # The last attempt may have created the record without us seeing the answer: look up before creating.
    needs_lookup = models.BooleanField(default=False)
    # The exact call this job makes, fixed when it is first sent (so every retry sends the same body), and for a
    # booking or lead the follow-up attribution call whose id field is filled from ServiceTitan's answer.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.idempotency_key} ({self.get_state_display()})"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "sent"
    ADOPTED = "adopted", "found existing record"
    TRANSIENT = "transient", "temporary failure"
    UNKNOWN = "unknown", "outcome unknown"
    REJECTED = "rejected", "rejected"
    UNAUTHORIZED = "unauthorized", "not authorized"
    HELD = "held", "held"
    NEEDS_REVIEW = "needs_review", "needs review"
    LOOKUP = "lookup", "looked up"


class SyncAttempt(models.Model):
    """One try at a sync job: what was asked of ServiceTitan and what came back (secrets masked)."""

    job = models.ForeignKey(SyncJob, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveIntegerField()
    worker_id = models.CharField(max_length=120, blank=True, default="")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    method = models.CharField(max_length=8, blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    status_code = models.PositiveIntegerField(null=True, blank=True)
    request_body = models.JSONField(default=dict, blank=True)
    response_summary = models.TextField(blank=True, default="")
    message = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.job_id}: {self.outcome}"
