"""A page's kind is guessed from its URL first, then its title, for HVAC, plumbing and electrical sites."""

from __future__ import annotations

import pytest

from pagetojob.sites.classification import classify_page

CASES = [
    # home
    ("/", "Desert Peak Heating & Air | Phoenix AC, Heating & Plumbing", "home"),
    ("/index.html", "Bright Spark Electric", "home"),
    ("/home", "Welcome to Rapid Rooter Plumbing", "home"),
    # service
    ("/ac-repair", "AC Repair in the Valley | Desert Peak Heating & Air", "service"),
    ("/emergency-ac-repair", "24/7 Emergency AC Repair | Desert Peak Heating & Air", "service"),
    ("/ac-tune-up", "AC Tune-Up $129 | Members $99", "service"),
    ("/furnace-repair", "Furnace Repair in Phoenix & the East Valley", "service"),
    ("/heat-pump-installation", "Heat Pump Installation in Phoenix", "service"),
    ("/ductless-mini-splits", "Ductless Mini-Split Installation", "service"),
    ("/indoor-air-quality", "Indoor Air Quality: Purifiers, Filters & Humidity", "service"),
    ("/services/water-heater-repair", "Water Heater Repair", "service"),
    ("/plumbing/tankless-water-heaters/", "Tankless Water Heaters: Install & Upgrade", "service"),
    ("/drain-cleaning", "Drain Cleaning & Clog Removal | Phoenix Plumbers", "service"),
    ("/sewer-line-inspection", "Sewer Line Camera Inspection", "service"),
    ("/leak-detection", "Leak Detection & Slab Leak Repair", "service"),
    ("/electrical/panel-upgrades", "Electrical Panel Upgrades | 200 Amp Service", "service"),
    ("/ev-charger-installation", "Home EV Charger Installation", "service"),
    ("/whole-home-generators.html", "Whole-Home Generators: Sales & Service", "service"),
    ("/ceiling-fan-installation", "Ceiling Fan Installation", "service"),
    ("/p/1234", "Garbage Disposal Replacement", "service"),
    # location
    ("/service-areas/mesa", "AC Repair & Plumbing in Mesa, AZ", "location"),
    ("/service-areas/queen-creek", "AC Repair in Queen Creek & San Tan Valley", "location"),
    ("/locations/scottsdale/", "Scottsdale Heating & Cooling", "location"),
    ("/areas-we-serve/fort-worth", "Fort Worth Plumbers", "location"),
    ("/ac-repair-phoenix", "AC Repair Phoenix, AZ | Same-Day Service", "location"),
    ("/drain-cleaning-tucson", "Drain Cleaning in Tucson", "location"),
    ("/electrician-st-louis", "Electrician in St. Louis", "location"),
    ("/plumber-surprise-az", "Plumber in Surprise", "location"),  # a zone city given by the workspace
    ("/chandler", "Chandler Air Conditioning Experts", "location"),
    ("/our-work", "Heating and Cooling in Gilbert, AZ", "location"),
    # campaign
    ("/lp/summer-ac-demand", "Beat the Heat: $89 AC Diagnostic, Same-Day Service", "campaign"),
    ("/lp/google-lsa", "Google Guaranteed AC Repair | Desert Peak", "campaign"),
    ("/landing/winter-furnace", "Winter Furnace Safety Check $79", "campaign"),
    ("/promo/water-heater-flush", "Water Heater Flush", "campaign"),
    ("/winter-furnace-promo", "Winter Furnace Safety Check", "campaign"),
    # offer
    ("/offers/89-ac-diagnostic", "$89 AC Diagnostic | Desert Peak Heating & Air", "offer"),
    ("/coupons", "Coupons & Specials", "offer"),
    ("/specials/free-second-opinion", "Free Second Opinion on Any AC Replacement Quote", "offer"),
    ("/spring-tune-up-special", "Spring AC Tune-Up Special", "offer"),
    ("/rebates", "Utility Rebates on High-Efficiency Systems", "offer"),
    ("/limited-time", "$49 Drain Clearing This Month Only", "offer"),
    ("/save-now", "Save 15% off Panel Upgrades", "offer"),
    # membership
    ("/comfort-club", "Desert Peak Comfort Club Membership", "membership"),
    ("/gold-plan-members", "Gold Plan Members: Schedule Your Visit", "membership"),
    ("/membership", "Join the Club", "membership"),
    ("/maintenance-plan", "HVAC Maintenance Plan", "membership"),
    ("/drain-guard", "Drain Guard Plan: Annual Drain Maintenance", "membership"),
    ("/club/benefits", "Member Benefits", "membership"),
    ("/safety-first", "Electrical Safety Maintenance Agreement", "membership"),
    # other
    ("/about", "About Desert Peak Heating & Air", "other"),
    ("/contact-us", "Contact Us | Desert Peak Heating & Air", "other"),
    ("/financing", "HVAC & Water Heater Financing", "other"),
    ("/blog/when-to-replace-your-ac", "When Should You Replace Your AC in Phoenix?", "other"),
    ("/careers", "Now Hiring HVAC Technicians", "other"),
    ("/privacy-policy", "Privacy Policy", "other"),
    ("/reviews", "What Our Customers Say", "other"),
    ("/faq", "Frequently Asked Questions", "other"),
    ("/why-choose-us", "Why Homeowners Choose Us", "other"),
]


@pytest.mark.parametrize(("path", "title", "kind"), CASES, ids=[case[0] for case in CASES])
def test_realistic_contractor_pages(path, title, kind):
    guess = classify_page(path, title, cities=["Surprise", "Goodyear"])
    assert guess.kind == kind, f"{path} → {guess.kind} ({guess.reason})"
    assert guess.reason


def test_there_are_enough_cases_of_every_kind():
    kinds = [kind for _, _, kind in CASES]
    assert len(CASES) >= 40
    assert all(kinds.count(kind) >= 3 for kind in
               ("home", "service", "location", "campaign", "offer", "membership", "other"))


def test_workspace_cities_make_location_pages():
    assert classify_page("/plumber-cottonwood-heights", "Plumber").kind == "service"
    assert classify_page("/plumber-cottonwood-heights", "Plumber", cities=["Cottonwood Heights"]).kind == "location"


def test_the_reason_names_the_rule():
    assert classify_page("/service-areas/mesa").reason == "the /service-areas/ section (service areas)"
    assert "ac" in classify_page("/ac-repair").reason
    assert classify_page("/x", "").kind == "other"
