"""City and ZIP facts from the offline `zipcodes` package (shipped with its data): never a network call.

Only standard delivery ZIPs count as a city's ZIPs; PO-box and single-building ZIPs are not places a
technician drives to.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

import zipcodes

ZIP = re.compile(r"^\d{5}$")
STATE_SUFFIX = re.compile(r"^(?P<city>.+?),?\s+(?P<state>[A-Za-z]{2})$")
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)


def city_key(city: str) -> str:
    return " ".join(city.replace(".", " ").split()).casefold()


def clean_zip(value: str) -> str:
    """The five-digit ZIP in a value like "85004" or "85004-1234"; "" when it is not one."""
    text = str(value).strip()[:5]
    return text if ZIP.match(text) else ""


@functools.lru_cache(maxsize=1000)
def _zips_starting(prefix: str) -> dict[str, tuple[str, str]]:
    """Every ZIP of a three-digit prefix (one ZIP region) -> (city, state): one scan of the data per region."""
    return {row["zip_code"]: (row["city"], row["state"]) for row in zipcodes.similar_to(prefix)}


def zip_place(zip_code: str) -> tuple[str, str] | None:
    """(city, state) of a real ZIP, or None when the ZIP does not exist."""
    if not ZIP.match(zip_code):
        return None
    return _zips_starting(zip_code[:3]).get(zip_code)


@functools.lru_cache(maxsize=64)
def _state_cities(state: str) -> dict[str, frozenset[str]]:
    cities: dict[str, set[str]] = {}
    for row in zipcodes.filter_by(state=state):
        if row.get("zip_code_type") == "STANDARD":
            cities.setdefault(city_key(row["city"]), set()).add(row["zip_code"])
    return {key: frozenset(zips) for key, zips in cities.items()}


def split_city(text: str) -> tuple[str, str]:
    """ "Mesa, AZ" -> ("Mesa", "AZ"); "Mesa" -> ("Mesa", "")."""
    text = " ".join(text.split())
    match = STATE_SUFFIX.match(text)
    if match and match["state"].upper() in US_STATES and "," in text:
        return match["city"].strip(), match["state"].upper()
    return text, ""


def city_zips(city: str, states: Iterable[str]) -> frozenset[str]:
    """Standard ZIPs of a city, looked up in its own state ("Mesa, AZ") or else in the given states."""
    name, own_state = split_city(city)
    key = city_key(name)
    for state in ([own_state] if own_state else list(states)):
        zips = _state_cities(state).get(key)
        if zips:
            return zips
    return frozenset()


def states_of(zip_codes: Iterable[str], sample: int = 200) -> list[str]:
    """The states the given ZIPs lie in, most common first (a sample is enough to know a contractor's state)."""
    counts: Counter[str] = Counter()
    ordered = sorted(set(zip_codes))
    for zip_code in ordered[::max(1, len(ordered) // sample)]:  # spread over the range: ZIPs group by state
        place = zip_place(zip_code)
        if place:
            counts[place[1]] += 1
    return [state for state, _ in counts.most_common()]
