"""The service-area index answers exactly as scanning every store does, for any stores (radius
or polygon, open or closed) and any point, near the poles and the 180th meridian too."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kirana.catalog import geo
from kirana.catalog.service_areas import ServiceAreaIndex, radius_box


@dataclass(frozen=True)
class Area:
    id: int
    lat: float
    lng: float
    is_open: bool
    service_radius_m: int | None
    service_area: dict[str, Any] | None


def scan(stores: list[Area], lat: float, lng: float) -> tuple[Area, float] | None:
    """The brute force: every store, nearest first, ties to the earlier one."""
    best: tuple[Area, float] | None = None
    for s in stores:
        if s.is_open and geo.covers(
            lat,
            lng,
            store_lat=s.lat,
            store_lng=s.lng,
            radius_m=s.service_radius_m,
            area=s.service_area,
        ):
            distance = geo.haversine_m(lat, lng, s.lat, s.lng)
            if best is None or distance < best[1]:
                best = (s, distance)
    return best


def star_polygon(lat: float, lng: float, radii: list[float], holed: bool) -> dict[str, Any]:
    """A simple polygon around (lat, lng): vertices at rising angles (radii in degrees)."""
    n = len(radii)
    ring = [
        [lng + r * math.cos(2 * math.pi * i / n), lat + r * math.sin(2 * math.pi * i / n)]
        for i, r in enumerate(radii)
    ]
    rings = [[*ring, ring[0]]]
    if holed:
        r = min(radii) / 4
        hole = [[lng - r, lat - r], [lng + r, lat - r], [lng + r, lat + r], [lng - r, lat + r]]
        rings.append([*hole, hole[0]])
    return {"type": "Polygon", "coordinates": rings}


# A city about 30 km across, as the benchmark's.
CITY_LAT, CITY_LNG = 28.6, 77.2


@st.composite
def city_store(draw: st.DrawFn, i: int) -> Area:
    lat = CITY_LAT + draw(st.floats(-0.15, 0.15))
    lng = CITY_LNG + draw(st.floats(-0.15, 0.15))
    is_open = draw(st.booleans() | st.just(True))
    if draw(st.booleans()):
        return Area(i, lat, lng, is_open, draw(st.integers(1, 8_000)), None)
    radii = draw(st.lists(st.floats(0.002, 0.06), min_size=3, max_size=12))
    return Area(i, lat, lng, is_open, None, star_polygon(lat, lng, radii, draw(st.booleans())))


@st.composite
def city(draw: st.DrawFn) -> list[Area]:
    n = draw(st.integers(0, 40))
    return [draw(city_store(i)) for i in range(n)]


city_point = st.tuples(
    st.floats(CITY_LAT - 0.25, CITY_LAT + 0.25), st.floats(CITY_LNG - 0.25, CITY_LNG + 0.25)
)


@settings(max_examples=150, deadline=None)
@given(stores=city(), points=st.lists(city_point, min_size=1, max_size=30))
def test_the_index_answers_as_the_scan(
    stores: list[Area], points: list[tuple[float, float]]
) -> None:
    index = ServiceAreaIndex(stores)
    for lat, lng in points:
        assert index.nearest(lat, lng) == scan(stores, lat, lng)


@settings(max_examples=100, deadline=None)
@given(stores=city(), data=st.data())
def test_points_on_a_store_and_its_edge(stores: list[Area], data: st.DataObject) -> None:
    """Points at a store, on its radius' rim and on its polygon's corners: the edge cases."""
    index = ServiceAreaIndex(stores)
    for s in stores:
        points = [(s.lat, s.lng)]
        if s.service_radius_m is not None:
            bearing = data.draw(st.floats(0, 2 * math.pi))
            d = s.service_radius_m / geo.EARTH_RADIUS_M
            lat = s.lat + math.degrees(d * math.cos(bearing))
            lng = s.lng + math.degrees(d * math.sin(bearing)) / math.cos(math.radians(s.lat))
            points.append((lat, lng))
        if s.service_area is not None:
            points += [(p[1], p[0]) for p in s.service_area["coordinates"][0]]
        for lat, lng in points:
            assert index.nearest(lat, lng) == scan(stores, lat, lng)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lng=st.floats(-180, 180),
    radius=st.integers(1, 2_000_000),
    bearing=st.floats(0, 2 * math.pi),
    share=st.floats(0, 1.2),
)
def test_a_radius_box_holds_its_whole_circle(
    lat: float, lng: float, radius: int, bearing: float, share: float
) -> None:
    """Anywhere on the globe: a point the haversine test takes is inside the store's box."""
    d = radius * share / geo.EARTH_RADIUS_M
    phi, lam = math.radians(lat), math.radians(lng)
    # The point at distance d along the bearing (spherical destination formula).
    phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(bearing))
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(phi),
        math.cos(d) - math.sin(phi) * math.sin(phi2),
    )
    plat = math.degrees(phi2)
    plng = (math.degrees(lam2) + 540) % 360 - 180
    store = Area(0, lat, lng, True, radius, None)
    inside = scan([store], plat, plng) is not None
    west, south, east, north = radius_box(lat, lng, radius)
    if inside:
        assert south <= plat <= north and west <= plng <= east
    assert (ServiceAreaIndex([store]).nearest(plat, plng) is not None) == inside


def test_closed_stores_and_stores_without_an_area_serve_nobody() -> None:
    stores = [
        Area(1, CITY_LAT, CITY_LNG, False, 5_000, None),
        Area(2, CITY_LAT, CITY_LNG, True, None, None),
    ]
    index = ServiceAreaIndex(stores)
    assert len(index) == 0 and index.nearest(CITY_LAT, CITY_LNG) is None


def test_the_nearest_covering_store_wins_and_ties_go_to_the_first() -> None:
    near = Area(1, CITY_LAT, CITY_LNG + 0.01, True, 5_000, None)
    far = Area(2, CITY_LAT, CITY_LNG + 0.03, True, 10_000, None)
    twin = Area(3, CITY_LAT, CITY_LNG + 0.01, True, 5_000, None)
    found = ServiceAreaIndex([far, near, twin]).nearest(CITY_LAT, CITY_LNG)
    assert found is not None and found[0] is near
