from __future__ import annotations

from django.conf import settings
from django.db import models

from pagetojob.accounts.models import Workspace
from pagetojob.taxonomy.models import (
    BookingProvider,
    BusinessUnit,
    Campaign,
    JobType,
    MembershipType,
    PricebookService,
    Zone,
)


class Site(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sites")
    key = models.SlugField(max_length=60, unique=True, help_text="Public: it names the site in form and embed URLs")
    name = models.CharField(max_length=200)
    base_url = models.URLField()
    phone = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PageKind(models.TextChoices):
    SERVICE = "service", "service"
    LOCATION = "location", "location"
    CAMPAIGN = "campaign", "campaign"
    OFFER = "offer", "offer"
    MEMBERSHIP = "membership", "membership"
    HOME = "home", "home"
    OTHER = "other", "other"


class Page(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pages")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="pages")
    path = models.CharField(max_length=500)
    title = models.CharField(max_length=300, blank=True, default="")
    kind = models.CharField(max_length=16, choices=PageKind.choices, default=PageKind.OTHER, db_index=True)
    # The page's claims, checked later by the drift monitor.
    city = models.CharField(max_length=120, blank=True, default="")
    zips = models.JSONField(default=list, blank=True)
    advertised_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    offer_text = models.CharField(max_length=300, blank=True, default="")
    offer_expires_on = models.DateField(null=True, blank=True)
    promises = models.JSONField(default=list, blank=True, help_text="e.g. same_day, 24_7, emergency")
    utm_campaign = models.CharField(max_length=200, blank=True, default="")
    headings = models.JSONField(default=list, blank=True, help_text="Page headings, when known")
    # Discovery: where the page came from, whether a person set its kind, and when a re-import missed it.
    kind_source = models.CharField(max_length=16, default="auto", help_text="auto (classified) or user")
    discovered_from = models.CharField(max_length=500, blank=True, default="")
    last_seen_in_sitemap_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "path"], name="page_path_unique_in_site")]
        ordering = ["path"]
        indexes = [models.Index(fields=["workspace", "path"])]

    def __str__(self) -> str:
        return self.path

    @property
    def url(self) -> str:
        return self.site.base_url.rstrip("/") + self.path


class BindingStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    SUGGESTED = "suggested", "suggested"
    APPROVED = "approved", "approved"
    RETIRED = "retired", "retired"


class BookingPath(models.TextChoices):
    REQUEST_FORM = "request_form", "request form"
    SCHEDULING_PRO = "scheduling_pro", "Scheduling Pro"
    PHONE_FIRST = "phone_first", "phone-first"


class CtaMode(models.TextChoices):
    AUTO = "auto", "from capacity rules"
    BOOK_ONLINE = "book_online", "book online"
    REQUEST_APPOINTMENT = "request_appointment", "request an appointment"
    CALL_NOW = "call_now", "call now"
    PAUSED = "paused", "paused"


class Binding(models.Model):
    """The reviewed link between one page and the ServiceTitan objects it sells and books."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="bindings")
    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="binding")
    status = models.CharField(max_length=16, choices=BindingStatus.choices, default=BindingStatus.DRAFT, db_index=True)
    job_type = models.ForeignKey(JobType, null=True, blank=True, on_delete=models.PROTECT, related_name="bindings")
    business_unit = models.ForeignKey(
        BusinessUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="bindings"
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="bindings")
    zones = models.ManyToManyField(Zone, blank=True, related_name="bindings")
    pricebook_services = models.ManyToManyField(PricebookService, blank=True, related_name="bindings")
    membership_type = models.ForeignKey(
        MembershipType, null=True, blank=True, on_delete=models.PROTECT, related_name="bindings"
    )
    booking_provider = models.ForeignKey(
        BookingProvider, null=True, blank=True, on_delete=models.PROTECT, related_name="bindings"
    )
    booking_path = models.CharField(max_length=20, choices=BookingPath.choices, default=BookingPath.REQUEST_FORM)
    scheduler_id = models.CharField("Scheduling Pro scheduler id", max_length=80, blank=True, default="")
    cta_mode = models.CharField(max_length=24, choices=CtaMode.choices, default=CtaMode.AUTO)
    notes = models.TextField(blank=True, default="")
    # A mapping suggestion: its score (0..1) and the evidence (which words matched which object).
    suggestion_score = models.FloatField(null=True, blank=True)
    suggestion_evidence = models.JSONField(default=list, blank=True)
    suggested_at = models.DateTimeField(null=True, blank=True)
    suggestion_rejected_at = models.DateTimeField(null=True, blank=True)
    # Names of the bound objects when approved, so a later rename can be noticed.
    approved_names = models.JSONField(default=dict, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"{self.page.path} ({self.status})"


class CapacityKind(models.TextChoices):
    BUSINESS_HOURS = "business_hours", "business hours"
    AFTER_HOURS_EMERGENCY = "after_hours_emergency", "after-hours emergency"
    SERVICE_EXCEPTION = "service_exception", "per-service exception"
    ZONE_PAUSE = "zone_pause", "paused zone"
    EMERGENCY_ONLY_ZONE = "emergency_only_zone", "emergency-only zone"


class CapacityRule(models.Model):
    """When and how a page may promise service; it decides the CTA a visitor sees."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="capacity_rules")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=CapacityKind.choices)
    business_unit = models.ForeignKey(BusinessUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    job_type = models.ForeignKey(JobType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday … 6 = Sunday")
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    cta = models.CharField(max_length=24, choices=CtaMode.choices, default=CtaMode.REQUEST_APPOINTMENT)
    cta_label = models.CharField(max_length=200, blank=True, default="")
    same_day = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Scheduler(models.Model):
    """A Scheduling Pro scheduler as the contractor configured it: which job types it books, in which zones.

    Recorded by hand from the Scheduling Pro settings (the public API lists schedulers but not what they
    offer), so the alignment check can compare it with the pages that send visitors to it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="schedulers")
    scheduler_id = models.CharField("Scheduler id", max_length=80)
    name = models.CharField(max_length=200)
    job_types = models.ManyToManyField(JobType, blank=True, related_name="schedulers")
    zones = models.ManyToManyField(Zone, blank=True, related_name="schedulers")
    notes = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "scheduler_id"], name="one_scheduler_per_id")]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.scheduler_id})"
