"""Stored facts that readiness is computed from. Nothing here is a status: statuses are derived."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pagetojob.accounts.models import Workspace
from pagetojob.core.models import WorkItem


class ModuleAnswer(models.TextChoices):
    UNKNOWN = "unknown", "not answered"
    OWNED = "owned", "has it"
    NOT_OWNED = "not_owned", "does not have it"


class ModuleOwnership(models.Model):
    """An admin's recorded answer: does this contractor's ServiceTitan include the module?"""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="module_answers")
    module = models.CharField(max_length=40)
    answer = models.CharField(max_length=16, choices=ModuleAnswer.choices, default=ModuleAnswer.UNKNOWN)
    note = models.CharField(max_length=300, blank=True, default="")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "module"], name="one_answer_per_module")]

    def __str__(self) -> str:
        return f"{self.module}: {self.answer}"


class GateRecord(models.Model):
    """A recorded, evidenced fact behind a connection gate (app approval, customer authorization).

    App approval is the product's own fact, so its record has no workspace and applies to all.
    """

    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    gate = models.CharField(max_length=40)
    satisfied = models.BooleanField(default=False)
    environment = models.CharField(max_length=16, default="integration")
    evidence = models.CharField(max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "gate"], name="one_record_per_gate")]

    def __str__(self) -> str:
        return f"{self.gate}: {'holds' if self.satisfied else 'missing'}"


class FeatureFlag(models.Model):
    """Per-workspace switches; the kill switches take effect on the next request or claim."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="feature_flags")
    key = models.CharField(max_length=40)
    enabled = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True, default="")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="one_row_per_flag")]

    def __str__(self) -> str:
        return f"{self.key}: {'on' if self.enabled else 'off'}"


class LiveEvidence(models.Model):
    """The last time a capability really talked to the tenant and succeeded: what makes it `live`."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    capability = models.CharField(max_length=40)
    environment = models.CharField(max_length=16, default="integration")
    detail = models.CharField(max_length=500, blank=True, default="")
    succeeded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "capability"], name="one_evidence_per_capability")]

    def __str__(self) -> str:
        return f"{self.capability} succeeded {self.succeeded_at:%Y-%m-%d %H:%M}"


class ApiImportRun(WorkItem):
    """One family fetched read-only from ServiceTitan into an import batch, on the worker.

    Progress (the next list page or the export feed's continuation token, and how much of the staged file is
    good) is saved after every page, so a worker killed mid-fetch resumes where it stopped without repeats.
    """

    class Status(models.TextChoices):
        FETCHING = "fetching", "fetching"
        DONE = "done", "handed to review"
        FAILED = "failed", "failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_import_runs")
    family = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.FETCHING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    environment = models.CharField(max_length=16, default="")
    tenant_id = models.BigIntegerField(null=True, blank=True)
    page_size = models.PositiveIntegerField(default=500)
    next_page = models.PositiveIntegerField(default=1)
    continue_from = models.CharField(max_length=500, blank=True, default="")
    pages_fetched = models.PositiveIntegerField(default=0)
    rows_fetched = models.PositiveIntegerField(default=0)
    total_count = models.PositiveIntegerField(null=True, blank=True)
    staged_path = models.CharField(max_length=500, blank=True, default="")
    staged_bytes = models.BigIntegerField(default=0)
    batch = models.ForeignKey("taxonomy.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"API import of {self.family} ({self.status})"

    @property
    def family_label(self) -> str:
        from pagetojob.taxonomy.families import BY_KEY

        return BY_KEY[self.family].label if self.family in BY_KEY else self.family
