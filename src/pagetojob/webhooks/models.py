"""Webhook endpoint settings, the events ServiceTitan delivered, and what they told us about our records."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pagetojob.accounts.models import Workspace
from pagetojob.core.models import WorkItem


class SignatureEncoding(models.TextChoices):
    HEX = "hex", "hex"
    BASE64 = "base64", "base64"


class SignedContent(models.TextChoices):
    BODY = "body", "the raw body"
    TIMESTAMP_DOT_BODY = "timestamp.body", "timestamp + '.' + raw body"


class WebhookEndpoint(models.Model):
    """How one workspace's deliveries are signed. ServiceTitan does not publish the exact format, so each
    part is configurable; the defaults follow the most common community practice (hex HMAC-SHA256)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="webhook_endpoint")
    signature_header = models.CharField(max_length=80, default="X-ServiceTitan-Signature")
    encoding = models.CharField(max_length=8, choices=SignatureEncoding.choices, default=SignatureEncoding.HEX)
    timestamp_header = models.CharField(max_length=80, blank=True, default="")
    signed_content = models.CharField(max_length=16, choices=SignedContent.choices, default=SignedContent.BODY)
    tolerance_seconds = models.PositiveIntegerField(default=300)
    secret_current = models.TextField(blank=True, default="")  # vault ciphertext
    secret_previous = models.TextField(blank=True, default="")  # vault ciphertext, accepted during a rotation
    secret_hint = models.CharField(max_length=16, blank=True, default="")  # last characters, to tell keys apart
    previous_hint = models.CharField(max_length=16, blank=True, default="")
    secret_set_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Webhook endpoint of {self.workspace_id}"

    @property
    def configured(self) -> bool:
        return bool(self.secret_current)


class RejectReason(models.TextChoices):
    INVALID_SIGNATURE = "invalid_signature", "invalid signature"
    MISSING_SIGNATURE = "missing_signature", "missing signature"
    STALE = "stale", "stale or missing timestamp"
    TOO_LARGE = "too_large", "too large"
    MALFORMED = "malformed", "not a JSON event"
    NOT_CONFIGURED = "not_configured", "no webhook key configured"


class RejectedDeliveries(models.Model):
    """How many deliveries were refused and why; refused deliveries are counted, never stored as events."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=RejectReason.choices)
    count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "reason"], name="one_counter_per_reason")]

    def __str__(self) -> str:
        return f"{self.reason}: {self.count}"


class EventOutcome(models.TextChoices):
    PENDING = "pending", "waiting for the worker"
    APPLIED = "applied", "applied"
    IGNORED = "ignored", "ignored"


class WebhookEvent(WorkItem):
    """One accepted delivery, stored before it is acknowledged and processed by the worker."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=120, blank=True, default="")
    headers = models.JSONField(default=dict, blank=True)
    raw_body = models.TextField()
    verification = models.CharField(max_length=200)
    signed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=EventOutcome.choices, default=EventOutcome.PENDING)
    outcome_detail = models.CharField(max_length=500, blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)
    duplicates = models.PositiveIntegerField(default=0)
    last_duplicate_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=120, blank=True, default="")
    booking_id = models.BigIntegerField(null=True, blank=True)
    lead_id = models.BigIntegerField(null=True, blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)
    invoice_id = models.BigIntegerField(null=True, blank=True)
    is_validation = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "event_id"], name="one_event_per_id")]
        indexes = [models.Index(fields=["workspace", "-received_at"]), models.Index(fields=["workspace", "outcome"])]

    def __str__(self) -> str:
        return f"{self.event_type or 'event'} {self.event_id}"


class RecordKind(models.TextChoices):
    BOOKING = "booking", "booking"
    LEAD = "lead", "lead"
    JOB = "job", "job"


class TitanRecord(models.Model):
    """What ServiceTitan has told us about a record we sent (or a job that followed it).

    Keyed by our externalId when we know it, and by ServiceTitan's booking, lead and job ids; events that
    arrive before we know how they connect make their own row, merged when a later event links them.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=120, blank=True, default="")
    kind = models.CharField(max_length=8, choices=RecordKind.choices, default=RecordKind.BOOKING)
    booking_id = models.BigIntegerField(null=True, blank=True)
    lead_id = models.BigIntegerField(null=True, blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)
    booking_status = models.CharField(max_length=16, blank=True, default="")
    booking_status_at = models.DateTimeField(null=True, blank=True)
    lead_status = models.CharField(max_length=16, blank=True, default="")
    lead_status_at = models.DateTimeField(null=True, blank=True)
    job_status = models.CharField(max_length=16, blank=True, default="")
    job_status_at = models.DateTimeField(null=True, blank=True)
    job_completed_at = models.DateTimeField(null=True, blank=True)
    invoices = models.JSONField(default=dict, blank=True)  # invoice id -> {total, balance, paid, modified_on}
    invoice_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    events_applied = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        # One row per id: events racing to create the same record make one of them retry, never a twin.
        constraints = [
            models.UniqueConstraint(fields=["workspace", "external_id"], condition=~models.Q(external_id=""),
                                    name="one_record_per_external_id"),
            models.UniqueConstraint(fields=["workspace", "booking_id"], condition=models.Q(booking_id__isnull=False),
                                    name="one_record_per_booking"),
            models.UniqueConstraint(fields=["workspace", "lead_id"], condition=models.Q(lead_id__isnull=False),
                                    name="one_record_per_lead"),
            models.UniqueConstraint(fields=["workspace", "job_id"], condition=models.Q(job_id__isnull=False),
                                    name="one_record_per_job"),
        ]

    def __str__(self) -> str:
        return self.external_id or f"{self.kind} {self.booking_id or self.lead_id or self.job_id}"


class WebhookValidation(models.Model):
    """One run of the validation protocol against a receiver URL: each step with its evidence."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    base_url = models.CharField(max_length=300)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    passed = models.BooleanField(default=False)
    steps = models.JSONField(default=list)
    key_hint = models.CharField(max_length=16, blank=True, default="")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Webhook validation {self.started_at:%Y-%m-%d %H:%M} ({'passed' if self.passed else 'failed'})"
