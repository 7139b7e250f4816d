"""The maps' public interface for the API: routes, addresses and the streets to draw."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

import orjson

from kirana.config import Settings
from kirana.maps.citymap import Route
from kirana.maps.errors import NoAddress
from kirana.maps.geocoding import Place
from kirana.maps.graph import LatLng
from kirana.maps.places import geocoder
from kirana.maps.routing import city_async, router
from kirana.maps.schemas import PlaceRead, RouteRead, StepRead
from kirana.maps.speeds import Vehicle

Bbox = tuple[float, float, float, float]  # min lng, min lat, max lng, max lat
_streets: OrderedDict[tuple[str, Bbox | None], tuple[bytes, str]] = OrderedDict()
STREETS_CACHED = 32


def route_read(route: Route, vehicle: Vehicle, provider: str) -> RouteRead:
    return RouteRead(
        vehicle=vehicle,
        provider=provider,
        source=route.source,
        distance_m=round(route.metres),
        duration_s=round(route.seconds),
        path=[(round(lat, 6), round(lng, 6)) for lat, lng in route.path],
        steps=[
            StepRead(
                maneuver=s.maneuver,
                modifier=s.modifier,
                street=s.street,
                instruction=s.instruction,
                distance_m=round(s.distance_m),
                duration_s=round(s.duration_s),
                lat=round(s.lat, 6),
                lng=round(s.lng, 6),
            )
            for s in route.steps
        ],
    )


async def route(
    settings: Settings,
    waypoints: Sequence[LatLng],
    vehicle: Vehicle,
    labels: Sequence[str | None] = (),
) -> RouteRead:
    provider = router(settings)
    return route_read(await provider.route(waypoints, vehicle, labels), vehicle, provider.name)


def _place_read(place: Place) -> PlaceRead:
    return PlaceRead(
        label=place.label,
        street=place.street,
        housenumber=place.housenumber,
        postcode=place.postcode,
        city=place.city,
        lat=round(place.lat, 6),
        lng=round(place.lng, 6),
    )


async def search_addresses(settings: Settings, query: str, limit: int) -> list[PlaceRead]:
    return [_place_read(p) for p in await geocoder(settings).search(query, limit)]


async def address_at(settings: Settings, lat: float, lng: float) -> PlaceRead:
    place = await geocoder(settings).reverse(lat, lng)
    if place is None:
        raise NoAddress("No street address is known near this point; type the street yourself")
    return _place_read(place)


async def streets(settings: Settings, bbox: Bbox | None) -> tuple[bytes, str]:
    """The streets to draw (those crossing ``bbox``, or all), as JSON bytes, and their ETag."""
    city = await city_async(settings)
    key = (city.digest, bbox)
    cached = _streets.get(key)
    if cached is None:
        features = city.streets["features"]
        if bbox is not None:
            w, s, e, n = bbox
            features = [f for f in features if _crosses(f["geometry"]["coordinates"], w, s, e, n)]
        body = orjson.dumps({**city.streets, "features": features})
        cached = (body, f'"{hashlib.sha256(body).hexdigest()[:24]}"')
        _streets[key] = cached
        if len(_streets) > STREETS_CACHED:
            _streets.popitem(last=False)
    return cached


def _crosses(coords: list[list[float]], w: float, s: float, e: float, n: float) -> bool:
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    return min(xs) <= e and max(xs) >= w and min(ys) <= n and max(ys) >= s
