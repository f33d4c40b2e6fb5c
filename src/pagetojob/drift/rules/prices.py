"""Rule 6: the page's advertised price or offer differs from the pricebook, or the offer has expired."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule, day, money
from pagetojob.drift.snapshot import Item, Snapshot

RULE_ID = "price_or_offer_mismatch"
CENTS = Decimal("0.01")
AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")
# "$25 off", "$50 rebate", "save $50", "up to $1,000": discounts, not prices to compare with the pricebook.
DISCOUNT_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(off|rebate|credit|discount|back|savings|bonus)\b", re.I)
DISCOUNT_BEFORE = re.compile(r"\b(save|saving|up to|off|discount of|rebate of|credit of)\s*$", re.I)


def offer_amounts(text: str) -> list[Decimal]:
    """Dollar prices an offer states ("$89 AC diagnostic", "$19.95/month"), leaving discounts out."""
    amounts = []
    for match in AMOUNT.finditer(text or ""):
        if DISCOUNT_AFTER.match(text[match.end():]) or DISCOUNT_BEFORE.search(text[:match.start()]):
            continue
        try:
            amounts.append(Decimal(match.group(1).replace(",", "") + (match.group(2) or "")).quantize(CENTS))
        except InvalidOperation:
            continue
    return amounts


def _price_lines(services: list[Item], membership: Item | None) -> list[str]:
    lines = []
    for service in services:
        member = f", members {money(service.member_price)}" if service.member_price is not None else ""
        code = f" ({service.code})" if service.code else ""
        lines.append(f"Pricebook: “{service.name}”{code} {money(service.price)}{member}")
    if membership is not None and membership.price is not None:
        lines.append(f"Membership “{membership.name}”: {money(membership.price)}")
    return lines


def check(snapshot: Snapshot) -> Iterator[Detected]:
    for page in snapshot.live_pages:
        if page.binding_id is None:
            continue
        services = [snapshot.items["pricebook-services"][sid] for sid in page.service_ids
                    if sid in snapshot.items["pricebook-services"]]
        membership = snapshot.item("membership-types", page.membership_type_id)
        known = {value.quantize(CENTS) for service in services for value in (service.price, service.member_price)
                 if value is not None}
        if membership is not None and membership.price is not None:
            known.add(membership.price.quantize(CENTS))
        if known:
            wrong: list[tuple[Decimal, str]] = []
            if page.advertised_price is not None and page.advertised_price.quantize(CENTS) not in known:
                wrong.append((page.advertised_price, f"Advertised price: {money(page.advertised_price)}"))
            wrong += [(amount, f"Offer “{page.offer_text}” states {money(amount)}")
                      for amount in offer_amounts(page.offer_text) if amount not in known]
            if wrong:
                names = " and ".join(f"“{s.name}” is {money(s.price)}" + (
                    f" (members {money(s.member_price)})" if s.member_price is not None else "") for s in services[:2])
                if not names and membership is not None:
                    names = f"“{membership.name}” is {money(membership.price)}"
                yield Detected(
                    RULE_ID, Severity.HIGH,
                    f"The page advertises {money(wrong[0][0])}, but the pricebook says {names}.",
                    "Change the page's price or offer to the pricebook price or member price, or update the pricebook "
                    "in ServiceTitan if the page is right.",
                    page, services[0] if services else membership, aspect="price",
                    evidence=[line for _, line in wrong] + _price_lines(services, membership))
        if page.offer_text and page.offer_expires_on and page.offer_expires_on < snapshot.today:
            yield Detected(
                RULE_ID, Severity.MEDIUM,
                f"The offer “{page.offer_text}” expired on {day(page.offer_expires_on)} and is still on the page.",
                "Take the offer down, or set a new end date the pricebook supports.",
                page, None, aspect="expired",
                evidence=[f"Offer ends: {day(page.offer_expires_on)}", f"Reviewed on: {day(snapshot.today)}"])


RULE = Rule(
    RULE_ID, 6, "Price or offer not matching the pricebook", Severity.HIGH,
    "The price a page advertises, and any dollar price in its offer text, must be the price or member price of "
    "a pricebook service bound to the page (or its membership's price). An offer past its end date must come "
    "down. Discounts (“$25 off”) are not compared.",
    "Align the page with the pricebook, or the pricebook with the page; take expired offers down.",
    check,
)
