"""Drift reviews and their findings.

A review is a row the worker claims like any other work. A finding is one mismatch, identified by a
fingerprint (rule, page, object, aspect) so a later review can tell whether it is new, persisting or
resolved. At most one unresolved finding exists per fingerprint; a resolved one stays as history and a
recurrence opens a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pagetojob.accounts.models import Workspace
from pagetojob.core.models import WorkItem
from pagetojob.sites.models import Page
from pagetojob.taxonomy.models import ImportBatch


class Trigger(models.TextChoices):
    ONBOARDING = "onboarding", "onboarding"
    MONTHLY = "monthly", "monthly"
    IMPORT = "import", "after an import"
    ON_DEMAND = "on_demand", "on demand"


class Severity(models.TextChoices):
    HIGH = "high", "high"
    MEDIUM = "medium", "medium"
    LOW = "low", "low"
    INFO = "info", "info"


SEVERITY_RANK: dict[str, int] = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}


class FindingStatus(models.TextChoices):
    OPEN = "open", "open"
    ACKNOWLEDGED = "acknowledged", "acknowledged"
    SUPPRESSED = "suppressed", "suppressed"
    RESOLVED = "resolved", "resolved"


UNRESOLVED = (FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED, FindingStatus.SUPPRESSED)


class DriftReview(WorkItem):
    """One read-only comparison of a workspace's pages and bindings with its taxonomy and capacity rules."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="drift_reviews")
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.ON_DEMAND)
    # Scheduled reviews are keyed: "onboarding" or the workspace-local month ("2026-11"); the others are "".
    period = models.CharField(max_length=16, blank=True, default="")
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="The moment the data was compared")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pages_checked = models.PositiveIntegerField(default=0)
    objects_checked = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Findings detected, by severity")
    rule_counts = models.JSONField(default=dict, blank=True, help_text="Findings detected, by rule")
    new_count = models.PositiveIntegerField(default=0)
    persisting_count = models.PositiveIntegerField(default=0)
    resolved_count = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "period"], condition=~Q(period=""),
                                    name="drift_one_review_per_period"),
        ]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"Drift review {self.pk} of {self.workspace} ({self.get_trigger_display()})"

    @property
    def total(self) -> int:
        return sum((self.counts or {}).values())

    @property
    def is_pending(self) -> bool:
        return self.work_state in ("queued", "retrying", "in_flight")


class DriftFinding(models.Model):
    """A mismatch between what the site promises and what ServiceTitan can book, price, attribute or serve."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="drift_findings")
    fingerprint = models.CharField(max_length=40)
    rule = models.CharField(max_length=40, db_index=True)
    rule_number = models.PositiveSmallIntegerField(default=0)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    page_path = models.CharField(max_length=500, blank=True, default="")
    object_type = models.CharField(max_length=40, blank=True, default="")
    object_id = models.BigIntegerField(null=True, blank=True)
    object_st_id = models.BigIntegerField(null=True, blank=True)
    object_name = models.CharField(max_length=255, blank=True, default="")
    message = models.CharField(max_length=500)
    evidence = models.JSONField(default=list, blank=True, help_text="What was compared: facts a person can check")
    fix = models.CharField(max_length=500)
    first_review = models.ForeignKey(DriftReview, on_delete=models.CASCADE, related_name="+")
    last_review = models.ForeignKey(DriftReview, on_delete=models.CASCADE, related_name="+")
    resolved_review = models.ForeignKey(DriftReview, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_note = models.CharField(max_length=500, blank=True, default="")
    suppressed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_until = models.DateField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["severity_rank", "rule_number", "page_path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "fingerprint"], condition=~Q(status="resolved"),
                                    name="drift_one_unresolved_finding_per_fingerprint"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "severity_rank"]),
            models.Index(fields=["workspace", "last_review"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.page_path or self.object_name}: {self.message}"
