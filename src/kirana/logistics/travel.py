"""How long a rider takes from one point to another: the one function every estimate calls.

Today it is the straight-line (great-circle) distance stretched to streets by a detour factor,
at the vehicle's average city speed. The road router plugs in here, so the ETA, dispatch and
tracking never change when it does.
"""

from __future__ import annotations

from kirana.catalog.geo import haversine_m

# Straight line to street distance, and average speeds through a city, stops included (km/h).
DETOUR_FACTOR = 1.3
SPEED_KMH = {"on_foot": 5.0, "bicycle": 15.0, "scooter": 20.0, "motorbike": 25.0}
DEFAULT_VEHICLE = "scooter"


def travel_seconds(lat1: float, lng1: float, lat2: float, lng2: float, vehicle: str) -> float:
    """Seconds to ride from (lat1, lng1) to (lat2, lng2) on ``vehicle`` (an unknown vehicle
    rides at a scooter's speed)."""
    speed = SPEED_KMH.get(vehicle, SPEED_KMH[DEFAULT_VEHICLE]) * 1000 / 3600
    return haversine_m(lat1, lng1, lat2, lng2) * DETOUR_FACTOR / speed
