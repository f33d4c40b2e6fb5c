"""One export row to the values a taxonomy item holds, with the warnings a reviewer must see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from pagetojob.taxonomy.columns import normalise

TRUE_WORDS = {"true", "yes", "y", "1", "active", "enabled", "on", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "inactive", "disabled", "archived", "deleted", "off", "f"}
LIST_SPLIT = re.compile(r"\s*[;,|\n]\s*")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")
CENTS = Decimal("0.01")


@dataclass
class RowResult:
    values: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    blocked: str = ""  # why the row cannot become an item


def collapse(text: str) -> str:
    return " ".join(text.split())


def name_key(name: str) -> str:
    return collapse(name).casefold()


@lru_cache(maxsize=512)
def _status(raw: str, inverted: bool, family: str) -> tuple[bool, str | None, str | None]:
    """(active, zone state or None, warning or None) for a status cell; status words repeat, so cached."""
    value = normalise(raw).replace(" ", "_")
    if not value:
        return True, None, None
    words = value.replace("_", " ")
    if words in TRUE_WORDS or words in FALSE_WORDS:
        active = (words in TRUE_WORDS) != inverted
        return active, None, (None if active else "inactive in ServiceTitan")
    if value in ("paused", "on_hold"):
        return True, ("paused" if family == "zones" else None), "paused"
    if value in ("retired", "discontinued", "expired"):
        return False, None, "retired"
    if family == "zones" and value in ("emergency_only", "emergency"):
        return True, "emergency_only", "emergency-only zone"
    if family == "zones" and value in ("expansion", "planned", "coming_soon"):
        return True, "expansion", "expansion zone"
    return True, None, f"ambiguous status “{raw.strip()}”: read as active"


def parse_status(raw: str, header: str, family: str, result: RowResult) -> None:
    active, state, warning = _status(raw, _is_inverted(header), family)
    result.values["active"] = active
    if state:
        result.values["state"] = state
    if warning:
        result.warnings.append(warning)


@lru_cache(maxsize=64)
def _is_inverted(header: str) -> bool:
    return normalise(header) == "inactive"


@lru_cache(maxsize=4096)
def _price(raw: str) -> tuple[str | None, str]:
    """(amount as text, problem) — prices repeat across a pricebook, so cached."""
    text = raw.strip().replace("$", "").replace(",", "").strip()
    if not text:
        return None, ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, "is not a number"
    if amount < 0 or amount >= 100_000_000:
        return None, "is out of range"
    return str(amount.quantize(CENTS)), ""


def parse_price(raw: str, label: str, result: RowResult) -> str | None:
    amount, problem = _price(raw)
    if problem:
        result.warnings.append(f"{label} “{raw.strip()}” {problem}")
    return amount


def split_list(raw: str) -> list[str]:
    return [item for item in LIST_SPLIT.split(raw.strip()) if item]


def normalise_row(family: str, cells: dict[str, str], headers: dict[str, str]) -> RowResult:
    """`cells` maps field -> raw text; `headers` maps field -> the header it came from."""
    result = RowResult()
    name = collapse(cells.get("name", ""))
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
        if price is not None and member is not None and float(member) > float(price):
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
