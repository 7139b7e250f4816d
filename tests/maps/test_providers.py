"""The production adapters against fakes that answer as OSRM and Nominatim document."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kirana.config import Settings
from kirana.maps import NoRoute
from kirana.maps.errors import ProviderUnavailable
from kirana.maps.osrm import OsrmRouter
from kirana.maps.places import NominatimGeocoder

SETTINGS = Settings(env="test", osrm_url="http://osrm.test", nominatim_url="http://nominatim.test")
A, B = (60.1690, 24.9377), (60.1779, 24.9515)

# OSRM's route service answer (project-osrm.org/docs/v5.24.0/api/#route-service), trimmed of
# the intersections and weights we do not read.
OSRM_OK: dict[str, Any] = {
    "code": "Ok",
    "routes": [
        {
            "geometry": {
                "type": "LineString",
                "coordinates": [[24.9377, 60.169], [24.9412, 60.1702], [24.9515, 60.1779]],
            },
            "legs": [
                {
                    "steps": [
                        {
                            "maneuver": {
                                "bearing_after": 38,
                                "bearing_before": 0,
                                "location": [24.9377, 60.169],
                                "type": "depart",
                            },
                            "mode": "driving",
                            "name": "Simonkatu",
                            "distance": 86.1,
                            "duration": 12.3,
                        },
                        {
                            "maneuver": {
                                "bearing_after": 20,
                                "bearing_before": 70,
                                "location": [24.9412, 60.1702],
                                "modifier": "left",
                                "type": "turn",
                            },
                            "mode": "driving",
                            "name": "Kaisaniemenkatu",
                            "distance": 1525.0,
                            "duration": 262.0,
                        },
                        {
                            "maneuver": {
                                "bearing_after": 0,
                                "bearing_before": 15,
                                "location": [24.9515, 60.1779],
                                "type": "arrive",
                            },
                            "mode": "driving",
                            "name": "",
                            "distance": 0,
                            "duration": 0,
                        },
                    ],
                    "summary": "Simonkatu, Kaisaniemenkatu",
                    "distance": 1611.1,
                    "duration": 274.3,
                    "weight": 274.3,
                }
            ],
            "weight_name": "routability",
            "weight": 274.3,
            "distance": 1611.1,
            "duration": 274.3,
        }
    ],
    "waypoints": [
        {"hint": "x", "distance": 2.1, "name": "Simonkatu", "location": [24.9377, 60.169]},
        {"hint": "y", "distance": 3.4, "name": "", "location": [24.9515, 60.1779]},
    ],
}


def _fake(handler: Any) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A fake service answering with ``handler``, and every request it was sent."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)  # type: ignore[no-any-return]

    return httpx.MockTransport(record), seen


def _router(handler: Any) -> tuple[OsrmRouter, list[httpx.Request]]:
    transport, seen = _fake(handler)
    return OsrmRouter(SETTINGS, transport=transport), seen


async def test_osrm_route_is_read_with_its_steps() -> None:
    router, seen = _router(lambda r: httpx.Response(200, json=OSRM_OK))
    route = await router.route([A, B], "bicycle", ["the drop"])
    (request,) = seen
    assert request.url.path == "/route/v1/bike/24.937700,60.169000;24.951500,60.177900"
    assert request.url.params["steps"] == "true"
    assert request.url.params["geometries"] == "geojson"
    assert request.headers["user-agent"] == SETTINGS.maps_user_agent
    assert (route.seconds, route.metres, route.source) == (274.3, 1611.1, "road")
    assert route.path[0] == (60.169, 24.9377) and route.path[-1] == (60.1779, 24.9515)
    assert [s.instruction for s in route.steps] == [
        "Head northeast on Simonkatu",
        "Turn left onto Kaisaniemenkatu",
        "Arrive at the drop",
    ]


async def test_osrm_profiles_follow_the_vehicle() -> None:
    router, seen = _router(lambda r: httpx.Response(200, json=OSRM_OK))
    for vehicle in ("scooter", "motorbike", "on_foot"):
        await router.route([A, B], vehicle)
    assert [r.url.path.split("/")[3] for r in seen] == ["car", "car", "foot"]


async def test_osrm_no_route_is_a_clear_answer_and_no_segment_falls_back() -> None:
    no_route = {"code": "NoRoute", "message": "Impossible route between points"}
    router, _ = _router(lambda r: httpx.Response(400, json=no_route))
    with pytest.raises(NoRoute):
        await router.route([A, B], "scooter")

    no_segment = {
        "code": "NoSegment",
        "message": "Could not find a matching segment for any coordinate.",
    }
    router, _ = _router(lambda r: httpx.Response(400, json=no_segment))
    route = await router.route([A, B], "scooter")
    assert route.source == "straight_line" and route.path == [A, B]


async def test_osrm_down_or_confused_is_unavailable() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    for handler in (
        down,
        lambda r: httpx.Response(502, text="<html>Bad gateway</html>"),
        lambda r: httpx.Response(
            400, json={"code": "InvalidQuery", "message": "Query string malformed"}
        ),
    ):
        router, _ = _router(handler)
        with pytest.raises(ProviderUnavailable) as caught:
            await router.route([A, B], "bicycle")
        assert caught.value.status == 503


# Nominatim's jsonv2 answers (nominatim.org/release-docs/latest/api/Search/ and /Reverse/).
NOMINATIM_PLACE = {
    "place_id": 123,
    "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
    "osm_type": "node",
    "osm_id": 456,
    "lat": "60.1658233",
    "lon": "24.9381701",
    "category": "place",
    "type": "house",
    "place_rank": 30,
    "addresstype": "place",
    "name": "",
    "display_name": "18, Annankatu, Kamppi, Eteläinen suurpiiri, Helsinki, 00120, Suomi / Finland",
    "address": {
        "house_number": "18",
        "road": "Annankatu",
        "suburb": "Kamppi",
        "city": "Helsinki",
        "postcode": "00120",
        "country": "Suomi / Finland",
        "country_code": "fi",
    },
    "boundingbox": ["60.1657733", "60.1658733", "24.9381201", "24.9382201"],
}


def _geocoder(handler: Any) -> tuple[NominatimGeocoder, list[httpx.Request]]:
    transport, seen = _fake(handler)
    return NominatimGeocoder(SETTINGS, transport=transport), seen


async def test_nominatim_search_and_reverse() -> None:
    geocoder, seen = _geocoder(
        lambda r: httpx.Response(
            200, json=[NOMINATIM_PLACE] if r.url.path == "/search" else NOMINATIM_PLACE
        )
    )
    (place,) = await geocoder.search("Annankatu 18", 5)
    assert (place.label, place.postcode, place.city) == ("Annankatu 18", "00120", "Helsinki")
    assert (place.lat, place.lng) == (60.1658233, 24.9381701)
    at = await geocoder.reverse(60.16582, 24.93817)
    assert at == place
    search, reverse = seen
    assert search.url.params["q"] == "Annankatu 18" and search.url.params["format"] == "jsonv2"
    assert reverse.url.path == "/reverse" and reverse.url.params["lon"] == "24.93817"
    assert search.headers["user-agent"] == SETTINGS.maps_user_agent


async def test_nominatim_nothing_there_and_down() -> None:
    geocoder, _ = _geocoder(lambda r: httpx.Response(200, json={"error": "Unable to geocode"}))
    assert await geocoder.reverse(0.0, -30.0) is None
    geocoder, _ = _geocoder(lambda r: httpx.Response(200, json=[]))
    assert await geocoder.search("Nowhere street 1", 5) == []
    geocoder, _ = _geocoder(lambda r: httpx.Response(503, text="overloaded"))
    with pytest.raises(ProviderUnavailable):
        await geocoder.search("Annankatu", 5)
