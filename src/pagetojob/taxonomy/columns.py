"""Which export column feeds which field, per family: ServiceTitan's own names and common variants."""

from __future__ import annotations

import re

# field -> accepted header spellings (compared after normalising case, spaces and punctuation)
COMMON: dict[str, tuple[str, ...]] = {
    "st_id": ("id", "st id", "servicetitan id", "external id"),
    "active": ("active", "is active", "status", "inactive", "state"),
    "description": ("description", "notes"),
}

FAMILY_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "business-units": {
        "name": ("name", "business unit", "business unit name", "display name"),
        "st_id": ("business unit id",),
        "trade": ("trade", "trade name", "division"),
    },
    "job-types": {
        "name": ("name", "job type", "job type name", "display name"),
        "st_id": ("job type id",),
        "business_units": ("business units", "business unit", "business unit names", "allowed business units"),
        "priority": ("priority",),
        "duration_minutes": ("duration", "duration minutes", "duration (minutes)", "duration mins"),
    },
    "campaigns": {
        "name": ("name", "campaign", "campaign name"),
        "st_id": ("campaign id",),
        "category": ("category", "campaign category", "category name"),
        "source_label": ("source", "campaign source", "utm source"),
        "medium": ("medium", "campaign medium", "utm medium"),
        "dnis": ("tracking number", "dnis", "phone", "tracking phone", "phone number"),
    },
    "zones": {
        "name": ("name", "zone", "zone name"),
        "st_id": ("zone id",),
        "zips": ("zips", "zip", "zip codes", "zipcodes", "postal codes", "zip code"),
        "cities": ("cities", "city", "city names"),
    },
    "pricebook-services": {
        "name": ("display name", "name", "service", "service name", "item name"),
        "st_id": ("service id",),
        "code": ("code", "service code", "sku", "item code"),
        "price": ("price", "retail price", "unit price", "standard price"),
        "member_price": ("member price", "members price", "membership price"),
        "category": ("category", "categories", "category name"),
    },
    "membership-types": {
        "name": ("name", "membership type", "membership type name", "display name", "membership"),
        "st_id": ("membership type id",),
        "billing": ("billing", "billing frequency", "billing cycle"),
        "price": ("price", "billing price", "sale price"),
    },
    "recurring-service-types": {
        "name": ("name", "recurring service", "recurring service type", "recurring service name", "display name"),
        "st_id": ("recurring service type id", "recurring service id"),
        "membership_type": ("membership type", "membership", "membership type name"),
        "recurrence": ("recurrence", "frequency", "recurrence type", "interval"),
    },
    "booking-providers": {
        "name": ("name", "tag name", "booking provider", "booking provider name", "provider"),
        "st_id": ("tag id", "booking provider id"),
        "kind": ("type", "provider type"),
    },
}

# Columns that say which family a file really is, to catch a file uploaded under the wrong family.
DISTINCTIVE: dict[str, tuple[str, ...]] = {
    "job-types": ("business units", "job type", "duration", "priority"),
    "campaigns": ("campaign", "medium", "tracking number", "dnis", "campaign category"),
    "zones": ("zips", "zip codes", "cities", "postal codes"),
    "pricebook-services": ("member price", "code", "price", "sku"),
    "membership-types": ("billing frequency", "membership type"),
    "recurring-service-types": ("recurrence", "recurring service", "frequency"),
    "booking-providers": ("tag name", "booking provider"),
    "business-units": ("business unit", "trade"),
}

FIELD_LABELS = {
    "name": "Name", "st_id": "ServiceTitan id", "active": "Active / status", "description": "Description",
    "trade": "Trade", "business_units": "Business units", "priority": "Priority",
    "duration_minutes": "Duration (minutes)", "category": "Category", "source_label": "Source", "medium": "Medium",
    "dnis": "Tracking phone", "zips": "ZIPs", "cities": "Cities", "code": "Code", "price": "Price",
    "member_price": "Member price", "billing": "Billing", "membership_type": "Membership type",
    "recurrence": "Recurrence", "kind": "Type",
}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9()]+", " ", header.lower().replace("_", " ")).strip()


def fields_for(family: str) -> dict[str, tuple[str, ...]]:
    specific = FAMILY_COLUMNS[family]
    merged: dict[str, tuple[str, ...]] = {}
    for field, names in specific.items():
        merged[field] = names + COMMON.get(field, ())
    for field, names in COMMON.items():
        merged.setdefault(field, names)
    return merged


def detect_mapping(family: str, headers: list[str]) -> dict[str, str]:
    """field -> the header it reads from; each header feeds one field, the best-ranked spelling wins."""
    by_normal = {}
    for header in headers:
        if header and normalise(header) not in by_normal:
            by_normal[normalise(header)] = header
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field, names in fields_for(family).items():
        for name in names:
            header = by_normal.get(name)
            if header is not None and header not in used:
                mapping[field] = header
                used.add(header)
                break
    return mapping


def is_header_for(family: str):
    names = set(fields_for(family)["name"])

    def check(cells: list[str]) -> bool:
        filled = [cell for cell in cells if cell]
        return len(filled) >= 1 and any(normalise(cell) in names for cell in filled) and (
            len(filled) >= 2 or len(cells) == 1)

    return check


def likely_family(headers: list[str]) -> str | None:
    """The family whose distinctive columns this header row matches best, if clearly one."""
    normal = {normalise(header) for header in headers}
    scores = {family: sum(1 for name in names if name in normal) for family, names in DISTINCTIVE.items()}
    best = max(scores, key=lambda family: scores[family])
    return best if scores[best] >= 2 else None
