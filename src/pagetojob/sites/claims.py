"""What a page claims — its place, price, offer, promises and UTM campaign — read from a form or a CSV row.

The drift monitor compares these claims with ServiceTitan's data; they are set by a person in the binding
editor or by a page CSV import. Every change is audited.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pagetojob.accounts import audit
from pagetojob.sites.models import Page

FIELDS = ("city", "zips", "advertised_price", "offer_text", "offer_expires_on", "promises", "utm_campaign")
LABELS = {
    "city": "City", "zips": "ZIPs", "advertised_price": "Advertised price", "offer_text": "Offer",
    "offer_expires_on": "Offer ends", "promises": "Promises", "utm_campaign": "UTM campaign",
}
PROMISES = {"same_day": "same-day service", "24_7": "24/7 service", "emergency": "emergency service"}
PROMISE_WORDS = {"same day": "same_day", "same-day": "same_day", "same_day": "same_day", "sameday": "same_day",
                 "24/7": "24_7", "24_7": "24_7", "24x7": "24_7", "24-7": "24_7", "247": "24_7",
                 "emergency": "emergency", "emergencies": "emergency"}
SPLIT = re.compile(r"[\s,;|]+")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")


class ClaimsError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{LABELS.get(k, k)}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse(raw: dict[str, Any]) -> dict[str, Any]:
    """Claims from text values (a form or a CSV row); only the keys given are read. Raises ClaimsError."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "city" in raw:
        values["city"] = " ".join(str(raw["city"] or "").split())[:120]
    if "zips" in raw:
        zips = [part for part in SPLIT.split(str(raw["zips"] or "")) if part]
        bad = [part for part in zips if not ZIP.match(part)]
        if bad:
            errors["zips"] = f"{', '.join(bad[:5])} {'is not a' if len(bad) == 1 else 'are not'} five-digit ZIP " \
                             f"code{'s' if len(bad) > 1 else ''}; separate ZIPs with commas or spaces."
        values["zips"] = list(dict.fromkeys(part[:5] for part in zips))
    if "advertised_price" in raw:
        text = str(raw["advertised_price"] or "").strip().replace("$", "").replace(",", "")
        if not text:
            values["advertised_price"] = None
        else:
            try:
                price = Decimal(text).quantize(Decimal("0.01"))
            except InvalidOperation:
                errors["advertised_price"] = f"“{raw['advertised_price']}” is not an amount; write it like 89 or 89.00."
            else:
                if price < 0 or price >= Decimal("100000000"):
                    errors["advertised_price"] = "must be between 0 and 99,999,999.99."
                values["advertised_price"] = price
    if "offer_text" in raw:
        values["offer_text"] = " ".join(str(raw["offer_text"] or "").split())[:300]
    if "offer_expires_on" in raw:
        text = str(raw["offer_expires_on"] or "").strip()
        if not text:
            values["offer_expires_on"] = None
        else:
            try:
                values["offer_expires_on"] = date.fromisoformat(text[:10])
            except ValueError:
                errors["offer_expires_on"] = f"“{text}” is not a date; write it as YYYY-MM-DD (2027-05-31)."
    if "promises" in raw:
        given = raw["promises"]
        words = given if isinstance(given, list) else [w for w in re.split(r"[,;|]+", str(given or "")) if w.strip()]
        promises = []
        for word in words:
            key = PROMISE_WORDS.get(" ".join(str(word).split()).casefold())
            if key is None:
                errors["promises"] = f"“{str(word).strip()}” is not a promise PageToJob checks; use same-day, 24/7 " \
                                     "or emergency."
            elif key not in promises:
                promises.append(key)
        values["promises"] = promises
    if "utm_campaign" in raw:
        values["utm_campaign"] = str(raw["utm_campaign"] or "").strip()[:200]
    if errors:
        raise ClaimsError(errors)
    return values


def update(page: Page, actor: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Store parsed claims; returns and audits what changed."""
    diff = {}
    for name, value in values.items():
        before = getattr(page, name)
        if before != value:
            diff[name] = (before, value)
            setattr(page, name, value)
    if diff:
        page.save(update_fields=list(diff))
        audit.record(page.workspace, actor, "page.claims", f"Changed what {page.path} claims: "
                     + ", ".join(LABELS[name].lower() for name in diff), target=page,
                     details={LABELS[name]: {"before": _plain(b), "after": _plain(a)} for name, (b, a) in diff.items()})
    return diff


def _plain(value: Any) -> Any:
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value
