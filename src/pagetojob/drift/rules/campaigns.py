"""Rule 3: the bound campaign is inactive, or the page's UTM campaign does not name a campaign exactly."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz, process

from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule, day, described, missing_since
from pagetojob.drift.snapshot import Item, PageFacts, Snapshot

RULE_ID = "campaign_mismatch"
NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _spaces(text: str) -> list[str]:
    return re.findall(r"\s+", text) + (["edge"] if text != text.strip() else [])


def _punctuation(text: str) -> list[str]:
    return [ch for ch in text if not ch.isalnum() and not ch.isspace()]


def differences(value: str, name: str) -> list[str]:
    """How a UTM value differs from a campaign name: letter case, spaces, punctuation, or the name itself."""
    if NOT_ALNUM.sub("", value.casefold()) != NOT_ALNUM.sub("", name.casefold()):
        return ["a different name"]
    found = []
    if _letters(value) != _letters(name):
        found.append("letter case")
    if _spaces(value) != _spaces(name):
        found.append("spaces")
    if _punctuation(value) != _punctuation(name):
        found.append("punctuation")
    return found or ["invisible characters"]


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _inactive(snapshot: Snapshot, page: PageFacts, campaign: Item, via: str) -> Detected | None:
    gone_at = missing_since(snapshot, campaign)
    if campaign.active and gone_at is None:
        return None
    state = "inactive in ServiceTitan" if not campaign.active else "not in the newest ServiceTitan export"
    evidence = [f"Campaign {described(campaign)}: {state}"]
    if gone_at and campaign.active:
        evidence.append(f"Newest export of campaigns applied {day(gone_at)}")
    if page.utm_campaign:
        evidence.append(f"Page UTM campaign: “{page.utm_campaign}”")
    return Detected(
        RULE_ID, Severity.HIGH,
        f"The page {via} the campaign “{campaign.name}”, which is {state}: its calls and bookings are attributed "
        "to a campaign that is over.",
        "Bind the campaign that replaced it and update the ads' UTM campaign, or stop sending traffic to the page.",
        page, campaign, aspect="inactive", evidence=evidence)


def check(snapshot: Snapshot) -> Iterator[Detected]:
    campaigns = list(snapshot.items["campaigns"].values())
    by_name = {campaign.name: campaign for campaign in campaigns}
    names = [campaign.name for campaign in campaigns]
    for page in snapshot.live_pages:
        campaign = snapshot.item("campaigns", page.campaign_id)
        if campaign is not None:
            found = _inactive(snapshot, page, campaign, "is bound to")
            if found:
                yield found
        utm = page.utm_campaign
        if not utm:
            continue
        if campaign is None:
            named = by_name.get(utm)
            if named is not None:
                found = _inactive(snapshot, page, named, "names in its UTM")
                if found:
                    yield found
                continue
            near = (process.extractOne(utm, names, scorer=fuzz.token_set_ratio, processor=str.casefold)
                    if names else None)
            evidence = [f"Page UTM campaign: “{utm}”"]
            if near and near[1] >= 80:
                target = by_name[near[0]]
                evidence.append(f"Nearest campaign: {described(target)} ({_listing(differences(utm, target.name))} "
                                "differ)")
                fix = f"Set the page's UTM campaign to “{target.name}” exactly, in the page and in every ad link."
            else:
                fix = "Set the page's UTM campaign to a ServiceTitan campaign name, exactly as ServiceTitan spells it."
            yield Detected(
                RULE_ID, Severity.MEDIUM,
                f"The page's UTM campaign “{utm}” matches no ServiceTitan campaign exactly, so its leads are not "
                "attributed.",
                fix, page, None, aspect="utm", evidence=evidence)
        elif utm != campaign.name:
            kinds = differences(utm, campaign.name)
            detail = ("differs only in " + _listing(kinds)) if kinds != ["a different name"] else "is a different name"
            yield Detected(
                RULE_ID, Severity.MEDIUM,
                f"The page's UTM campaign “{utm}” {detail} from the bound campaign “{campaign.name}”; ServiceTitan "
                "matches campaign names exactly, so these leads are not attributed to it.",
                f"Set the UTM campaign to “{campaign.name}” exactly, in the page and in every ad link.",
                page, campaign, aspect="utm",
                evidence=[f"Page UTM campaign: “{utm}”", f"Bound campaign: {described(campaign)}",
                          f"Difference: {_listing(kinds)}"])


RULE = Rule(
    RULE_ID, 3, "Campaign inactive or UTM not matching", Severity.HIGH,
    "The page's campaign must be active in ServiceTitan, and the utm_campaign value its links carry must be the "
    "campaign's name exactly: ServiceTitan attributes leads by exact name, so a difference in letter case, spaces "
    "or punctuation loses the attribution.",
    "Bind an active campaign and make the UTM campaign value match its name exactly.",
    check,
)
