"""One export row to the values a taxonomy item holds, with the warnings a reviewer must see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pagetojob.taxonomy.columns import normalise

TRUE_WORDS = {"true", "yes", "y", "1", "active", "enabled", "on", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "inactive", "disabled", "archived", "deleted", "off", "f"}
LIST_SPLIT = re.compile(r"\s*[;,|\n]\s*")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")
PRICE_FIELDS = ("price", "member_price")


@dataclass
class RowResult:
    values: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    blocked: str = ""  # why the row cannot become an item


def name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def parse_status(raw: str, header: str, family: str, result: RowResult) -> None:
    value = normalise(raw).replace(" ", "_")
    inverted = normalise(header) == "inactive"
    if not value:
        result.values["active"] = True
        return
    words = value.replace("_", " ")
    if words in TRUE_WORDS or words in FALSE_WORDS:
        active = words in TRUE_WORDS
        if inverted:
            active = not active
        result.values["active"] = active
        if not active:
            result.warnings.append("inactive in ServiceTitan")
        return
    if value in ("paused", "on_hold"):
        result.values["active"] = True
        if family == "zones":
            result.values["state"] = "paused"
        result.warnings.append("paused")
        return
    if value in ("retired", "discontinued", "expired"):
        result.values["active"] = False
        result.warnings.append("retired")
        return
    if family == "zones" and value in ("emergency_only", "emergency"):
        result.values.update(active=True, state="emergency_only")
        result.warnings.append("emergency-only zone")
        return
    if family == "zones" and value in ("expansion", "planned", "coming_soon"):
        result.values.update(active=True, state="expansion")
        result.warnings.append("expansion zone")
        return
    result.values["active"] = True
    result.warnings.append(f"ambiguous status “{raw.strip()}”: read as active")


def parse_price(raw: str, label: str, result: RowResult) -> str | None:
    text = raw.strip().replace("$", "").replace(",", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        result.warnings.append(f"{label} “{raw.strip()}” is not a number")
        return None
    if amount < 0 or amount >= Decimal("100000000"):
        result.warnings.append(f"{label} {raw.strip()} is out of range")
        return None
    return str(amount.quantize(Decimal("0.01")))


def split_list(raw: str) -> list[str]:
    return [item for item in LIST_SPLIT.split(raw.strip()) if item]


def normalise_row(family: str, cells: dict[str, str], headers: dict[str, str]) -> RowResult:
    """`cells` maps field -> raw text; `headers` maps field -> the header it came from."""
    result = RowResult()
    name = re.sub(r"\s+", " ", cells.get("name", "")).strip()
    if not name:
        result.blocked = "the name is empty"
    elif len(name) > 255:
        result.blocked = "the name is longer than 255 characters"
    result.values["name"] = name
    raw_id = cells.get("st_id", "").strip().replace(",", "")
    if raw_id.endswith(".0"):
        raw_id = raw_id[:-2]
    if raw_id:
        if raw_id.isdigit() and len(raw_id) <= 18:
            result.values["st_id"] = int(raw_id)
        else:
            result.blocked = result.blocked or f"the ServiceTitan id “{cells.get('st_id', '').strip()}” is not a number"
    if "active" in cells:
        parse_status(cells["active"], headers.get("active", "active"), family, result)
    else:
        result.values["active"] = True
    if "description" in cells and cells["description"].strip():
        result.values["description"] = cells["description"].strip()[:1000]

    has = cells.__contains__
    if family == "job-types":
        if has("business_units"):
            result.values["business_units"] = sorted(set(split_list(cells["business_units"])))
        if has("priority"):
            result.values["priority"] = cells["priority"].strip()[:40]
        duration = cells.get("duration_minutes", "").strip()
        if duration:
            if duration.removesuffix(".0").isdigit():
                result.values["duration_minutes"] = int(float(duration))
            else:
                result.warnings.append(f"duration “{duration}” is not a whole number of minutes")
    elif family == "campaigns":
        for key in ("category", "source_label", "medium", "dnis"):
            if has(key):
                result.values[key] = cells[key].strip()[:120]
    elif family == "zones":
        if has("zips"):
            zips = split_list(cells["zips"].replace(" ", ","))
            bad = [code for code in zips if not ZIP.match(code)]
            if bad:
                result.warnings.append(f"ZIP codes not in 12345 form: {', '.join(bad[:5])}")
            result.values["zips"] = sorted(set(code for code in zips if ZIP.match(code)))
        if has("cities"):
            result.values["cities"] = sorted(set(split_list(cells["cities"])))
        result.values.setdefault("state", "active")
    elif family == "pricebook-services":
        for key, limit in (("code", 80), ("category", 120)):
            if has(key):
                result.values[key] = cells[key].strip()[:limit]
        for key, label in (("price", "price"), ("member_price", "member price")):
            if has(key):
                result.values[key] = parse_price(cells[key], label, result)
        price, member = result.values.get("price"), result.values.get("member_price")
        if price is not None and member is not None and Decimal(member) > Decimal(price):
            result.warnings.append("member price is higher than the price")
    elif family == "membership-types":
        if has("billing"):
            result.values["billing"] = cells["billing"].strip()[:80]
        if has("price"):
            result.values["price"] = parse_price(cells["price"], "price", result)
    elif family == "recurring-service-types":
        if has("membership_type"):
            result.values["membership_type"] = cells["membership_type"].strip()
        if has("recurrence"):
            result.values["recurrence"] = cells["recurrence"].strip()[:80]
    elif family == "booking-providers":
        if has("kind"):
            result.values["kind"] = cells["kind"].strip()[:40] or "V2Api"
    elif family == "business-units":
        if has("trade"):
            result.values["trade"] = cells["trade"].strip()[:80]
    return result
