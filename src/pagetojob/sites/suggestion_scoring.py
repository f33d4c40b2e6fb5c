"""Reading a page into weighted trade concepts, and scoring taxonomy objects against it.

Pure functions over plain values: the slug weighs most, then the title (without the contractor's own
name, which often says "Heating & Air"), then headings. Zones match by ZIP and city, pricebook services
by name concepts and advertised price, membership types by the words of their names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from pagetojob.sites import lexicon
from pagetojob.sites.lexicon import ACTION, CONCEPTS, EQUIPMENT, MODIFIER, TRADE, relatedness

SERVICE_THRESHOLD = 0.8
SERVICE_MARGIN = 0.12
ZONE_THRESHOLD = 0.8
MEMBERSHIP_THRESHOLD = 0.5
MAX_SERVICES = 3

KIND_WEIGHT = {TRADE: 0.5, EQUIPMENT: 1.0, ACTION: 0.6, MODIFIER: 0.5}
CONCEPT_WEIGHT = {"estimate": 0.3, "membership": 0.4}
SOURCE_LABEL = {"url": "URL", "title": "title", "headings": "headings"}
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·•]\s+|\s*[|•·]\s*|:\s+")
_PRICE = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{2})?")
_EXTENSION = re.compile(r"\.(html?|php|aspx?|jsp)$", re.I)


def concept_weight(concept: str) -> float:
    return CONCEPT_WEIGHT.get(concept, KIND_WEIGHT[CONCEPTS[concept].kind])


@dataclass
class Term:
    concept: str
    weight: float
    words: list[str] = field(default_factory=list)
    source: str = "url"


@dataclass
class PageText:
    """What a page says: weighted concepts, the token runs (for city matching) and advertised prices."""

    terms: dict[str, Term] = field(default_factory=dict)
    runs: list[tuple[str, list[str]]] = field(default_factory=list)  # (source, tokens)
    prices: set[Decimal] = field(default_factory=set)

    def add(self, text: str, weight: float, source: str) -> None:
        tokens = lexicon.tokenize(text)
        self.runs.append((source, tokens))
        for hit in lexicon.find_concepts(tokens):
            value = weight * hit.strength
            term = self.terms.get(hit.concept)
            if term is None:
                self.terms[hit.concept] = Term(hit.concept, value, [hit.words], source)
                continue
            if hit.words not in term.words:
                term.words.append(hit.words)
            if value > term.weight:
                term.weight, term.source = value, source

    @property
    def has_action(self) -> bool:
        return any(CONCEPTS[c].kind == ACTION for c in self.terms)

    @property
    def words(self) -> set[str]:
        return {token for _, tokens in self.runs for token in tokens}


def is_brand(segment: str, brands: Iterable[str]) -> bool:
    tokens = set(lexicon.tokenize(segment)) - lexicon.STOPWORDS
    for brand in brands:
        brand_tokens = set(lexicon.tokenize(brand)) - lexicon.STOPWORDS
        if tokens and brand_tokens and (tokens <= brand_tokens or fuzz.token_set_ratio(segment, brand) >= 85):
            return True
    return False


def read_page(path: str, title: str = "", headings: Iterable[Any] = (), brands: Iterable[str] = (),
              offer_text: str = "", advertised_price: Decimal | None = None) -> PageText:
    text = PageText()
    brands = [b for b in brands if b]
    path = urlsplit(path).path if "://" in path else path.split("?")[0].split("#")[0]
    segments = [_EXTENSION.sub("", s) for s in path.split("/") if s]
    for index, segment in enumerate(segments):
        if index == len(segments) - 1:
            if segment.lower() not in lexicon.FOLDER_WORDS:
                text.add(segment, 1.0, "url")
        else:  # a folder such as /plumbing-services/ names the trade; its "services" is no action
            text.add(" ".join(t for t in lexicon.tokenize(segment) if t not in lexicon.FOLDER_WORDS), 0.6, "url")
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title or "") if part and part.strip()]
    kept = [part for part in parts if not is_brand(part, brands)]
    for brand in brands:
        kept = [re.sub(re.escape(brand), " ", part, flags=re.I) for part in kept]
    main_seen = False
    for part in kept:
        has_concepts = bool(lexicon.concepts_of(part))
        text.add(part, 0.8 if has_concepts and not main_seen else 0.55, "title")
        main_seen = main_seen or has_concepts
    headings = [str(h) for h in headings or []]
    for heading in headings:
        text.add(heading, 0.5, "headings")
    for source in (title or "", offer_text or "", *headings):
        for whole, cents in _PRICE.findall(source):
            text.prices.add(Decimal(whole.replace(",", "") + (cents or ".00")))
    if advertised_price is not None:
        text.prices.add(Decimal(advertised_price))
    return text


def name_concepts(*texts: str, code: str = "") -> dict[str, float]:
    concepts: dict[str, float] = {}
    for text in texts:
        for hit in lexicon.concepts_of(text or ""):
            concepts[hit.concept] = max(concepts.get(hit.concept, 0.0), hit.strength)
    if code:
        for hit in lexicon.find_concepts(lexicon.code_tokens(code)):
            concepts.setdefault(hit.concept, 0.5 * hit.strength)
    return concepts


@dataclass
class Match:
    score: float
    used: list[str]  # the page concepts that explained the object


def score_concepts(concepts: dict[str, float], text: PageText) -> Match:
    """How well a page explains an object's name: coverage both ways, equipment weighted highest."""
    if not concepts or not text.terms:
        return Match(0.0, [])
    used: list[str] = []
    num = den = 0.0
    equipment_needed = equipment_found = False
    for concept, strength in concepts.items():
        weight = concept_weight(concept) * strength
        best, via = 0.0, None
        for term in text.terms.values():
            value = relatedness(concept, term.concept) * term.weight
            if value > best:
                best, via = value, term.concept
        if best == 0.0 and concept == "repair" and not text.has_action:
            best = 0.5  # a page that names no action is most often about repair or service
        if CONCEPTS[concept].kind in (EQUIPMENT, TRADE):
            equipment_needed = True
            equipment_found = equipment_found or best >= 0.4  # a bare "plumbing" does not name a water heater
        num += weight * best
        den += weight
        if via and via not in used:
            used.append(via)
    trades = {CONCEPTS[c].trade for c in concepts} - {None}
    page_num = page_den = 0.0
    for term in text.terms.values():
        weight = concept_weight(term.concept) * term.weight
        if CONCEPTS[term.concept].kind == TRADE:
            covered = 1.0 if term.concept in trades else 0.0
        else:
            covered = max(relatedness(c, term.concept) for c in concepts)
        page_num += weight * covered
        page_den += weight
    score = 0.55 * (num / den) + 0.45 * (page_num / page_den if page_den else 0.0)
    if equipment_needed and not equipment_found:
        score *= 0.3
    elif not equipment_needed and any(CONCEPTS[c].kind == EQUIPMENT for c in text.terms):
        score *= 0.75  # "Maintenance Visit" says nothing about the water heater the page is about
    return Match(round(min(score, 1.0), 3), used)


def quote(words: Iterable[str]) -> str:
    return " + ".join(f"'{w}'" for w in words)


def words_by_source(text: PageText, concepts: list[str]) -> tuple[list[str], str]:
    """The page words behind some concepts, and where they were found ("'ac' + 'repair' in URL")."""
    matched: list[str] = []
    by_source: dict[str, list[str]] = {}
    for concept in concepts:
        term = text.terms[concept]
        word = term.words[0]
        if word not in matched:
            matched.append(word)
            by_source.setdefault(term.source, []).append(word)
    where = ", ".join(f"{quote(words)} in {SOURCE_LABEL[source]}" for source, words in by_source.items())
    return matched, where


def _contains(tokens: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return size > 0 and any(tokens[i:i + size] == needle for i in range(len(tokens) - size + 1))


@dataclass
class Found:
    obj: Any
    score: float
    matched: list[str]
    reason: str


def match_zones(city: str, zips: Iterable[Any], text: PageText, zones: Iterable[Any]) -> list[Found]:
    """Zones by the page's ZIPs, its city, or a zone's city or name in the slug or title."""
    found = []
    city = (city or "").strip()
    page_zips = {str(z).strip() for z in zips or []}
    for zone in zones:
        state = "" if zone.state == "active" else f" ({zone.get_state_display()})"
        shared = sorted(page_zips & {str(z) for z in zone.zips or []})
        cities = [str(c) for c in zone.cities or []]
        if shared:
            found.append(Found(zone, 1.0, shared, f"ZIPs {', '.join(shared[:6])} are in zone {zone.name}{state}"))
        elif city and city.casefold() in {c.casefold() for c in cities}:
            found.append(Found(zone, 0.95, [city], f"city {city} is in zone {zone.name}{state}"))
        else:
            for name in [*cities, zone.name]:
                needle = lexicon.tokenize(name)
                source = next((s for s, tokens in text.runs if s != "headings" and _contains(tokens, needle)), None)
                if source:
                    what = "the name of" if name == zone.name else "a city of"
                    found.append(Found(zone, 0.85, [name.lower()],
                                       f"'{name.lower()}' in {SOURCE_LABEL[source]} is {what} zone {zone.name}{state}"))
                    break
            else:
                listed = sorted(str(z) for z in zone.zips or [] if str(z) in text.words)
                if listed:
                    found.append(Found(zone, 0.9, listed, f"ZIP {listed[0]} on the page is in zone {zone.name}{state}"))
    return [item for item in found if item.score >= ZONE_THRESHOLD]


def match_services(text: PageText, services: Iterable[tuple[Any, dict[str, float], dict[str, float]]],
                   job_concepts: dict[str, float]) -> list[Found]:
    """Pricebook services whose names the page fully explains; an advertised price that matches adds weight.

    A service must share equipment with the page and have no unexplained word in its name ("After-Hours
    AC Diagnostic" is not proposed for a plain AC repair page); parts count for less, and only the
    services close to the best are kept.
    """
    found = []
    for service, concepts, extra in services:
        match = score_concepts(concepts, text)
        if lexicon.names_a_part(service.name):
            match.score *= 0.8  # pages sell the visit or the system, rarely one part
        if not match.used or not _fully_explained(concepts, text):
            continue
        if not any(CONCEPTS[c].kind in (EQUIPMENT, TRADE) for c in match.used):
            continue
        matched, where = words_by_source(text, match.used)
        score, reasons = match.score, [f"{where} matched pricebook service {service.name}"]
        if extra and score_concepts({**extra, **job_concepts}, text).score > 0.5:
            score += 0.05  # the code or category agrees, e.g. HVAC-DIAG on an AC repair page
        prices = {Decimal(p) for p in (service.price, service.member_price) if p is not None and p > 0}
        if prices & text.prices:
            price = min(prices & text.prices)
            label = f"${price:,.2f}".removesuffix(".00")
            score += 0.25
            matched.append(label)
            reasons.append(f"the advertised {label} matches its price")
        if score >= SERVICE_THRESHOLD:
            found.append(Found(service, round(min(score, 1.0), 3), matched, "; ".join(reasons)))
    found.sort(key=lambda item: (-item.score, item.obj.name))
    best = found[0].score if found else 0.0
    return [item for item in found if item.score >= best - SERVICE_MARGIN][:MAX_SERVICES]


def _fully_explained(concepts: dict[str, float], text: PageText) -> bool:
    return all(
        max((relatedness(c, term.concept) * term.weight for term in text.terms.values()), default=0.0) >= 0.4
        for c, strength in concepts.items() if strength >= 0.7 and concept_weight(c) >= 0.5
    )


def match_membership(is_membership_page: bool, text: PageText, memberships: list[Any]) -> Found | None:
    """The membership type whose name's words are on the page (or its price); only for membership pages."""
    if not is_membership_page and "membership" not in text.terms:
        return None
    words = text.words
    best: Found | None = None
    for membership in memberships:
        tokens = [t for t in lexicon.tokenize(membership.name) if t not in lexicon.STOPWORDS]
        shared = [t for t in tokens if t in words]
        score = len(shared) / len(tokens) if tokens else 0.0
        reasons = [f"{quote(shared)} matched membership type {membership.name}"] if shared else []
        if membership.price is not None and Decimal(membership.price) in text.prices:
            score = min(1.0, score + 0.3)
            reasons.append(f"its price ${membership.price} is on the page")
        if score >= MEMBERSHIP_THRESHOLD and (best is None or score > best.score):
            best = Found(membership, round(score, 3), shared, "; ".join(reasons))
    if best is None and is_membership_page and len(memberships) == 1:
        best = Found(memberships[0], 0.5, [], f"the only active membership type is {memberships[0].name}")
    return best
