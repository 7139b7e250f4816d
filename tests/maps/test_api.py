"""The maps endpoints: streets to draw, routes, address search and the address at a pin; bad
input is a 422 (or 404) problem naming what is wrong."""

from __future__ import annotations

import httpx
import pytest

from kirana.config import Settings
from kirana.maps import service
from kirana.maps.errors import ProviderUnavailable

KAMPPI, DROP = "60.1690,24.9377", "60.1779,24.9515"


def _problem(r: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = r.json()
    assert body["code"] == code
    return body


async def test_route_for_a_vehicle_with_steps(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/api/v1/maps/route", params={"from": KAMPPI, "to": DROP, "vehicle": "bicycle"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["vehicle"], body["provider"], body["source"]) == ("bicycle", "local", "road")
    assert body["attribution"] == "© OpenStreetMap contributors"
    assert body["path"][0] == [60.169, 24.9377] and body["path"][-1] == [60.1779, 24.9515]
    assert body["steps"][0]["maneuver"] == "depart" and body["steps"][-1]["maneuver"] == "arrive"
    walk = (
        await client.get(
            "/api/v1/maps/route", params={"from": KAMPPI, "to": DROP, "vehicle": "on_foot"}
        )
    ).json()
    assert walk["duration_s"] > 2 * body["duration_s"]


BAD_ROUTES = [
    ({"to": DROP}, "from"),
    ({"from": "sixty,twenty-four", "to": DROP}, "from"),
    ({"from": "60.1", "to": DROP}, "from"),
    ({"from": KAMPPI, "to": "91,24.9"}, "to"),
    ({"from": KAMPPI, "to": "nan,24.9"}, "to"),
    ({"from": KAMPPI, "to": DROP, "vehicle": "car"}, "vehicle"),
]


async def test_bad_route_requests_name_the_parameter(client: httpx.AsyncClient) -> None:
    for params, field in BAD_ROUTES:
        r = await client.get("/api/v1/maps/route", params=params)
        body = _problem(r, 422, "validation_failed")
        assert [e["field"] for e in body["errors"]] == [field], params  # type: ignore[attr-defined]


async def test_geocode_searches_street_addresses(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/maps/geocode", params={"q": "annankatu 18"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"] is None
    assert body["items"][0] == {
        "label": "Annankatu 18",
        "street": "Annankatu",
        "housenumber": "18",
        "postcode": "00120",
        "city": "Helsinki",
        "lat": pytest.approx(60.1658, abs=5e-4),
        "lng": pytest.approx(24.9382, abs=5e-4),
    }
    r = await client.get("/api/v1/maps/geocode", params={"q": "annankatu", "limit": 3})
    assert len(r.json()["items"]) == 3
    for params in ({"q": "a"}, {"q": "x" * 101}, {}, {"q": "annankatu", "limit": 0}):
        _problem(await client.get("/api/v1/maps/geocode", params=params), 422, "validation_failed")


async def test_reverse_gives_the_address_at_a_pin(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/maps/reverse", params={"lat": 60.16582, "lng": 24.93817})
    assert r.status_code == 200, r.text
    assert r.json()["label"] == "Annankatu 18"
    _problem(
        await client.get("/api/v1/maps/reverse", params={"lat": 60.25, "lng": 24.8}),
        404,
        "no_address",
    )
    for params in ({"lat": 91, "lng": 24.9}, {"lat": 60.1}, {"lat": "x", "lng": 1}):
        _problem(await client.get("/api/v1/maps/reverse", params=params), 422, "validation_failed")


async def test_streets_are_geojson_lines_with_the_osm_credit(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/maps/streets")
    assert r.status_code == 200, r.text
    every = r.json()
    assert every["type"] == "FeatureCollection"
    assert every["attribution"] == "© OpenStreetMap contributors"
    assert len(every["features"]) > 1000
    feature = every["features"][0]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["kind"] in ("major", "street", "path")
    assert {"Mannerheimintie", "Aleksanterinkatu"} <= {
        f["properties"]["name"] for f in every["features"]
    }

    r = await client.get("/api/v1/maps/streets", headers={"If-None-Match": r.headers["etag"]})
    assert r.status_code == 304

    box = "24.940,60.168,24.945,60.171"
    part = (await client.get("/api/v1/maps/streets", params={"bbox": box})).json()
    assert 0 < len(part["features"]) < len(every["features"]) / 3
    for bad in ("1,2,3", "24.95,60.16,24.94,60.17", "a,b,c,d", "24.9,60.1,24.95,95"):
        _problem(
            await client.get("/api/v1/maps/streets", params={"bbox": bad}),
            422,
            "validation_failed",
        )


async def test_an_osrm_that_does_not_answer_is_a_503() -> None:
    down = Settings(env="test", maps_router="osrm", osrm_url="http://127.0.0.1:9")
    with pytest.raises(ProviderUnavailable):
        await service.route(down, [(60.169, 24.9377), (60.1779, 24.9515)], "scooter")
