"""How fast each vehicle moves along each kind of way, in km/h.

Motor vehicles ride a share of the posted limit (OSM ``maxspeed``, else the usual limit of the
road's class in a Finnish city centre): a moped keeps below the traffic, a motorbike with it.
Cyclists and people on foot keep their own pace, slower where they share space with pedestrians
or climb steps. ``cruise`` is the speed used off the network (straight line times the detour
factor) and on the short links between a point and the street it snaps to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Vehicle = Literal["bicycle", "scooter", "motorbike", "on_foot"]
VEHICLES: tuple[Vehicle, ...] = ("bicycle", "scooter", "motorbike", "on_foot")

# Usual limits by road class where a way has no maxspeed.
DEFAULT_LIMIT_KMH = {
    "motorway": 80,
    "trunk": 60,
    "primary": 50,
    "secondary": 40,
    "tertiary": 40,
    "residential": 30,
    "unclassified": 30,
    "living_street": 20,
    "service": 20,
}
SHARED_SPACE = frozenset({"footway", "pedestrian", "path", "corridor", "trail", "track"})


@dataclass(frozen=True, slots=True)
class Pace:
    cruise_kmh: float
    # Motor vehicles: share of the limit and their own top speed; None for human power.
    share_of_limit: float | None = None
    top_kmh: float = 0.0
    shared_space_kmh: float | None = None
    steps_kmh: float | None = None


PACES: dict[Vehicle, Pace] = {
    "on_foot": Pace(cruise_kmh=5.0, steps_kmh=3.0),
    "bicycle": Pace(cruise_kmh=16.0, shared_space_kmh=10.0, steps_kmh=2.0),
    "scooter": Pace(cruise_kmh=22.0, share_of_limit=0.6, top_kmh=45.0, shared_space_kmh=8.0),
    "motorbike": Pace(cruise_kmh=26.0, share_of_limit=0.75, top_kmh=80.0, shared_space_kmh=8.0),
}


def _limit(highway: str, maxspeed: str | None) -> float:
    if maxspeed:
        head = maxspeed.split(";")[0].strip().lower()
        digits = "".join(ch for ch in head if ch.isdigit() or ch == ".")
        try:
            value = float(digits)
        except ValueError:
            value = 0.0
        if value > 0:
            return value * 1.609 if "mph" in head else value
    return DEFAULT_LIMIT_KMH.get(highway.removesuffix("_link"), 30)


def speed_kmh(vehicle: Vehicle, highway: str, maxspeed: str | None) -> float:
    """The vehicle's speed along one way."""
    pace = PACES[vehicle]
    if highway == "steps" and pace.steps_kmh:
        return pace.steps_kmh
    if highway in SHARED_SPACE and pace.shared_space_kmh:
        return pace.shared_space_kmh
    if pace.share_of_limit is None:
        return pace.cruise_kmh
    return max(5.0, min(_limit(highway, maxspeed) * pace.share_of_limit, pace.top_kmh))
