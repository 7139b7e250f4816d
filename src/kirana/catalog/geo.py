"""Small, dependency-free geometry for serviceability: distances and polygons.

Coordinates follow GeoJSON where polygons are concerned: positions are ``[lng, lat]``.
Distances are great-circle (haversine) metres on a spherical Earth, which is well within a
metre's accuracy over a city.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from kirana.kit.geo import EARTH_RADIUS_M as EARTH_RADIUS_M
from kirana.kit.geo import haversine_m as haversine_m

Ring = Sequence[Sequence[float]]


def point_in_ring(lng: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting; a point exactly on an edge may fall either way."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lng < x_cross:
                inside = not inside
        j = i
    return inside


def point_in_polygon(lat: float, lng: float, polygon: dict[str, Any]) -> bool:
    """Whether a point lies inside a GeoJSON Polygon: in its outer ring and in none of its holes."""
    rings = polygon["coordinates"]
    if not rings or not point_in_ring(lng, lat, rings[0]):
        return False
    return not any(point_in_ring(lng, lat, hole) for hole in rings[1:])


def polygon_problems(polygon: Any) -> list[str]:
    """What is wrong with a GeoJSON Polygon (empty when it is valid)."""
    if not isinstance(polygon, dict) or polygon.get("type") != "Polygon":
        return ['service_area must be a GeoJSON object with "type": "Polygon"']
    rings = polygon.get("coordinates")
    if not isinstance(rings, list) or not rings:
        return ["coordinates must be a non-empty list of linear rings"]
    problems: list[str] = []
    for r, ring in enumerate(rings):
        name = "outer ring" if r == 0 else f"hole {r}"
        if not isinstance(ring, list) or len(ring) < 4:
            problems.append(f"{name} needs at least 4 positions (first repeated as last)")
            continue
        for p, pos in enumerate(ring):
            if (
                not isinstance(pos, list | tuple)
                or len(pos) < 2
                or not all(
                    isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c)
                    for c in pos[:2]
                )
            ):
                problems.append(f"{name} position {p} must be [lng, lat] numbers")
                break
            lng, lat = pos[0], pos[1]
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                problems.append(f"{name} position {p} is out of range (lng -180..180, lat -90..90)")
                break
        else:
            if list(ring[0][:2]) != list(ring[-1][:2]):
                problems.append(f"{name} is not closed: its last position must equal its first")
            elif abs(ring_area(ring)) == 0:
                problems.append(f"{name} encloses no area")
    return problems


def ring_area(ring: Ring) -> float:
    """Signed planar area in square degrees (shoelace); zero for a degenerate ring."""
    total = 0.0
    for i in range(len(ring) - 1):
        total += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
    return total / 2


def covers(
    lat: float,
    lng: float,
    *,
    store_lat: float,
    store_lng: float,
    radius_m: int | None,
    area: dict[str, Any] | None,
) -> bool:
    """Whether a store's service area (polygon if it has one, else its radius) holds the point."""
    if area is not None:
        return point_in_polygon(lat, lng, area)
    if radius_m is not None:
        return haversine_m(lat, lng, store_lat, store_lng) <= radius_m
    return False
