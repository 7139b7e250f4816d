"""Travel time: the straight line stretched to streets, at each vehicle's city speed."""

from __future__ import annotations

import pytest

from kirana.catalog import geo
from kirana.logistics.travel import DETOUR_FACTOR, SPEED_KMH, travel_seconds

A = (60.17, 24.94)
B = (60.18, 24.95)


@pytest.mark.parametrize("vehicle", sorted(SPEED_KMH))
def test_seconds_are_street_metres_over_the_vehicle_speed(vehicle: str) -> None:
    metres = geo.haversine_m(*A, *B) * DETOUR_FACTOR
    assert travel_seconds(*A, *B, vehicle) == pytest.approx(metres / (SPEED_KMH[vehicle] / 3.6))


def test_faster_vehicles_arrive_sooner_and_nowhere_takes_no_time() -> None:
    by_vehicle = [travel_seconds(*A, *B, v) for v in ("on_foot", "bicycle", "scooter", "motorbike")]
    assert by_vehicle == sorted(by_vehicle, reverse=True)
    assert travel_seconds(*A, *A, "scooter") == 0
    # 1 km straight at 20 km/h, stretched by 1.3: 234 s.
    assert travel_seconds(0, 0, 0, 1000 / 111_195.08, "scooter") == pytest.approx(234, abs=0.1)
    assert travel_seconds(*A, *B, "hovercraft") == travel_seconds(*A, *B, "scooter")
