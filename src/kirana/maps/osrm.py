"""Routing through an OSRM server (production): its HTTP route service, as documented at
project-osrm.org/docs/v5.24.0/api (``/route/v1/{profile}/{lon},{lat};...``), with steps.

An OSRM server routes for the profile its data was prepared with; run one per profile and
point ``osrm_url`` at a proxy that sends ``/route/v1/{profile}/`` to each (the profile names
below are OSRM's own).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import httpx

from kirana.config import Settings
from kirana.maps.citymap import Route
from kirana.maps.errors import NoRoute, ProviderUnavailable
from kirana.maps.graph import LatLng, Maneuver, Step, compass, haversine_m, instruction
from kirana.maps.http import MapService
from kirana.maps.speeds import PACES, Vehicle

PROFILES: dict[Vehicle, str] = {
    "bicycle": "bike",
    "scooter": "car",
    "motorbike": "car",
    "on_foot": "foot",
}


class OsrmRouter:
    name = "osrm"

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.service = MapService(settings, settings.osrm_url, transport)
        self.detour = settings.maps_detour_factor

    async def route(
        self, waypoints: Sequence[LatLng], vehicle: Vehicle, labels: Sequence[str | None] = ()
    ) -> Route:
        coords = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in waypoints)
        params = {"overview": "full", "geometries": "geojson", "steps": "true"}
        status, body = await self.service.get(
            f"/route/v1/{PROFILES[vehicle]}/{coords}", params, what="routing"
        )
        code = body.get("code") if isinstance(body, dict) else None
        if code == "Ok" and body.get("routes"):
            return _parse(body["routes"][0], labels)
        if code == "NoRoute":
            raise NoRoute("No road connects these points")
        if code == "NoSegment":  # a point is off every street: as the local router does
            return self._straight(waypoints, vehicle, labels)
        raise ProviderUnavailable(
            f"The routing service answered {code or status}"
            + (f": {body.get('message')}" if isinstance(body, dict) and body.get("message") else "")
        )

    def _straight(
        self, waypoints: Sequence[LatLng], vehicle: Vehicle, labels: Sequence[str | None]
    ) -> Route:
        pace = PACES[vehicle].cruise_kmh / 3.6
        metres = sum(haversine_m(*a, *b) * self.detour for a, b in itertools.pairwise(waypoints))
        last = waypoints[-1]
        label = labels[-1] if labels else None
        steps = [
            Step(
                "depart",
                None,
                None,
                metres,
                metres / pace,
                waypoints[0][0],
                waypoints[0][1],
                "Head off (no street data here)",
            ),
            Step(
                "arrive", None, None, 0, 0, last[0], last[1], instruction("arrive", None, "", label)
            ),
        ]
        return Route(metres / pace, metres, "straight_line", list(waypoints), steps)


def _parse(route: dict[str, Any], labels: Sequence[str | None]) -> Route:
    path = [(float(lat), float(lng)) for lng, lat in route["geometry"]["coordinates"]]
    steps: list[Step] = []
    legs = route.get("legs") or []
    for i, leg in enumerate(legs):
        label = labels[i] if i < len(labels) else None
        for step in leg.get("steps") or []:
            m = step.get("maneuver") or {}
            kind = m.get("type")
            modifier = m.get("modifier")
            name = step.get("name") or ""
            maneuver: Maneuver
            if kind == "depart":
                maneuver = "depart"
                if "bearing_after" in m:
                    modifier = compass(float(m["bearing_after"]))
            elif kind == "arrive":
                maneuver = "arrive" if i == len(legs) - 1 else "waypoint"
                modifier = None
            elif modifier in (None, "straight"):
                maneuver = "continue"
            else:
                maneuver = "turn"
            lng, lat = m.get("location") or [0.0, 0.0]
            steps.append(
                Step(
                    maneuver,
                    modifier,
                    name or None,
                    float(step.get("distance", 0)),
                    float(step.get("duration", 0)),
                    float(lat),
                    float(lng),
                    instruction(maneuver, modifier, name or "the road", label),
                )
            )
    return Route(float(route["duration"]), float(route["distance"]), "road", path, steps)
