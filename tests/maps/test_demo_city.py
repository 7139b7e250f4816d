"""The demo city's stores and customers stand on the extract's streets, so demo routes are real."""

from __future__ import annotations

from kirana import maps
from kirana.maps.citymap import City
from kirana.seed import demo


def test_every_demo_store_and_customer_is_on_the_streets(city: City) -> None:
    west, south, east, north = city.bounds
    spots = [(s.name, s.lat, s.lng) for s in demo.STORES] + [
        (name, lat, lng) for name, _phone, _label, _line1, _pin, lat, lng in demo.CUSTOMERS
    ]
    for name, lat, lng in spots:
        assert west < lng < east and south < lat < north, name
        for vehicle in maps.VEHICLES:
            _, off = city.graphs[vehicle].snap(lat, lng)
            assert off < 80, (name, vehicle, off)
    for store in demo.STORES:
        for *_, lat, lng in demo.CUSTOMERS:
            for vehicle in maps.VEHICLES:
                trip = city.travel((store.lat, store.lng), (lat, lng), vehicle)
                assert trip.source == "road", (store.name, vehicle)


def test_each_demo_address_is_one_the_geocoder_finds(city: City) -> None:
    for _name, _phone, _label, line1, pincode, lat, lng in demo.CUSTOMERS:
        (found,) = city.geocoder.search(line1, 1)
        assert (found.label, found.postcode) == (line1, pincode)
        assert abs(found.lat - lat) < 3e-4 and abs(found.lng - lng) < 3e-4
    for store in demo.STORES:
        street_and_number = store.address.split(",")[0]
        assert city.geocoder.search(street_and_number, 1)[0].label == street_and_number
