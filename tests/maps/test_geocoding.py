"""Offline geocoding over the extract's street addresses: search and the address at a pin."""

from __future__ import annotations

from kirana.maps.citymap import City
from kirana.maps.geocoding import OfflineGeocoder, Place, fold


def test_search_finds_the_street_and_number_exactly_first(city: City) -> None:
    found = city.geocoder.search("Annankatu 18", 5)
    assert found[0].label == "Annankatu 18"
    assert (found[0].street, found[0].housenumber, found[0].postcode) == (
        "Annankatu",
        "18",
        "00120",
    )
    assert all(p.street == "Annankatu" for p in found)


def test_search_ignores_case_accents_and_reads_word_starts(city: City) -> None:
    assert city.geocoder.search("toolonlahdenkatu 2", 1)[0].label == "Töölönlahdenkatu 2"
    assert city.geocoder.search("JOHN STENB 6", 1)[0].label == "John Stenbergin ranta 6"
    assert {p.street for p in city.geocoder.search("stenbergin", 20)} == {"John Stenbergin ranta"}
    assert city.geocoder.search("18", 5) == []  # a number alone names no street
    assert city.geocoder.search("Nosuchstreet 1", 5) == []


def test_one_result_per_address_though_buildings_have_several_entrances() -> None:
    spot = dict(postcode=None, city="Helsinki", lat=60.17, lng=24.94)
    geocoder = OfflineGeocoder(
        [
            Place(label="Kaivokatu 1", street="Kaivokatu", housenumber="1", **spot),
            Place(label="Kaivokatu 1", street="Kaivokatu", housenumber="1", **spot),
            Place(label="Kaivokatu 10", street="Kaivokatu", housenumber="10", **spot),
            Place(label="Kaivokatu 2", street="Kaivokatu", housenumber="2", **spot),
        ]
    )
    assert [p.label for p in geocoder.search("kaivokatu", 10)] == [
        "Kaivokatu 1",
        "Kaivokatu 2",
        "Kaivokatu 10",
    ]
    assert [p.label for p in geocoder.search("kaivokatu 1", 10)] == ["Kaivokatu 1", "Kaivokatu 10"]
    assert fold("Säästöpankinranta") == "saastopankinranta"


def test_a_pin_gives_the_nearest_address_or_the_street_or_nothing(city: City) -> None:
    place = city.reverse(60.16582, 24.93817)
    assert place is not None and place.label == "Annankatu 18"
    # In the middle of the Esplanade park: no house near, but a named way is.
    near_street = city.reverse(60.16780, 24.94700)
    assert near_street is None or near_street.street
    assert city.reverse(60.2500, 24.8000) is None  # far off the extract
