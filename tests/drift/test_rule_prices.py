"""Rule 6: advertised prices and offers against the pricebook, and expired offers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pagetojob.drift.rules.prices import RULE, offer_amounts
from tests.drift.factory import item, page, run, snap

DIAG = item("pricebook-services", 1, "AC Diagnostic", price="89.00", member_price="0.00", code="HVAC-DIAG-001")
CLUB = item("membership-types", 2, "Comfort Club", price="19.95")


def test_offer_amounts_leave_discounts_out():
    assert offer_amounts("$89 AC diagnostic, waived with any repair") == [Decimal("89.00")]
    assert offer_amounts("$25 off any repair, save $50 on installs, up to $1,000 rebate") == []
    assert offer_amounts("Two tune-ups a year for $19.95/month; $1,250 system credit") == [Decimal("19.95")]


def test_advertised_price_below_the_pricebook_is_found():
    found = run(RULE, snap([page(1, "/offers/diag", kind="offer", advertised_price="79.00", service_ids=[1],
                                 offer_text="AC diagnostic for just $79")], [DIAG]))
    assert len(found) == 1
    assert found[0].message == "The page advertises $79.00, but the pricebook says “AC Diagnostic” is $89.00 " \
                               "(members $0.00)."
    assert "Offer “AC diagnostic for just $79” states $79.00" in found[0].evidence


def test_price_or_member_price_or_membership_price_passes():
    pages = [page(1, "/a", advertised_price="89.00", service_ids=[1]),
             page(2, "/b", advertised_price="0", service_ids=[1], offer_text="Free for members, $89 otherwise"),
             page(3, "/club", kind="membership", advertised_price="19.95", membership_type_id=2, service_ids=[1])]
    assert run(RULE, snap(pages, [DIAG, CLUB])) == []


def test_price_without_a_bound_service_is_not_guessed():
    assert run(RULE, snap([page(1, "/offer", advertised_price="49")], [DIAG])) == []


def test_expired_offer_is_found_and_a_current_one_passes():
    expired = page(1, "/spring", offer_text="Spring tune-up $129", offer_expires_on=date(2026, 5, 31))
    current = page(2, "/winter", offer_text="Winter tune-up", offer_expires_on=date(2027, 1, 31))
    found = run(RULE, snap([expired, current]))
    assert [(f.page.path, f.aspect, f.severity) for f in found] == [("/spring", "expired", "medium")]
    assert "expired on May 31, 2026" in found[0].message
