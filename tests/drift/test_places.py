"""City and ZIP facts come from the offline ZIP data set shipped with the `zipcodes` package."""

from __future__ import annotations

from pagetojob.drift import places


def test_city_zips_are_standard_delivery_zips_of_the_city_in_its_state():
    flagstaff = places.city_zips("Flagstaff", ["AZ"])
    assert {"86001", "86004"} <= flagstaff
    assert "86002" not in flagstaff  # a PO-box ZIP is not a place a technician drives to
    assert places.city_zips("flagstaff,  az", []) == flagstaff  # own state, any case and spacing
    assert places.city_zips("Flagstaff", ["TX"]) == frozenset()
    assert places.city_zips("Nowhereville", ["AZ"]) == frozenset()


def test_zip_place_and_states():
    assert places.zip_place("85004") == ("Phoenix", "AZ")
    assert places.zip_place("99999") is None and places.zip_place("8500") is None
    assert places.states_of(["85004", "85201", "86001", "87501"]) == ["AZ", "NM"]


def test_values_pages_hold_are_read_forgivingly():
    assert places.clean_zip(" 85004-1234") == "85004"
    assert places.clean_zip("ZIP 85004") == ""
    assert places.split_city("Mesa, AZ") == ("Mesa", "AZ")
    assert places.split_city("Mesa") == ("Mesa", "")
    assert places.split_city("Cave Creek") == ("Cave Creek", "")
