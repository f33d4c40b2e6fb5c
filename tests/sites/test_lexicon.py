"""The trade lexicon: synonyms and abbreviations read as the right equipment and action."""

from __future__ import annotations

import pytest

from pagetojob.sites import lexicon


def concepts(text: str) -> set[str]:
    return {hit.concept for hit in lexicon.concepts_of(text)}


@pytest.mark.parametrize("text", ["AC", "A/C repair", "a-c-repair", "Air Conditioner", "air-conditioning",
                                  "Central Air", "cooling", "airconditioning"])
def test_air_conditioning_spellings(text):
    assert "ac" in concepts(text)


@pytest.mark.parametrize("text,expected", [
    ("/ac-repair-phoenix", {"ac", "repair"}),
    ("ac-tune-up", {"ac", "maintenance"}),
    ("AC Check-Up", {"ac", "maintenance"}),
    ("/ac-replacement", {"ac", "install"}),
    ("furnace-installation", {"furnace", "install"}),
    ("furnace-repair", {"furnace", "repair"}),
    ("Heating Repair", {"furnace", "repair"}),
    ("heat-pump-repair", {"heat_pump", "repair"}),
    ("Ductless Mini-Split Install", {"mini_split", "install"}),
    ("drain-cleaning", {"drain", "clean"}),
    ("sewer-line-repair", {"sewer", "repair"}),
    ("main line clog", {"sewer", "drain"}),
    ("leak-detection", {"leak", "inspect"}),
    ("slab-leak-repair", {"slab_leak", "repair"}),
    ("electrical-panel-upgrade", {"panel", "install"}),
    ("200-amp-service-upgrade", {"panel", "install"}),
    ("ev-charger-installation", {"ev_charger", "install"}),
    ("generator-installation", {"generator", "install"}),
    ("whole-house-rewiring", {"wiring"}),
    ("24-hour-emergency-plumber", {"emergency", "plumbing"}),
    ("24/7 Emergency AC Repair", {"emergency", "ac", "repair"}),
    ("Indoor Air Quality (IAQ)", {"air_quality"}),
    ("tankless-water-heaters", {"tankless"}),
])
def test_slugs_and_titles_read_as_equipment_and_action(text, expected):
    assert concepts(text) == expected


@pytest.mark.parametrize("text", ["water-heater-repair", "Hot Water Heater Installation", "hot water tank",
                                  "Water Heater Not Heating?", "heat pump water heater"])
def test_water_heater_is_never_heating(text):
    found = concepts(text)
    assert "water_heater" in found
    assert "furnace" not in found and "heat_pump" not in found


def test_heat_pump_is_not_heat_and_ductless_is_not_duct():
    assert concepts("heat pump") == {"heat_pump"}
    assert concepts("ductless") == {"mini_split"}
    assert concepts("air duct cleaning") == {"duct", "clean"}


def test_plurals_and_a_common_misspelling():
    assert concepts("Water Heaters") == {"water_heater"}
    assert concepts("breakers outlets tune-ups") == {"panel", "outlet", "maintenance"}
    assert concepts("furnance-repair") == {"furnace", "repair"}


def test_run_together_slug_words_are_split():
    assert concepts("acrepair") == {"ac", "repair"}
    assert concepts("waterheaterinstall") == {"water_heater", "install"}
    assert concepts("clearwater") == set()  # a city, not "clear" + "water"


def test_new_means_install_only_before_equipment():
    assert concepts("new-furnace") == {"install", "furnace"}
    assert "install" not in concepts("ac-repair-new-braunfels")


def test_replacing_a_part_is_a_repair():
    assert concepts("capacitor replacement") == {"repair"}
    assert concepts("ac compressor replacement") == {"ac", "repair"}


def test_brand_phrases_and_marketing_idioms_mean_nothing():
    assert concepts("Beat the Heat") == set()
    assert concepts("pilot light") == set()


def test_hits_keep_the_pages_own_words():
    hits = lexicon.concepts_of("Tankless Water Heater Replacement")
    assert [(h.concept, h.words) for h in hits] == [("tankless", "tankless water heater"),
                                                    ("install", "replacement")]


def test_pricebook_codes_spell_out_their_abbreviations():
    assert lexicon.code_tokens("PLB-WH-401") == ["plumbing", "water", "heater"]
    assert {h.concept for h in lexicon.find_concepts(lexicon.code_tokens("HVAC-DIAG-001"))} == {"hvac", "repair"}


def test_relatedness_depends_on_direction():
    more_specific_page = lexicon.relatedness("water_heater", "tankless")
    more_general_page = lexicon.relatedness("tankless", "water_heater")
    assert more_specific_page > more_general_page > 0
    assert lexicon.relatedness("plumbing", "toilet") > lexicon.relatedness("toilet", "plumbing")
    assert lexicon.relatedness("ac", "water_heater") == 0


def test_every_phrase_names_known_concepts():
    for concepts_of_phrase in lexicon.PHRASES.values():
        assert all(concept in lexicon.CONCEPTS for concept in concepts_of_phrase)
