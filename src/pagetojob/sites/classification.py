"""Guess a page's kind (service, location, campaign, offer, membership, home, other) from its URL and title.

The URL decides first, because contractors' titles name the city and the price on almost every page;
the title decides only when the URL says nothing. Rules, in order:

1. ``/`` (or ``/index.html``, ``/home``) is the home page.
2. A section in the path: ``/blog/``, ``/about``… → other; ``/lp/``, ``/landing/``, ``/promo/`` → campaign;
   ``/offers/``, ``/coupons/``, ``/specials/`` → offer; ``/membership``, ``/club`` → membership;
   ``/service-areas/``, ``/locations/`` → location.
3. Words in the slug: blog/about/contact/careers/privacy/financing… → other; membership/club/plan/members
   → membership; coupon/special/offer/deal/rebate → offer; promo/landing → campaign.
4. A title that sells a plan ("Comfort Club", "Drain Guard Plan", "maintenance agreement") → membership.
5. A city in the slug (``/ac-repair-phoenix``, ``/service/mesa``) → location.
6. A trade word in the slug (ac, furnace, drain, water-heater, panel, repair…) → service.
7. The title alone: "$89", "coupon", "% off" → offer; "<service> in <City>" → location; a trade word →
   service. Anything else is other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pagetojob.sites.models import PageKind

HOME_PATHS = {"", "/index.html", "/index.htm", "/index.php", "/home", "/home-page", "/homepage"}
OTHER_WORDS = {
    "blog", "blogs", "news", "article", "articles", "post", "posts", "about", "contact", "careers", "career",
    "jobs", "employment", "privacy", "terms", "policy", "cookie", "cookies", "accessibility", "sitemap",
    "reviews", "review", "testimonials", "faq", "faqs", "team", "staff", "gallery", "portfolio", "financing",
    "finance", "warranty", "warranties", "login", "account", "cart", "checkout", "thank", "thanks", "tag",
    "category", "author", "search", "resources", "tips", "press", "referral", "referrals",
}
CAMPAIGN_SECTIONS = {"lp", "landing", "landing-page", "landing-pages", "promo", "promos", "campaign", "campaigns",
                     "go", "ppc"}
CAMPAIGN_WORDS = {"lp", "landing", "promo", "promos", "ppc"}
OFFER_WORDS = {"offer", "offers", "coupon", "coupons", "special", "specials", "deal", "deals", "discount",
               "discounts", "rebate", "rebates", "savings", "promotion", "promotions", "sale"}
MEMBERSHIP_WORDS = {"membership", "memberships", "member", "members", "club", "vip", "plan", "plans",
                    "agreement", "agreements"}
LOCATION_SECTIONS = {"service-areas", "service-area", "areas-we-serve", "areas-served", "areas", "area",
                     "locations", "location", "cities", "city", "communities", "community", "neighborhoods"}
TRADE_WORDS = {
    # HVAC
    "ac", "hvac", "air", "conditioner", "conditioners", "conditioning", "cooling", "heating", "heat", "heater",
    "heaters", "furnace", "furnaces", "boiler", "boilers", "duct", "ducts", "ductwork", "ductless", "mini",
    "split", "splits", "thermostat", "thermostats", "humidifier", "humidifiers", "dehumidifier", "purifier",
    "purifiers", "filtration", "iaq", "refrigerant", "freon", "compressor", "condenser", "evaporator", "coil",
    "swamp", "cooler", "coolers", "geothermal",
    # Plumbing
    "plumbing", "plumber", "plumbers", "drain", "drains", "sewer", "septic", "water", "tankless", "leak",
    "leaks", "pipe", "pipes", "repipe", "repiping", "toilet", "toilets", "faucet", "faucets", "sink", "sinks",
    "disposal", "disposals", "sump", "softener", "softeners", "backflow", "gas", "jetting", "hydrojetting",
    "rooter", "clog", "clogs", "slab", "shower", "bathtub",
    # Electrical
    "electrical", "electrician", "electricians", "electric", "panel", "panels", "breaker", "breakers",
    "wiring", "rewiring", "rewire", "outlet", "outlets", "generator", "generators", "ev", "charger",
    "chargers", "lighting", "surge", "fan", "fans", "gfci", "circuit", "circuits",
    # Work done
    "repair", "repairs", "installation", "installations", "install", "installer", "replacement", "replace",
    "maintenance", "tune", "tuneup", "inspection", "inspections", "cleaning", "emergency", "diagnostic",
}
# Common cities for contractor sites; the workspace's zone cities are added at import time.
KNOWN_CITIES = (
    "phoenix", "mesa", "tempe", "chandler", "gilbert", "scottsdale", "glendale", "peoria", "goodyear",
    "avondale", "buckeye", "queen creek", "san tan valley", "fountain hills", "paradise valley", "cave creek",
    "sun city", "sun city west", "sun lakes", "apache junction", "litchfield park", "tolleson", "laveen",
    "ahwatukee", "anthem", "maricopa", "casa grande", "tucson", "oro valley", "marana", "sahuarita",
    "flagstaff", "prescott", "prescott valley", "sedona", "yuma", "kingman", "lake havasu city",
    "albuquerque", "santa fe", "las vegas", "henderson", "reno", "boise", "salt lake city", "provo", "ogden",
    "st george", "denver", "aurora", "lakewood", "boulder", "fort collins", "colorado springs",
    "los angeles", "san diego", "san jose", "san francisco", "oakland", "sacramento", "fresno", "bakersfield",
    "riverside", "irvine", "anaheim", "santa ana", "long beach", "stockton", "modesto", "palm springs",
    "seattle", "tacoma", "spokane", "bellevue", "portland", "salem", "eugene", "dallas", "fort worth",
    "houston", "austin", "san antonio", "el paso", "plano", "frisco", "mckinney", "arlington", "irving",
    "garland", "katy", "sugar land", "the woodlands", "round rock", "corpus christi", "lubbock", "amarillo",
    "laredo", "mcallen", "waco", "killeen", "oklahoma city", "tulsa", "wichita", "omaha", "kansas city",
    "st louis", "des moines", "minneapolis", "st paul", "milwaukee", "madison", "chicago", "naperville",
    "indianapolis", "columbus", "cleveland", "cincinnati", "dayton", "toledo", "akron", "detroit",
    "grand rapids", "ann arbor", "lansing", "louisville", "lexington", "nashville", "memphis", "knoxville",
    "chattanooga", "atlanta", "savannah", "birmingham", "huntsville", "little rock", "new orleans",
    "baton rouge", "jacksonville", "tampa", "orlando", "miami", "fort lauderdale", "west palm beach",
    "st petersburg", "clearwater", "sarasota", "naples", "fort myers", "lakeland", "gainesville",
    "tallahassee", "pensacola", "charlotte", "raleigh", "durham", "greensboro", "winston salem", "charleston",
    "greenville", "columbia", "richmond", "norfolk", "virginia beach", "chesapeake", "alexandria",
    "baltimore", "philadelphia", "pittsburgh", "newark", "jersey city", "new york", "brooklyn", "buffalo",
    "rochester", "syracuse", "albany", "boston", "worcester", "providence", "hartford", "anchorage",
    "honolulu",
)
PRICE = re.compile(r"\$\s?\d")
OFFER_TITLE = re.compile(r"\b(coupons?|specials?|deals?|discounts?|rebates?|offers?|save|savings)\b|\d+\s?% off",
                         re.IGNORECASE)
MEMBERSHIP_TITLE = re.compile(r"\b(membership|memberships|club|(maintenance|service|protection)\s+"
                              r"(plan|agreement|program))\b", re.IGNORECASE)
NAMED_PLAN = re.compile(r"\b[A-Z][a-z]+ Plan\b")
CITY_STATE_TITLE = re.compile(r"\b(in|near|serving)\s+[A-Z][A-Za-z.' -]*,\s*[A-Z]{2}\b")
WORD = re.compile(r"[a-z0-9]+")
EXTENSION = re.compile(r"\.(html?|php|aspx?|jsp)$")


@dataclass(frozen=True)
class KindGuess:
    kind: str
    reason: str


def _city_slug(city: str) -> str:
    return "-".join(WORD.findall(city.lower().replace("saint ", "st ")))


@lru_cache(maxsize=32)
def _city_patterns(extra: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    slugs = sorted({_city_slug(c) for c in (*KNOWN_CITIES, *extra) if _city_slug(c)}, key=len, reverse=True)
    in_slug = re.compile(r"(?:^|-)(" + "|".join(re.escape(s) for s in slugs) + r")(?:-|$)")
    words = [r"[\s.-]+".join(re.escape(part) for part in s.split("-")) for s in slugs]
    in_title = re.compile(r"\b(?:in|near|serving)\s+(" + "|".join(words) + r")\b", re.IGNORECASE)
    return in_slug, in_title


def classify_page(path: str, title: str = "", cities: Iterable[str] = ()) -> KindGuess:
    """The kind a page most likely has, and the rule that decided it."""
    path = (path or "/").split("?")[0].split("#")[0].lower()
    if path.rstrip("/") in HOME_PATHS:
        return KindGuess(PageKind.HOME, "the site's home page")
    segments = [EXTENSION.sub("", s) for s in path.split("/") if s]
    for segment in segments:
        if segment in OTHER_WORDS or segment in {"about-us", "contact-us", "privacy-policy", "our-team"}:
            return KindGuess(PageKind.OTHER, f"the /{segment}/ section")
        if segment in CAMPAIGN_SECTIONS:
            return KindGuess(PageKind.CAMPAIGN, f"the /{segment}/ section (landing pages)")
        if segment in {"offers", "offer", "coupons", "coupon", "specials", "deals", "promotions"}:
            return KindGuess(PageKind.OFFER, f"the /{segment}/ section")
        if segment in {"membership", "memberships", "club", "maintenance-plan", "maintenance-plans",
                       "service-plans", "members"}:
            return KindGuess(PageKind.MEMBERSHIP, f"the /{segment}/ section")
        if segment in LOCATION_SECTIONS:
            return KindGuess(PageKind.LOCATION, f"the /{segment}/ section (service areas)")
    words = [word for segment in segments for word in WORD.findall(segment)]
    for vocabulary, kind in ((OTHER_WORDS, PageKind.OTHER), (MEMBERSHIP_WORDS, PageKind.MEMBERSHIP),
                             (OFFER_WORDS, PageKind.OFFER), (CAMPAIGN_WORDS, PageKind.CAMPAIGN)):
        found = next((word for word in words if word in vocabulary), None)
        if found:
            return KindGuess(kind, f"“{found}” in the URL")
    if MEMBERSHIP_TITLE.search(title) or NAMED_PLAN.search(title):
        return KindGuess(PageKind.MEMBERSHIP, "the title sells a plan or club")
    in_slug, in_title = _city_patterns(tuple(sorted({c.strip().lower() for c in cities if c and c.strip()})))
    for segment in segments:
        match = in_slug.search("-".join(WORD.findall(segment)))
        if match:
            return KindGuess(PageKind.LOCATION, f"the city “{match.group(1)}” in the URL")
    trade = next((word for word in words if word in TRADE_WORDS), None)
    if trade:
        return KindGuess(PageKind.SERVICE, f"the trade word “{trade}” in the URL")
    return _from_title(title, in_title)


def _from_title(title: str, in_title: re.Pattern[str]) -> KindGuess:
    if PRICE.search(title) or OFFER_TITLE.search(title):
        return KindGuess(PageKind.OFFER, "a price or an offer in the title")
    if in_title.search(title) or CITY_STATE_TITLE.search(title):
        return KindGuess(PageKind.LOCATION, "a city in the title")
    trade = next((word for word in WORD.findall(title.lower()) if word in TRADE_WORDS), None)
    if trade:
        return KindGuess(PageKind.SERVICE, f"the trade word “{trade}” in the title")
    return KindGuess(PageKind.OTHER, "no service, place, offer or plan in the URL or title")
