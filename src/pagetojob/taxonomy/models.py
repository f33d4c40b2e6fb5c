"""The workspace's copy of ServiceTitan objects. Each keeps its ServiceTitan id, source and raw row."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pagetojob.accounts.models import Workspace
from pagetojob.core.models import WorkItem


class Source(models.TextChoices):
    DEMO = "demo", "demo"
    CSV_IMPORT = "csv_import", "CSV import"
    API_IMPORT = "api_import", "API import"
    MANUAL = "manual", "entered by hand"


class TaxonomyItem(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    st_id = models.BigIntegerField("ServiceTitan id", null=True, blank=True)
    name = models.CharField(max_length=255)
    active = models.BooleanField(default=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    raw = models.JSONField("raw row or payload", default=dict, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name if self.active else f"{self.name} (inactive)"

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> models.QuerySet:
        return cls._default_manager.filter(workspace=workspace)


def _unique_st_id(label: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(
            fields=["workspace", "st_id"], condition=models.Q(st_id__isnull=False), name=f"{label}_unique_st_id"
        )
    ]


class BusinessUnit(TaxonomyItem):
    trade = models.CharField(max_length=80, blank=True, default="")

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("business_unit")


class JobType(TaxonomyItem):
    business_units = models.ManyToManyField(BusinessUnit, blank=True, related_name="job_types")
    priority = models.CharField(max_length=40, blank=True, default="Normal")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("job_type")


class Campaign(TaxonomyItem):
    category = models.CharField(max_length=120, blank=True, default="")
    source_label = models.CharField("source", max_length=120, blank=True, default="")
    medium = models.CharField(max_length=120, blank=True, default="")
    dnis = models.CharField("tracking phone", max_length=40, blank=True, default="")

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("campaign")


class ZoneState(models.TextChoices):
    ACTIVE = "active", "active"
    PAUSED = "paused", "paused"
    EMERGENCY_ONLY = "emergency_only", "emergency-only"
    EXPANSION = "expansion", "expansion"


class Zone(TaxonomyItem):
    zips = models.JSONField(default=list, blank=True)
    cities = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=ZoneState.choices, default=ZoneState.ACTIVE)

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("zone")


class PricebookService(TaxonomyItem):
    code = models.CharField(max_length=80, blank=True, default="")
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    member_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    category = models.CharField(max_length=120, blank=True, default="")

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("pricebook_service")


class MembershipType(TaxonomyItem):
    billing = models.CharField(max_length=80, blank=True, default="")
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("membership_type")


class RecurringServiceType(TaxonomyItem):
    membership_type = models.ForeignKey(
        MembershipType, null=True, blank=True, on_delete=models.SET_NULL, related_name="recurring_services"
    )
    recurrence = models.CharField(max_length=80, blank=True, default="")

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("recurring_service_type")


class BookingProvider(TaxonomyItem):
    """A ServiceTitan booking provider tag: where API bookings say they came from."""

    kind = models.CharField(max_length=40, blank=True, default="V2Api")

    class Meta(TaxonomyItem.Meta):
        constraints = _unique_st_id("booking_provider")


class BatchStatus(models.TextChoices):
    MAPPING = "mapping", "check columns"
    READING = "reading", "reading"
    REVIEW = "review", "ready for review"
    APPLYING = "applying", "applying"
    APPLIED = "applied", "applied"
    FAILED = "failed", "failed"
    DISCARDED = "discarded", "discarded"


class ImportBatch(WorkItem):
    """One uploaded export of one family: read on the worker, reviewed, then applied atomically."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="import_batches")
    family = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    stored_path = models.CharField(max_length=500)
    file_format = models.CharField(max_length=8, default="csv")
    encoding = models.CharField(max_length=20, blank=True, default="")
    delimiter = models.CharField(max_length=4, blank=True, default="")
    header_row = models.PositiveIntegerField(default=1)
    detected_columns = models.JSONField(default=list, blank=True)
    column_mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=BatchStatus.choices, default=BatchStatus.MAPPING)
    phase = models.CharField(max_length=8, default="read")  # what the worker does next: read or apply
    rows_read = models.PositiveIntegerField(default=0)
    rows_estimate = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    apply_summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.family} import {self.file_name} ({self.status})"


class CandidateKind(models.TextChoices):
    NEW = "new", "new"
    CHANGED = "changed", "changed"
    UNCHANGED = "unchanged", "unchanged"
    DEACTIVATED = "deactivated", "deactivated"
    DUPLICATE = "duplicate", "duplicate"
    BLOCKED = "blocked", "blocked"


class Decision(models.TextChoices):
    PENDING = "pending", "not reviewed"
    ACCEPTED = "accepted", "accepted"
    REJECTED = "rejected", "rejected"


class ImportCandidate(models.Model):
    # The (batch, kind) index serves every lookup by batch; a separate one would only slow large imports.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="candidates", db_index=False)
    row_number = models.PositiveIntegerField(null=True, blank=True)  # none for items absent from the file
    kind = models.CharField(max_length=12, choices=CandidateKind.choices)
    st_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=255, blank=True, default="")
    values = models.JSONField(default=dict, blank=True)
    diff = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)  # the existing taxonomy item, when there is one
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    edited = models.BooleanField(default=False)

    class Meta:
        ordering = [models.F("row_number").asc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["batch", "kind"])]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.kind} {self.name}"

    @property
    def safe(self) -> bool:
        return self.kind in (CandidateKind.NEW, CandidateKind.CHANGED) and not self.warnings
