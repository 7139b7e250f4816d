"""Travel time: over the road network for the rider's vehicle, the straight line stretched to
streets where there are none, cached per pair of points."""

from __future__ import annotations

import math

import pytest

from kirana import maps
from kirana.kit import geo
from kirana.logistics import travel
from kirana.logistics.travel import DETOUR_FACTOR, SPEED_KMH, straight_seconds, travel_seconds

A = (60.17, 24.94)  # both on central Helsinki's streets
B = (60.175, 24.95)
FAR = (60.215, 24.94)  # 5 km north, beyond the extract


@pytest.mark.parametrize("vehicle", sorted(SPEED_KMH))
def test_seconds_are_the_road_networks_for_the_vehicle(vehicle: str) -> None:
    road = maps.travel(A, B, travel.vehicle_of(vehicle))
    assert road.source == "road"
    assert travel_seconds(*A, *B, vehicle) == pytest.approx(road.seconds)


def test_faster_vehicles_arrive_sooner_and_nowhere_takes_no_time() -> None:
    by_vehicle = [travel_seconds(*A, *B, v) for v in ("on_foot", "bicycle", "motorbike")]
    assert by_vehicle == sorted(by_vehicle, reverse=True)
    assert travel_seconds(*A, *A, "scooter") == 0
    assert travel_seconds(*A, *B, "hovercraft") == travel_seconds(*A, *B, "scooter")


def test_off_the_network_the_straight_line_is_stretched_by_the_detour() -> None:
    off = maps.travel(A, FAR, "scooter")
    assert off.source == "straight_line"
    assert travel_seconds(*A, *FAR, "scooter") == pytest.approx(off.seconds)
    # Without any map: 1 km straight at 20 km/h, stretched by 1.3, is 234 s.
    assert straight_seconds(0, 0, 0, 1000 / 111_195.08, "scooter") == pytest.approx(234, abs=0.1)
    metres = geo.haversine_m(*A, *B) * DETOUR_FACTOR
    assert straight_seconds(*A, *B, "bicycle") == pytest.approx(metres / (15 / 3.6))


def test_the_matrix_agrees_with_each_trip_and_is_cached_per_pair() -> None:
    points = [A, B, (60.172, 24.945), FAR]
    matrix = travel.seconds_matrix(points, "scooter")
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                assert matrix[i, j] == pytest.approx(maps.travel(a, b, "scooter").seconds)
    assert all(math.isfinite(x) for x in matrix.flat)
    before = travel._seconds.cache_info().hits
    travel_seconds(*A, *B, "scooter")
    travel_seconds(*A, *B, "scooter")
    assert travel._seconds.cache_info().hits >= before + 1
