"""The taxonomy families, their labels and the columns each list shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from pagetojob.taxonomy.models import (
    BookingProvider,
    BusinessUnit,
    Campaign,
    JobType,
    MembershipType,
    PricebookService,
    RecurringServiceType,
    Zone,
)


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    singular: str
    model: type[models.Model]
    columns: tuple[tuple[str, str], ...]  # (attribute, heading)
    search_fields: tuple[str, ...] = ("name",)


FAMILIES: tuple[Family, ...] = (
    Family("business-units", "Business units", "business unit", BusinessUnit, (("trade", "Trade"),)),
    Family("job-types", "Job types", "job type", JobType,
           (("allowed_business_units", "Allowed in business units"), ("priority", "Priority"))),
    Family("campaigns", "Campaigns", "campaign", Campaign,
           (("category", "Category"), ("source_label", "Source"), ("medium", "Medium"))),
    Family("zones", "Zones", "zone", Zone,
           (("state_label", "State"), ("cities_text", "Cities"), ("zips_text", "ZIPs")), ("name",)),
    Family("pricebook-services", "Pricebook services", "pricebook service", PricebookService,
           (("code", "Code"), ("price", "Price"), ("member_price", "Member price"), ("category", "Category")),
           ("name", "code")),
    Family("membership-types", "Membership types", "membership type", MembershipType,
           (("billing", "Billing"), ("price", "Price"))),
    Family("recurring-service-types", "Recurring service types", "recurring service type", RecurringServiceType,
           (("membership_type", "Membership type"), ("recurrence", "Recurrence"))),
    Family("booking-providers", "Booking providers", "booking provider", BookingProvider, (("kind", "Type"),)),
)

BY_KEY = {family.key: family for family in FAMILIES}

# The Titan Map filter that lists the pages bound to an item of each family.
MAP_FILTERS = {
    "business-units": "business_unit", "job-types": "job_type", "campaigns": "campaign", "zones": "zone",
    "pricebook-services": "pricebook_service", "membership-types": "membership_type",
}
