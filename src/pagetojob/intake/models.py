"""What a website visitor submitted, with every scrap of attribution, stored before it is acknowledged."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pagetojob.accounts.models import OutboundEmail, Workspace
from pagetojob.sites.models import Page, Site
from pagetojob.taxonomy.models import JobType, Zone


class RequestStatus(models.TextChoices):
    NEW = "new", "new"
    OUT_OF_AREA = "out_of_area", "out of area"
    NOTIFIED = "notified", "notified"
    HANDED_OFF = "handed_off", "handed off"
    MANUAL_FOLLOW_UP = "manual_follow_up", "manual follow-up"
    SPAM = "spam", "spam"
    MANUAL_COMPLETE = "manual_complete", "manual-complete"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "Emergency — as soon as possible"
    TODAY = "today", "Today"
    THIS_WEEK = "this_week", "This week"
    FLEXIBLE = "flexible", "I'm flexible"


class TimeWindow(models.TextChoices):
    ANY = "any", "Any time"
    MORNING = "morning", "Morning (8–12)"
    AFTERNOON = "afternoon", "Afternoon (12–4)"
    EVENING = "evening", "Evening (4–7)"


class CustomerType(models.TextChoices):
    NEW = "new", "New customer"
    RETURNING = "returning", "Returning customer"


class IntakeSettings(models.Model):
    """Per site: who hears about new requests, which origins may embed the form, and the consent wording."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="intake")
    notification_emails = models.JSONField(default=list, blank=True)
    allowed_origins = models.JSONField(default=list, blank=True, help_text="Origins allowed to embed the form")
    consent_sms_text = models.CharField(max_length=400, default=(
        "Yes, text me about this request. Message and data rates may apply; reply STOP to opt out."))
    consent_email_text = models.CharField(max_length=400, default="Yes, email me about this request.")

    def __str__(self) -> str:
        return f"Intake settings of {self.site}"

    @classmethod
    def for_site(cls, site: Site) -> IntakeSettings:
        """The stored settings, or the defaults (unsaved) for a site nobody has configured yet."""
        return cls.objects.filter(site=site).first() or cls(site=site)


class BookingRequest(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="booking_requests")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="booking_requests")
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="booking_requests")
    submission_id = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True)
    service = models.CharField(max_length=200, blank=True, default="")
    job_type = models.ForeignKey(JobType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.FLEXIBLE)
    preferred_date = models.DateField(null=True, blank=True)
    preferred_window = models.CharField(max_length=16, choices=TimeWindow.choices, default=TimeWindow.ANY)
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True, default="")  # E.164
    email = models.EmailField(blank=True, default="")
    street = models.CharField(max_length=200, blank=True, default="")
    unit = models.CharField(max_length=40, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=40, blank=True, default="")
    zip = models.CharField(max_length=10, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    consent_sms = models.BooleanField(default=False)
    consent_email = models.BooleanField(default=False)
    consent_text = models.JSONField(default=dict, blank=True, help_text="The consent wording exactly as shown")
    membership_interest = models.BooleanField(default=False)
    customer_type = models.CharField(max_length=12, choices=CustomerType.choices, default=CustomerType.NEW)
    page_url = models.URLField(max_length=2000, blank=True, default="")
    context = models.JSONField(default=dict, blank=True, help_text="Landing page, referrer, UTMs, click ids, touches")
    device_class = models.CharField(max_length=16, blank=True, default="")
    binding_snapshot = models.JSONField(default=dict, blank=True)
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zone_state = models.CharField(max_length=16, blank=True, default="")
    notification = models.OneToOneField(OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="booking_request")
    client_ip_hash = models.CharField(max_length=64, blank=True, default="")
    user_agent = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(db_index=True)
    completed_note = models.TextField(blank=True, default="")
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["site", "submission_id"], name="one_request_per_submission")]
        indexes = [models.Index(fields=["workspace", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.service or 'service not chosen'} ({self.get_status_display()})"


class IntakeRateWindow(models.Model):
    """One fixed rate-limit window of one key (an address hash or a site); shared by every web process."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="one_count_per_key_window")]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} from {self.window_start:%H:%M:%S}: {self.count}"
