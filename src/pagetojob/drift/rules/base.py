"""What a rule is and what it reports. Rules are plain functions over a Snapshot: no queries, no writes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from pagetojob.drift.snapshot import FAMILY_LABELS, Item, PageFacts, Snapshot


@dataclass(slots=True)
class Detected:
    """One finding as a rule reports it, before the review stores it."""

    rule: str
    severity: str
    message: str
    fix: str
    page: PageFacts | None = None
    item: Item | None = None
    aspect: str = ""  # tells apart two findings of one rule about the same page and object
    evidence: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Stable across reviews: rule, page, object and aspect, never the changing values."""
        page = str(self.page.id) if self.page else ""
        item = f"{self.item.family}:{self.item.id}" if self.item else ""
        return hashlib.sha1(f"{self.rule}|{page}|{item}|{self.aspect}".encode()).hexdigest()

    @property
    def object_type(self) -> str:
        return FAMILY_LABELS.get(self.item.family, "") if self.item else ""


@dataclass(frozen=True)
class Rule:
    id: str
    number: int
    title: str
    severity: str  # the usual severity; a finding may say otherwise (rule 9 weighs by page kind)
    explanation: str
    fix: str
    check: Callable[[Snapshot], Iterator[Detected]]


def missing_since(snapshot: Snapshot, item: Item) -> datetime | None:
    """When the newest applied export of the item's family left it out (it may be gone from ServiceTitan)."""
    latest = snapshot.latest_import.get(item.family)
    if latest and item.last_seen_at is not None and item.last_seen_at < latest:
        return latest
    return None


def described(item: Item) -> str:
    """ “AC Repair” (ServiceTitan id 2100301) """
    return f"“{item.name}”" + (f" (ServiceTitan id {item.st_id})" if item.st_id else "")


def money(value: Decimal | None) -> str:
    if value is None:
        return "no price"
    return f"${value:,.2f}"


def day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"
