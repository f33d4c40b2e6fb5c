"""One export row to the values a taxonomy item holds, with the warnings a reviewer must see."""

from __future__ import annotations

import re
from collections.abc import Callable
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


@lru_cache(maxsize=64)
def _is_inverted(header: str) -> bool:
    return normalise(header) == "inactive"


@lru_cache(maxsize=16384)
def _price(raw: str) -> tuple[str | None, str]:
    """(amount as text, problem) — prices repeat across a pricebook, so cached (large enough for a price and a
    member price at every whole dollar up to a few thousand)."""
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


def split_list(raw: str) -> list[str]:
    return [item for item in LIST_SPLIT.split(raw.strip()) if item]


RowReader = Callable[[list[str]], tuple[dict, list[str], str]]
Step = Callable[[str, dict, list[str]], None]


def _text(key: str, limit: int | None = None, default: str = "") -> Step:
    def step(raw: str, values: dict, warnings: list[str]) -> None:
        values[key] = raw.strip()[:limit] or default
    return step


def _price_step(key: str, label: str) -> Step:
    def step(raw: str, values: dict, warnings: list[str]) -> None:
        amount, problem = _price(raw)
        if problem:
            warnings.append(f"{label} “{raw.strip()}” {problem}")
        values[key] = amount
    return step


def _names(key: str) -> Step:
    def step(raw: str, values: dict, warnings: list[str]) -> None:
        values[key] = sorted(set(split_list(raw)))
    return step


def _duration(raw: str, values: dict, warnings: list[str]) -> None:
    duration = raw.strip()
    if duration:
        if duration.removesuffix(".0").isdigit():
            values["duration_minutes"] = int(float(duration))
        else:
            warnings.append(f"duration “{duration}” is not a whole number of minutes")


def _zips(raw: str, values: dict, warnings: list[str]) -> None:
    zips = split_list(raw.replace(" ", ","))
    bad = [code for code in zips if not ZIP.match(code)]
    if bad:
        warnings.append(f"ZIP codes not in 12345 form: {', '.join(bad[:5])}")
    values["zips"] = sorted(set(code for code in zips if ZIP.match(code)))


# The family's own fields, in the order they are read: (field, how its cell becomes a value).
FAMILY_STEPS: dict[str, tuple[tuple[str, Step], ...]] = {
    "job-types": (("business_units", _names("business_units")), ("priority", _text("priority", 40)),
                  ("duration_minutes", _duration)),
    "campaigns": tuple((key, _text(key, 120)) for key in ("category", "source_label", "medium", "dnis")),
    "zones": (("zips", _zips), ("cities", _names("cities"))),
    "pricebook-services": (("code", _text("code", 80)), ("category", _text("category", 120)),
                           ("price", _price_step("price", "price")),
                           ("member_price", _price_step("member_price", "member price"))),
    "membership-types": (("billing", _text("billing", 80)), ("price", _price_step("price", "price"))),
    "recurring-service-types": (("membership_type", _text("membership_type")), ("recurrence", _text("recurrence", 80))),
    "booking-providers": (("kind", _text("kind", 40, "V2Api")),),
    "business-units": (("trade", _text("trade", 80)),),
}


def row_reader(family: str, positions: dict[str, int], headers: dict[str, str]) -> RowReader:
    """The function that turns one row (a list of cells) into (values, warnings, why blocked).

    Built once per file: which cell holds which field, what the status header means and which of the family's
    fields are present are settled here, so the loop over a 100,000-row export does only the per-cell work.
    `positions` maps field -> cell index; `headers` maps field -> the header it came from.
    """
    width = max(positions.values(), default=-1) + 1
    name_at, id_at, active_at = positions.get("name"), positions.get("st_id"), positions.get("active")
    description_at = positions.get("description")
    inverted = _is_inverted(headers.get("active", "active"))
    steps = tuple((positions[field], step) for field, step in FAMILY_STEPS[family] if field in positions)
    compare_prices = family == "pricebook-services" and "price" in positions and "member_price" in positions
    zones = family == "zones"

    def read(row: list[str]) -> tuple[dict, list[str], str]:
        if len(row) < width:
            row = [*row, *[""] * (width - len(row))]
        warnings: list[str] = []
        blocked = ""
        name = " ".join(row[name_at].split()) if name_at is not None else ""
        if not name:
            blocked = "the name is empty"
        elif len(name) > 255:
            blocked = "the name is longer than 255 characters"
        values: dict = {"name": name}
        if id_at is not None:
            raw_id = row[id_at].strip().replace(",", "")
            if raw_id.endswith(".0"):
                raw_id = raw_id[:-2]
            if raw_id:
                if raw_id.isdigit() and len(raw_id) <= 18:
                    values["st_id"] = int(raw_id)
                else:
                    blocked = blocked or f"the ServiceTitan id “{row[id_at].strip()}” is not a number"
        if active_at is not None:
            active, state, warning = _status(row[active_at], inverted, family)
            values["active"] = active
            if state:
                values["state"] = state
            if warning:
                warnings.append(warning)
        else:
            values["active"] = True
        if description_at is not None:
            description = row[description_at].strip()
            if description:
                values["description"] = description[:1000]
        for at, step in steps:
            step(row[at], values, warnings)
        if compare_prices:
            price, member = values["price"], values["member_price"]
            if price is not None and member is not None and float(member) > float(price):
                warnings.append("member price is higher than the price")
        elif zones:
            values.setdefault("state", "active")
        return values, warnings, blocked

    return read


def normalise_row(family: str, cells: dict[str, str], headers: dict[str, str]) -> RowResult:
    """`cells` maps field -> raw text; `headers` maps field -> the header it came from."""
    read = row_reader(family, {field: index for index, field in enumerate(cells)}, headers)
    values, warnings, blocked = read(list(cells.values()))
    return RowResult(values, warnings, blocked)
