"""Serviceability geometry: haversine distances, point in polygon, polygon validation, ETA."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kirana.catalog import geo

lat = st.floats(min_value=-80, max_value=80, allow_nan=False)
lng = st.floats(min_value=-179, max_value=179, allow_nan=False)

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.18], [24.93, 60.16]]
    ],
}
WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        SQUARE["coordinates"][0],
        [[24.935, 60.165], [24.945, 60.165], [24.945, 60.175], [24.935, 60.175], [24.935, 60.165]],
    ],
}


def test_haversine_known_distances() -> None:
    # One degree of latitude is about 111.2 km anywhere.
    assert geo.haversine_m(60.0, 24.0, 61.0, 24.0) == pytest.approx(111_195, rel=1e-3)
    # Helsinki railway station to Kamppi: roughly 600 m.
    assert 450 < geo.haversine_m(60.1710, 24.9414, 60.1690, 24.9320) < 650
    assert geo.haversine_m(60.17, 24.94, 60.17, 24.94) == 0


@given(lat, lng, lat, lng)
def test_haversine_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    forward = geo.haversine_m(a, b, c, d)
    assert forward == pytest.approx(geo.haversine_m(c, d, a, b), abs=1e-6)
    assert 0 <= forward <= math.pi * geo.EARTH_RADIUS_M + 1


@given(lat, lng, lat, lng, lat, lng)
def test_haversine_triangle_inequality(
    a: float, b: float, c: float, d: float, e: float, f: float
) -> None:
    assert (
        geo.haversine_m(a, b, e, f)
        <= geo.haversine_m(a, b, c, d) + geo.haversine_m(c, d, e, f) + 1e-6
    )


def test_point_in_polygon_and_holes() -> None:
    assert geo.point_in_polygon(60.17, 24.94, SQUARE)
    assert not geo.point_in_polygon(60.19, 24.94, SQUARE)
    assert not geo.point_in_polygon(60.17, 24.92, SQUARE)
    assert not geo.point_in_polygon(60.17, 24.94, WITH_HOLE)  # in the hole
    assert geo.point_in_polygon(60.162, 24.932, WITH_HOLE)


@given(
    st.floats(min_value=60.0, max_value=60.3, allow_nan=False),
    st.floats(min_value=24.8, max_value=25.1, allow_nan=False),
)
def test_point_in_rectangle_matches_bounding_box(p_lat: float, p_lng: float) -> None:
    strictly_inside = 60.16 < p_lat < 60.18 and 24.93 < p_lng < 24.95
    strictly_outside = not (60.16 <= p_lat <= 60.18 and 24.93 <= p_lng <= 24.95)
    result = geo.point_in_polygon(p_lat, p_lng, SQUARE)
    if strictly_inside:
        assert result
    if strictly_outside:
        assert not result


def test_concave_polygon() -> None:
    # A "U": the notch between the arms is outside.
    u_shape = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]],
    }
    assert geo.point_in_polygon(2.5, 0.5, u_shape)  # lat 2.5, lng 0.5: left arm
    assert not geo.point_in_polygon(2.0, 1.5, u_shape)  # the notch
    assert geo.point_in_polygon(0.5, 1.5, u_shape)  # the base


@pytest.mark.parametrize(
    ("polygon", "fragment"),
    [
        ({"type": "Point", "coordinates": [1, 2]}, "Polygon"),
        ({"type": "Polygon", "coordinates": []}, "non-empty"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "out of range"),
        ({"type": "Polygon", "coordinates": [[[0, 95], [1, 0], [1, 1], [0, 95]]]}, "out of range"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}, "no area"),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]}, "numbers"),
    ],
)
def test_polygon_problems(polygon: dict, fragment: str) -> None:
    problems = geo.polygon_problems(polygon)
    assert problems and any(fragment in p for p in problems), problems


def test_valid_polygon_has_no_problems() -> None:
    assert geo.polygon_problems(SQUARE) == []
    assert geo.polygon_problems(WITH_HOLE) == []


def test_covers_uses_polygon_else_radius() -> None:
    assert geo.covers(60.17, 24.94, store_lat=60.17, store_lng=24.94, radius_m=10, area=None)
    assert not geo.covers(60.18, 24.94, store_lat=60.17, store_lng=24.94, radius_m=1000, area=None)
    assert geo.covers(60.179, 24.949, store_lat=0, store_lng=0, radius_m=None, area=SQUARE)
    assert not geo.covers(60.17, 24.94, store_lat=60.17, store_lng=24.94, radius_m=None, area=None)
