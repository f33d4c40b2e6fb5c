"""Trade lexicon for HVAC, plumbing and electrical pages: words and abbreviations to canonical concepts.

A concept is either the equipment or trade a page is about (AC, water heater, panel, plumbing) or what
is done to it (repair, install, tune-up, emergency). Phrases are matched longest first, so "water heater"
never reads as "heating" and "heat pump" never as "heat".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

TRADE, EQUIPMENT, ACTION, MODIFIER = "trade", "equipment", "action", "modifier"


@dataclass(frozen=True)
class Concept:
    key: str
    kind: str
    label: str
    trade: str | None = None
    parent: str | None = None


def _c(key: str, kind: str, label: str, trade: str | None = None, parent: str | None = None) -> Concept:
    return Concept(key, kind, label, trade, parent)


CONCEPTS: dict[str, Concept] = {c.key: c for c in (
    _c("hvac", TRADE, "HVAC", "hvac"),
    _c("plumbing", TRADE, "plumbing", "plumbing"),
    _c("electrical", TRADE, "electrical", "electrical"),
    _c("ac", EQUIPMENT, "air conditioning", "hvac"),
    _c("furnace", EQUIPMENT, "furnace / heating", "hvac"),
    _c("heat_pump", EQUIPMENT, "heat pump", "hvac"),
    _c("mini_split", EQUIPMENT, "ductless mini-split", "hvac"),
    _c("boiler", EQUIPMENT, "boiler", "hvac"),
    _c("swamp_cooler", EQUIPMENT, "evaporative cooler", "hvac"),
    _c("thermostat", EQUIPMENT, "thermostat", "hvac"),
    _c("duct", EQUIPMENT, "ductwork", "hvac"),
    _c("air_quality", EQUIPMENT, "indoor air quality", "hvac"),
    _c("water_heater", EQUIPMENT, "water heater", "plumbing"),
    _c("tankless", EQUIPMENT, "tankless water heater", "plumbing", "water_heater"),
    _c("drain", EQUIPMENT, "drain", "plumbing"),
    _c("hydro_jetting", EQUIPMENT, "hydro jetting", "plumbing", "drain"),
    _c("sewer", EQUIPMENT, "sewer / main line", "plumbing"),
    _c("leak", EQUIPMENT, "leak", "plumbing"),
    _c("slab_leak", EQUIPMENT, "slab leak", "plumbing", "leak"),
    _c("gas_line", EQUIPMENT, "gas line", "plumbing"),
    _c("toilet", EQUIPMENT, "toilet", "plumbing"),
    _c("fixture", EQUIPMENT, "faucet / fixture", "plumbing"),
    _c("pipe", EQUIPMENT, "pipe", "plumbing"),
    _c("repipe", EQUIPMENT, "repipe", "plumbing"),
    _c("disposal", EQUIPMENT, "garbage disposal", "plumbing"),
    _c("sump_pump", EQUIPMENT, "sump pump", "plumbing"),
    _c("water_treatment", EQUIPMENT, "water treatment", "plumbing"),
    _c("backflow", EQUIPMENT, "backflow", "plumbing"),
    _c("panel", EQUIPMENT, "electrical panel", "electrical"),
    _c("ev_charger", EQUIPMENT, "EV charger", "electrical"),
    _c("generator", EQUIPMENT, "generator", "electrical"),
    _c("wiring", EQUIPMENT, "wiring", "electrical"),
    _c("outlet", EQUIPMENT, "outlet / switch", "electrical"),
    _c("lighting", EQUIPMENT, "lighting", "electrical"),
    _c("ceiling_fan", EQUIPMENT, "ceiling fan", "electrical"),
    _c("surge", EQUIPMENT, "surge protection", "electrical"),
    _c("detector", EQUIPMENT, "smoke / CO detector", "electrical"),
    _c("repair", ACTION, "repair"),
    _c("install", ACTION, "install / replacement"),
    _c("maintenance", ACTION, "tune-up / maintenance"),
    _c("inspect", ACTION, "inspection"),
    _c("clean", ACTION, "cleaning"),
    _c("emergency", MODIFIER, "emergency / 24-7"),
    _c("estimate", MODIFIER, "estimate"),
    _c("membership", MODIFIER, "membership"),
)}

# phrase -> concepts; a phrase mapping to () consumes its words without meaning anything.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "hvac": ("hvac", "heating and cooling", "heating and air", "heating and air conditioning", "heating cooling",
             "cooling and heating", "air and heat", "heat and air", "heating ventilation and air conditioning"),
    "plumbing": ("plumbing", "plumber"),
    "electrical": ("electrical", "electrician", "electrical contractor"),
    "ac": ("ac", "a c", "air conditioner", "air conditioning", "airconditioning", "airconditioner", "aircon",
           "cooling", "central air", "central ac", "cooling system", "ac unit", "ac system", "condenser",
           "air handler", "package unit", "packaged unit", "rooftop unit", "seer", "evaporator coil"),
    "furnace": ("furnace", "heating", "heater", "heating system", "gas furnace", "electric furnace",
                "heat exchanger", "space heater", "wall heater", "oil furnace"),
    "heat_pump": ("heat pump", "heatpump", "dual fuel", "hybrid heat", "geothermal", "heat strip"),
    "mini_split": ("mini split", "minisplit", "ductless", "ductless mini split", "ductless ac",
                   "ductless heat pump", "ductless system", "mini split heat pump"),
    "boiler": ("boiler", "radiator", "hydronic", "radiant heat", "radiant heating", "baseboard heat"),
    "swamp_cooler": ("swamp cooler", "evaporative cooler", "evap cooler"),
    "thermostat": ("thermostat", "smart thermostat", "nest", "ecobee"),
    "duct": ("duct", "ductwork", "duct work", "air duct", "duct sealing", "dryer vent"),
    "air_quality": ("air quality", "indoor air quality", "iaq", "air purifier", "purifier", "air purification",
                    "air filter", "air filtration", "humidifier", "dehumidifier", "uv light", "air scrubber",
                    "ventilation", "erv", "hrv", "air cleaner", "filter", "furnace filter", "whole house fan"),
    "water_heater": ("water heater", "hot water heater", "hot water", "hot water tank", "water tank", "tank",
                     "waterheater", "water heating", "anode rod", "tank water heater", "heat pump water heater",
                     "hybrid water heater", "expansion tank", "recirculation pump", "recirculating pump"),
    "tankless": ("tankless", "tankless water heater", "on demand water heater", "tankless hot water"),
    "drain": ("drain", "clog", "clogged", "unclog", "drain line", "rooter", "drain snake", "snaking",
              "clogged drain", "slow drain", "backed up", "drain clog", "grease trap", "unclogging"),
    "hydro_jetting": ("hydro jetting", "hydrojetting", "hydro jet", "jetting", "water jetting", "jetter"),
    "sewer": ("sewer", "sewer line", "main line", "mainline", "main drain", "main sewer", "sewer main", "sewage",
              "sewer pipe", "lateral", "trenchless", "septic", "septic tank", "pipe bursting", "sewer backup",
              "pipe lining", "pipe relining", "sewer cleanout"),
    "leak": ("leak", "water leak", "pipe leak", "hidden leak"),
    "slab_leak": ("slab leak", "foundation leak", "under slab"),
    "gas_line": ("gas line", "gas leak", "gas pipe", "gas piping"),
    "toilet": ("toilet", "running toilet", "clogged toilet"),
    "fixture": ("faucet", "sink", "fixture", "shower", "shower valve", "bathtub", "tub", "bathroom"),
    "pipe": ("pipe", "piping", "burst pipe", "frozen pipe", "broken pipe", "water line", "water main",
             "water service line", "water pressure", "pressure regulator", "prv"),
    "repipe": ("repipe", "repiping", "re pipe", "re piping", "pex", "pex repipe", "copper repipe"),
    "disposal": ("garbage disposal", "disposal", "insinkerator"),
    "sump_pump": ("sump pump", "sump"),
    "water_treatment": ("water softener", "softener", "water filtration", "water filter", "water treatment",
                        "reverse osmosis", "ro system", "water conditioner", "whole house water filter"),
    "backflow": ("backflow", "backflow preventer", "backflow testing"),
    "panel": ("panel", "electrical panel", "electric panel", "breaker", "breaker box", "circuit breaker",
              "fuse box", "fuse", "service upgrade", "service panel", "main panel", "subpanel", "sub panel",
              "100 amp", "200 amp", "400 amp", "amp service", "meter base", "federal pacific", "zinsco",
              "service entrance", "service mast", "afci"),
    "ev_charger": ("ev charger", "ev charging", "ev", "electric vehicle", "electric vehicle charger",
                   "electric car", "electric car charger", "car charger", "charger", "tesla charger",
                   "wall connector", "level 2 charger", "charging station", "nema 14 50", "tesla", "chargepoint"),
    "generator": ("generator", "generac", "standby generator", "backup generator", "backup power",
                  "whole home generator", "whole house generator", "home standby", "transfer switch", "interlock",
                  "battery backup", "home battery", "powerwall"),
    "wiring": ("wiring", "wire", "rewire", "rewiring", "re wire", "knob and tube", "aluminum wiring",
               "electrical wiring", "circuit", "dedicated circuit"),
    "outlet": ("outlet", "receptacle", "gfci", "gfi", "switch", "light switch", "dimmer", "usb outlet", "240v"),
    "lighting": ("lighting", "light", "light fixture", "recessed lighting", "recessed light", "can light",
                 "landscape lighting", "outdoor lighting", "led lighting", "security lighting"),
    "ceiling_fan": ("ceiling fan",),
    "surge": ("surge", "surge protection", "surge protector", "whole home surge protection"),
    "detector": ("smoke detector", "smoke alarm", "carbon monoxide detector", "co detector", "carbon monoxide"),
    "repair": ("repair", "fix", "fixing", "service", "servicing", "broken", "not working", "troubleshooting",
               "troubleshoot", "diagnostic", "diagnosis", "problem", "issue", "restore", "stopped working",
               "leaking", "noisy", "making noise", "wont turn on", "help", "repairing", "tripping", "tripped",
               "flickering", "sparking", "burning smell", "short cycling", "no power", "power outage",
               "not heating"),
    "install": ("install", "installation", "installer", "installing", "installed", "replace", "replacement",
                "replacing", "new system", "new unit", "new construction", "upgrade", "upgrading", "conversion",
                "convert", "retrofit", "hookup", "hook up", "sizing", "size"),
    "maintenance": ("maintenance", "maintain", "tune up", "tuneup", "check up", "checkup", "precision tune",
                    "preventive", "preventative", "seasonal", "flush", "flushing", "safety check",
                    "clean and check", "annual service", "maintaining"),
    "inspect": ("inspection", "inspect", "camera", "video inspection", "camera inspection", "detection",
                "detect", "locate", "locating", "testing", "test", "evaluation", "assessment", "inspecting"),
    "clean": ("cleaning", "clean", "cleanout", "clean out", "clearing", "cleaner"),
    "emergency": ("emergency", "urgent", "24 7", "24x7", "24 hour", "24 hr", "24hr", "around the clock",
                  "after hours", "same day", "overnight", "night"),
    "estimate": ("estimate", "quote", "consultation", "free estimate", "pricing", "cost", "how much",
                 "second opinion", "price"),
    "membership": ("membership", "member", "club", "maintenance plan", "service plan", "maintenance agreement",
                   "service agreement", "protection plan", "plan"),
}
# Phrases that mean more than one concept, or that must be consumed so their words mean nothing.
_COMPOUND: dict[str, tuple[str, ...]] = {
    "no heat": ("furnace", "repair"), "no hot water": ("water_heater", "repair"), "no cool": ("ac", "repair"),
    "no ac": ("ac", "repair"), "not cooling": ("ac", "repair"), "blowing warm air": ("ac", "repair"),
    "blowing hot air": ("ac", "repair"), "leak detection": ("leak", "inspect"),
    "service upgrade": ("panel", "install"), "maintenance plan": ("membership", "maintenance"),
    "maintenance agreement": ("membership", "maintenance"),
    "refrigerant leak": ("ac", "repair"), "freon leak": ("ac", "repair"),
    "pilot light": (), "beat the heat": (), "hot springs": (), "cool springs": (), "heat wave": (), "hot tub": (),
}
# Parts: replacing one is a repair of the equipment, not a new installation ("compressor replacement").
_PARTS: dict[str, tuple[str, ...]] = {
    "compressor": ("ac",), "refrigerant": ("ac",), "freon": ("ac",), "coolant": ("ac",), "evaporator": ("ac",),
    "capacitor": (), "contactor": (), "fan motor": (), "blower motor": ("hvac",), "blower": ("hvac",),
    "igniter": ("furnace",), "ignitor": ("furnace",), "flame sensor": ("furnace",), "circuit board": (),
    "thermocouple": (), "gas valve": (), "heating element": ("water_heater",), "anode": ("water_heater",),
    "flapper": ("toilet",), "fill valve": ("toilet",), "wax ring": ("toilet",), "cartridge": ("fixture",),
    "element": ("water_heater",),
}
# How strongly a phrase means its concept (default 1.0): "service" is a weaker "repair" than "repair".
STRENGTH: dict[str, float] = {
    "service": 0.7, "servicing": 0.7, "help": 0.5, "size": 0.5, "sizing": 0.7, "price": 0.7, "filter": 0.7,
    "tesla": 0.8, "circuit": 0.8, "interlock": 0.8, "bathroom": 0.6, "seer": 0.8,
    "problem": 0.8, "issue": 0.8, "same day": 0.6, "night": 0.6,
    "plan": 0.6, "member": 0.8, "club": 0.8, "tank": 0.8, "charger": 0.8, "wire": 0.8, "light": 0.8,
    "switch": 0.8, "sink": 0.8, "test": 0.8, "testing": 0.8, "cost": 0.8, "pricing": 0.8, "noisy": 0.7,
    "convert": 0.8, "seasonal": 0.7, "lateral": 0.8, "cleaner": 0.7, "detect": 0.9, "fuse": 0.8,
}
# Only for pricebook codes such as HVAC-DIAG-001 or PLB-WH-401.
CODE_ABBREVIATIONS: dict[str, str] = {
    "plb": "plumbing", "plmb": "plumbing", "elec": "electrical", "elc": "electrical", "diag": "diagnostic",
    "mnt": "maintenance", "maint": "maintenance", "rep": "repair", "ins": "install", "inst": "install",
    "drn": "drain", "swr": "sewer", "wh": "water heater", "lk": "leak", "furn": "furnace", "hp": "heat pump",
    "gen": "generator", "pnl": "panel", "tstat": "thermostat", "iaq": "iaq", "ac": "ac", "hvac": "hvac",
    "ev": "ev", "tkl": "tankless",
}
STOPWORDS = frozenset(
    "a an and or the of for in on at to by with from your you my our we us is are near me best top local "
    "affordable trusted expert experts professional pro pros residential commercial home homes house company "
    "co inc llc areas area serving serve served page blog about why how what when who which do does can "
    "should signs sign tips guide vs www com html htm php aspx".split()
)
# Path segments that only file a page somewhere ("/services/ac-repair") and say nothing about it.
FOLDER_WORDS = frozenset(
    "services service our-services what-we-do residential commercial blog news articles resources locations "
    "location service-areas service-area areas-we-serve areas cities lp landing offers offer specials coupons "
    "promotions promo p page pages category tag en us".split()
)
EQUIPMENT_FOLLOWING_NEW = frozenset({EQUIPMENT, TRADE})


def _phrase_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for concept, phrases in _SYNONYMS.items():
        for phrase in phrases:
            table[tuple(phrase.split())] = (concept,)
    for phrase, concepts in _COMPOUND.items():
        table[tuple(phrase.split())] = concepts
    for phrase, concepts in _PARTS.items():
        table[tuple(phrase.split())] = (*concepts, "repair")
    for words, concepts in list(table.items()):
        if len(words) > 1 and "".join(words) not in {w for ws in table for w in ws}:
            table.setdefault(("".join(words),), concepts)  # "waterheater", "tuneup", "minisplit"
    return table


PHRASES = _phrase_table()
_PART_KEYS = frozenset(tuple(phrase.split()) for phrase in _PARTS)
MAX_PHRASE = max(len(words) for words in PHRASES)
VOCABULARY = frozenset(word for words in PHRASES for word in words) | {"new"}
_FUZZY_VOCABULARY = sorted(word for word in VOCABULARY if len(word) >= 6)


@dataclass(frozen=True)
class Hit:
    concept: str
    words: str  # the page's own words, e.g. "a/c" or "replacement"
    strength: float


_PRE = (
    (re.compile(r"\ba\s*/\s*c\b|\ba\.c\.", re.I), " ac "),
    (re.compile(r"\b24\s*/\s*7\b"), " 24x7 "),
    (re.compile(r"&|\+"), " and "),
    (re.compile(r"['’]"), ""),
    (re.compile(r"(?<=[a-z])(?=[A-Z][a-z])"), " "),  # camelCase slugs
)
_SPLIT = re.compile(r"[^a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lowercase words of a slug, title or name; splits on - _ / . and spaces, keeps "a/c" as "ac"."""
    for pattern, replacement in _PRE:
        text = pattern.sub(replacement, text)
    return [token for token in _SPLIT.split(text.lower()) if token]


def singular(word: str) -> str:
    for suffix, replacement in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("sses", "ss"),
                                ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + replacement
    return word


@lru_cache(maxsize=20_000)
def canonical(token: str) -> str:
    """The vocabulary word a token stands for: itself, its singular, or a close spelling ("furnance")."""
    if token in VOCABULARY or token in STOPWORDS or token.isdigit():
        return token
    for candidate in (singular(token), token[:-1] if token.endswith("es") else ""):
        if candidate in VOCABULARY:
            return candidate
    if len(token) >= 6 and not any(ch.isdigit() for ch in token):
        match = process.extractOne(token, _FUZZY_VOCABULARY, scorer=fuzz.ratio, score_cutoff=88)
        if match:
            return match[0]
    return token


def _split_compound(token: str) -> list[str] | None:
    """Split a run-together slug word ("acrepair", "heatpumpinstall") when every part is a known word."""
    if len(token) < 6 or token in VOCABULARY:
        return None
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 14), end):
            if start in best and token[start:end] in VOCABULARY and len(token[start:end]) >= 2:
                parts = best[start] + [token[start:end]]
                if end not in best or len(parts) < len(best[end]):
                    best[end] = parts
    split = best.get(len(token))
    if not split or len(split) < 2:
        return None
    kinds = {CONCEPTS[hit.concept].kind for hit in find_concepts(split)}
    return split if kinds & {EQUIPMENT, TRADE} else None


def _starts_with_equipment(words: list[str]) -> bool:
    for size in range(min(MAX_PHRASE, len(words)), 0, -1):
        concepts = PHRASES.get(tuple(words[:size]))
        if concepts:
            return any(CONCEPTS[concept].kind in EQUIPMENT_FOLLOWING_NEW for concept in concepts)
    return False


def find_concepts(tokens: list[str]) -> list[Hit]:
    """Concept hits in a token list, longest phrase first; surface words are kept for the evidence."""
    expanded: list[str] = []
    for token in tokens:
        expanded.extend(_split_compound(token) or [token])
    words = [canonical(token) for token in expanded]
    hits: list[Hit] = []
    i, after_part = 0, False
    while i < len(words):
        for size in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            key = tuple(words[i:i + size])
            if key in PHRASES:
                surface = " ".join(expanded[i:i + size])
                phrase = " ".join(key)
                concepts = PHRASES[key]
                if after_part and concepts == ("install",):
                    concepts = ("repair",)  # "capacitor replacement" repairs the AC
                hits.extend(Hit(concept, surface, STRENGTH.get(phrase, 1.0)) for concept in concepts)
                after_part = phrase in _PARTS
                i += size
                break
        else:
            if words[i] == "new" and _starts_with_equipment(words[i + 1:]):
                hits.append(Hit("install", expanded[i], 0.9))  # "new furnace" but not "New Braunfels"
            after_part = after_part and words[i] in STOPWORDS
            i += 1
    return hits


def names_a_part(text: str) -> bool:
    """Whether a name is about a part ("Capacitor Replacement") rather than the equipment or the visit."""
    words = [canonical(token) for token in tokenize(text)]
    return any(tuple(words[i:i + size]) in _PART_KEYS for i in range(len(words)) for size in (1, 2))


def code_tokens(code: str) -> list[str]:
    """Tokens of a pricebook code with its abbreviations spelled out ("PLB-WH-401" -> plumbing water heater)."""
    out: list[str] = []
    for token in tokenize(code):
        if token in CODE_ABBREVIATIONS:
            out.extend(CODE_ABBREVIATIONS[token].split())
    return out


def concepts_of(text: str) -> list[Hit]:
    return find_concepts(tokenize(text))


_RELATED: dict[frozenset[str], float] = {
    frozenset({"inspect", "maintenance"}): 0.75, frozenset({"clean", "maintenance"}): 0.6,
    frozenset({"estimate", "install"}): 0.6, frozenset({"drain", "sewer"}): 0.5,
    frozenset({"duct", "air_quality"}): 0.5, frozenset({"mini_split", "heat_pump"}): 0.4,
    frozenset({"ac", "heat_pump"}): 0.2, frozenset({"furnace", "heat_pump"}): 0.2,
    frozenset({"furnace", "boiler"}): 0.3, frozenset({"outlet", "wiring"}): 0.5,
    frozenset({"lighting", "ceiling_fan"}): 0.5, frozenset({"panel", "surge"}): 0.4,
    frozenset({"pipe", "repipe"}): 0.6, frozenset({"pipe", "leak"}): 0.4, frozenset({"toilet", "fixture"}): 0.3,
    frozenset({"fixture", "disposal"}): 0.3, frozenset({"ac", "swamp_cooler"}): 0.3,
    frozenset({"membership", "maintenance"}): 0.4, frozenset({"repair", "emergency"}): 0.2,
    frozenset({"repair", "maintenance"}): 0.3,
}


def relatedness(target: str, page: str) -> float:
    """How well a page concept stands for a concept in an object's name (direction matters)."""
    if target == page:
        return 1.0
    t, p = CONCEPTS[target], CONCEPTS[page]
    if p.parent == target:
        return 0.75  # the page is more specific: "tankless" page for a "Water Heater Install" job type
    if t.parent == page:
        return 0.45  # the page is more general: "water heater" page for a tankless job type
    if t.kind == TRADE and p.trade == target:
        return 0.7  # "toilet" page for a "Plumbing Repair" job type
    if p.kind == TRADE and t.trade == page:
        return 0.35  # "plumbing" page for a "Toilet Repair" job type
    return _RELATED.get(frozenset({target, page}), 0.0)
