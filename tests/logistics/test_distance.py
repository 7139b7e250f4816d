"""The distance dispatch ranks riders by: haversine, and the ordering built on it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kirana.logistics.dispatch import by_distance, haversine_m
from kirana.logistics.models import Rider

STORE = (12.97, 77.59)
lat = st.floats(min_value=12.8, max_value=13.1, allow_nan=False)
lng = st.floats(min_value=77.4, max_value=77.8, allow_nan=False)
position = st.one_of(st.none(), st.tuples(lat, lng))


def rider(n: int, at: tuple[float, float] | None) -> Rider:
    return Rider(id=f"r{n:04d}", user_id=f"u{n}", store_id="s", lat=at and at[0], lng=at and at[1])


@given(positions=st.lists(position, min_size=1, max_size=12))
def test_the_first_rider_is_the_nearest_and_unknown_counts_as_at_the_store(
    positions: list[tuple[float, float] | None],
) -> None:
    riders = [rider(n, at) for n, at in enumerate(positions)]
    ranked = by_distance(riders, *STORE)
    assert sorted(r.id for r in ranked) == sorted(r.id for r in riders)

    def distance(r: Rider) -> float:
        return 0.0 if r.lat is None or r.lng is None else haversine_m(r.lat, r.lng, *STORE)

    distances = [distance(r) for r in ranked]
    assert distances == sorted(distances)
    assert distances[0] == min(distance(r) for r in riders)


@given(a=st.tuples(lat, lng), b=st.tuples(lat, lng), c=st.tuples(lat, lng))
def test_haversine_is_a_metric(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> None:
    assert haversine_m(*a, *a) == 0
    assert abs(haversine_m(*a, *b) - haversine_m(*b, *a)) < 1e-6
    assert haversine_m(*a, *c) <= haversine_m(*a, *b) + haversine_m(*b, *c) + 1e-6


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert 111_000 < haversine_m(12.0, 77.0, 13.0, 77.0) < 111_400
