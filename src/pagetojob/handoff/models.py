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

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.idempotency_key} ({self.get_state_display()})"
