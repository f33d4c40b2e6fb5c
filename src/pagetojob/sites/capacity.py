"""Which call to action a visitor sees, decided from the page's booking path and the capacity rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from pagetojob.sites.models import BookingPath, CapacityKind, CtaMode

DEFAULT_LABELS = {
    CtaMode.BOOK_ONLINE: ("Book online", "Or request an appointment below"),
    CtaMode.REQUEST_APPOINTMENT: ("Request an appointment", ""),
    CtaMode.CALL_NOW: ("Call now", "Or request the next available appointment"),
    CtaMode.PAUSED: ("We're not scheduling new work here right now", "Call us and we'll help you find a time"),
}


@dataclass(frozen=True)
class Cta:
    mode: str  # a CtaMode value other than auto
    primary: str
    secondary: str
    phone: str
    reason: str
    same_day: bool = False
    show_form: bool = True  # only the phone-first kill switch takes the form away entirely

    @property
    def tel(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""


def _labels(mode: str, label: str = "") -> tuple[str, str]:
    """A rule label like "Call now / Request the next available appointment" is primary / secondary."""
    if label:
        primary, _, secondary = (part.strip() for part in label.partition(" / "))
        return primary, secondary
    return DEFAULT_LABELS[CtaMode(mode)]


def _cta(mode: str, label: str, phone: str, reason: str, same_day: bool = False, **extra: Any) -> Cta:
    primary, secondary = _labels(mode, label)
    return Cta(mode=str(mode), primary=primary, secondary=secondary, phone=phone, reason=reason,
               same_day=same_day, **extra)


def in_window(rule: Any, now_local: datetime) -> bool:
    """Weekdays name the day a window starts on; a window past midnight (18:00–07:00) belongs to its start day."""
    weekdays = list(rule.weekdays or range(7))
    starts: time | None = rule.starts_at
    ends: time | None = rule.ends_at
    today, clock_time = now_local.weekday(), now_local.time().replace(tzinfo=None)
    if starts is None or ends is None:
        return today in weekdays
    if starts < ends:
        return today in weekdays and starts <= clock_time < ends
    yesterday = (today - 1) % 7
    return (today in weekdays and clock_time >= starts) or (yesterday in weekdays and clock_time < ends)


def _unit_matches(rule: Any, business_unit_id: int | None) -> bool:
    if rule.business_unit_id is None:
        return True
    return business_unit_id is None or rule.business_unit_id == business_unit_id


def _phone_of(binding: Any) -> str:
    if binding is None:
        return ""
    site = binding.page.site
    return site.phone or site.workspace.phone


def choose_cta(binding: Any, rules: Iterable[Any], now_local: datetime, zone_state: str | None = None,
               phone_first: bool = False, scheduler_disabled: bool = False, phone: str = "") -> Cta:
    """The first applicable answer wins, in the order the product promises (kill switch first)."""
    rules = [rule for rule in rules if getattr(rule, "active", True)]
    phone = phone or _phone_of(binding)
    unit_id = getattr(binding, "business_unit_id", None)
    job_type_id = getattr(binding, "job_type_id", None)

    if phone_first:
        return _cta(CtaMode.CALL_NOW, "Call now", phone, "The phone-first switch is on for this workspace.",
                    show_form=False)

    zone_ids = {zone.pk for zone in binding.zones.all()} if binding is not None and binding.pk else set()
    pauses = [rule for rule in rules if rule.kind == CapacityKind.ZONE_PAUSE]
    page_paused = [rule for rule in pauses if zone_ids and rule.zone_id in zone_ids]
    if zone_state == "paused" or (page_paused and len(page_paused) == len(zone_ids)):
        rule = page_paused[0] if page_paused else (pauses[0] if pauses else None)
        return _cta(CtaMode.PAUSED, rule.cta_label if rule else "", phone,
                    f"Paused zone: {rule.name}." if rule else "The visitor's zone is paused.")
    if zone_state == "emergency_only":
        rule = next((rule for rule in rules if rule.kind == CapacityKind.EMERGENCY_ONLY_ZONE), None)
        return _cta(CtaMode.CALL_NOW, rule.cta_label if rule else "", phone,
                    f"Emergency-only zone: {rule.name}." if rule else "The visitor's zone takes emergencies only.")

    if binding is not None and binding.cta_mode != CtaMode.AUTO:
        mode = binding.cta_mode
        if mode == CtaMode.BOOK_ONLINE and (scheduler_disabled or not binding.scheduler_id):
            return _cta(CtaMode.REQUEST_APPOINTMENT, "", phone,
                        "The page asks for online booking, but the scheduler embed is off; the form stays active.")
        return _cta(mode, "", phone, f"The page's binding sets the CTA to {CtaMode(mode).label}.")
    if binding is not None and binding.booking_path == BookingPath.PHONE_FIRST:
        return _cta(CtaMode.CALL_NOW, "", phone, "The page's booking path is phone-first.")

    hours = [rule for rule in rules if rule.kind == CapacityKind.BUSINESS_HOURS and _unit_matches(rule, unit_id)]
    open_rule = next((rule for rule in hours if in_window(rule, now_local)), None)

    if (binding is not None and binding.booking_path == BookingPath.SCHEDULING_PRO and binding.scheduler_id
            and not scheduler_disabled and open_rule is not None):
        return _cta(CtaMode.BOOK_ONLINE, "", phone, f"Scheduling Pro during business hours ({open_rule.name}).",
                    same_day=open_rule.same_day)

    for rule in rules:
        if rule.kind != CapacityKind.SERVICE_EXCEPTION or not _unit_matches(rule, unit_id):
            continue
        if rule.job_type_id is not None and rule.job_type_id != job_type_id:
            continue
        if rule.job_type_id is None and (rule.business_unit_id is None or unit_id is None):
            continue
        if (rule.weekdays or rule.starts_at) and not in_window(rule, now_local):
            continue
        return _cta(rule.cta, rule.cta_label, phone, f"Service exception: {rule.name}.", same_day=rule.same_day)

    if open_rule is not None:
        label = open_rule.cta_label if open_rule.cta == CtaMode.REQUEST_APPOINTMENT else ""
        return _cta(CtaMode.REQUEST_APPOINTMENT, label, phone, f"Inside business hours ({open_rule.name}).",
                    same_day=open_rule.same_day)

    for rule in rules:
        if (rule.kind == CapacityKind.AFTER_HOURS_EMERGENCY and _unit_matches(rule, unit_id)
                and (unit_id is not None or rule.business_unit_id is None) and in_window(rule, now_local)):
            return _cta(rule.cta, rule.cta_label, phone, f"After hours: {rule.name}.", same_day=rule.same_day)

    return _cta(CtaMode.REQUEST_APPOINTMENT, "Request the next available appointment", phone,
                "Outside business hours; the request waits for the next available appointment.")
