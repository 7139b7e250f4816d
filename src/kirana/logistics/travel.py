"""How long a rider takes from one point to another: the one function every estimate calls.

Over the streets of the road network (``kirana.maps``: the quickest path for the rider's
vehicle), which itself goes in a straight line times its detour factor where a point is farther
than ``maps_max_snap_m`` from every street. Without any map data (the extract not installed),
or between parts of a network that do not meet, the straight line stretched by
``DETOUR_FACTOR`` at the vehicle's average city speed stands in, so an estimate always has a
number. Answers are kept per pair of points (to about a metre), so the ETA on every telemetry
report and the promise on every serviceability check cost a dictionary look-up once warm.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from kirana.kit.geo import haversine_m
from kirana.maps import LatLng, NoRoute, Vehicle
from kirana.maps import city as city_map
from kirana.maps.citymap import City
from kirana.maps.errors import MapDataMissing
from kirana.maps.speeds import VEHICLES

# Straight line to street distance, and average speeds through a city, stops included (km/h),
# for when no map can say.
DETOUR_FACTOR = 1.3
SPEED_KMH = {"on_foot": 5.0, "bicycle": 15.0, "scooter": 20.0, "motorbike": 25.0}
DEFAULT_VEHICLE = "scooter"
# Points are rounded to this many decimals of a degree (about a metre) for the cache.
CACHE_DECIMALS = 5
CACHED_PAIRS = 65_536
_KNOWN: dict[str, Vehicle] = {v: v for v in VEHICLES}


def vehicle_of(vehicle: str) -> Vehicle:
    """The vehicle, or a scooter for one the maps do not know."""
    return _KNOWN.get(vehicle, "scooter")


def straight_seconds(lat1: float, lng1: float, lat2: float, lng2: float, vehicle: str) -> float:
    """The estimate without a map: the straight line stretched to streets, at city speed."""
    speed = SPEED_KMH.get(vehicle, SPEED_KMH[DEFAULT_VEHICLE]) * 1000 / 3600
    return haversine_m(lat1, lng1, lat2, lng2) * DETOUR_FACTOR / speed


def road_map() -> City | None:
    """The city's road network, or None where the map data is not installed."""
    try:
        return city_map()
    except MapDataMissing:
        return None


@lru_cache(maxsize=CACHED_PAIRS)
def _seconds(lat1: float, lng1: float, lat2: float, lng2: float, vehicle: Vehicle) -> float:
    city = road_map()
    if city is None:
        return straight_seconds(lat1, lng1, lat2, lng2, vehicle)
    try:
        return city.seconds((lat1, lng1), (lat2, lng2), vehicle)
    except NoRoute:
        return straight_seconds(lat1, lng1, lat2, lng2, vehicle)


def travel_seconds(lat1: float, lng1: float, lat2: float, lng2: float, vehicle: str) -> float:
    """Seconds to ride from (lat1, lng1) to (lat2, lng2) on ``vehicle`` (an unknown vehicle
    rides as a scooter)."""
    if (lat1, lng1) == (lat2, lng2):
        return 0.0
    r = CACHE_DECIMALS
    return _seconds(
        round(lat1, r), round(lng1, r), round(lat2, r), round(lng2, r), vehicle_of(vehicle)
    )


def seconds_matrix(
    points: Sequence[LatLng], vehicle: str, city: City | None = None
) -> NDArray[np.float64]:
    """Seconds from every point to every other, for route planning: over the road network in
    one batch of shortest-path searches, straight (times the detour) where a point is off the
    network or there is no map; ``inf`` between parts of a network that do not meet."""
    city = city if city is not None else road_map()
    if city is not None:
        return city.seconds_matrix(points, vehicle_of(vehicle))
    n = len(points)
    out = np.zeros((n, n))
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                out[i, j] = straight_seconds(*a, *b, vehicle)
    return out
