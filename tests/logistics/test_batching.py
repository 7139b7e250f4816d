"""Trip planning over central Helsinki's streets: bags, promises, sequences and fallbacks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kirana.logistics import batching
from kirana.logistics.batching import Courier, Drop, Policy, plan_batched
from kirana.logistics.travel import seconds_matrix
from kirana.maps import LatLng
from tests.maps.test_routing import _two_islands

STORE = (60.170, 24.940)
NORTH = [(60.1745, 24.9440), (60.1752, 24.9452), (60.1760, 24.9445)]
SOUTH = [(60.1660, 24.9380), (60.1655, 24.9392), (60.1650, 24.9370)]
POLICY = Policy(bag_items=20, max_drops=3, solver_seconds=2.0)


def drop(i: int, at: LatLng, *, items: int = 2, ready: float = 0, due: float | None = 1800) -> Drop:
    return Drop(f"d{i}", at[0], at[1], items, ready, due)


def riders(n: int, at_store: float = 0.0) -> list[Courier]:
    return [Courier(f"r{i}", "scooter", 10.0 * i, at_store) for i in range(n)]


def check_times(plan: batching.Plan, drops: Sequence[Drop], couriers: Sequence[Courier]) -> None:
    """Every batched trip, ridden over the matrix as planned, keeps every drop's promise, and
    leaves the store only once the rider is there and every bag is packed."""
    by_id = {d.delivery_id: d for d in drops}
    at_store = {c.rider_id: c.at_store_s for c in couriers}
    for trip in plan.trips:
        trip_drops = [by_id[i] for i in trip.delivery_ids]
        points = [STORE, *((d.lat, d.lng) for d in trip_drops)]
        m = seconds_matrix(points, "scooter")
        depart = max([at_store[trip.rider_id], *(d.ready_s for d in trip_drops)])
        assert trip.depart_s >= depart - 1
        if trip.strategy != "batched":
            continue
        at, here = trip.depart_s, 0
        for k, d in enumerate(trip_drops, start=1):
            at += m[here, k] + (batching.HANDOVER_SECONDS if here else 0)
            here = k
            assert d.due_s is None or at <= d.due_s + 1, (trip, d)


def test_orders_going_the_same_way_share_a_rider_within_the_bag() -> None:
    drops = [drop(i, at) for i, at in enumerate(NORTH + SOUTH)]
    couriers = riders(4)
    plan = plan_batched(drops, couriers, STORE, POLICY, seconds_matrix)
    assert not plan.fallbacks and plan.solver_runs == 1
    trips = sorted(sorted(t.delivery_ids) for t in plan.trips)
    assert trips == [["d0", "d1", "d2"], ["d3", "d4", "d5"]]  # north together, south together
    assert {t.strategy for t in plan.trips} == {"batched"}
    check_times(plan, drops, couriers)


def test_no_trip_holds_more_than_the_bag_or_three_drops() -> None:
    heavy = [drop(i, at, items=8) for i, at in enumerate(NORTH + SOUTH)]  # 8 + 8 + 8 > 20
    plan = plan_batched(heavy, riders(6), STORE, POLICY, seconds_matrix)
    assert sum(len(t.delivery_ids) for t in plan.trips) == 6
    assert all(len(t.delivery_ids) <= 2 for t in plan.trips)
    light = [drop(i, NORTH[i % 3], items=1) for i in range(9)]
    plan = plan_batched(light, riders(3), STORE, POLICY, seconds_matrix)
    assert sorted(len(t.delivery_ids) for t in plan.trips) == [3, 3, 3]
    one_drop = Policy(bag_items=20, max_drops=1, solver_seconds=1.0)
    plan = plan_batched(light[:4], riders(4), STORE, one_drop, seconds_matrix)
    assert sorted(len(t.delivery_ids) for t in plan.trips) == [1, 1, 1, 1]


def test_the_sequence_keeps_the_tighter_promise_first() -> None:
    far, near = NORTH[2], (60.1712, 24.9412)
    direct = seconds_matrix([STORE, far], "scooter")[0, 1]
    drops = [
        drop(0, near, due=3600),
        drop(1, far, due=direct + 30),  # only in time if it goes first
    ]
    plan = plan_batched(drops, riders(1), STORE, POLICY, seconds_matrix)
    [trip] = plan.trips
    assert trip.delivery_ids == ("d1", "d0")
    assert trip.arrive_s[0] <= direct + 30
    check_times(plan, drops, riders(1))


def test_a_trip_leaves_when_its_last_bag_is_packed_and_its_rider_is_there() -> None:
    drops = [drop(0, NORTH[0], ready=200), drop(1, NORTH[1], ready=50)]
    couriers = [Courier("late", "scooter", 900.0, 120.0)]
    plan = plan_batched(drops, couriers, STORE, POLICY, seconds_matrix)
    [trip] = plan.trips
    assert trip.depart_s >= 200 and trip.at_store_s == 120
    check_times(plan, drops, couriers)


def test_too_few_riders_serve_the_tightest_promises_and_the_rest_wait() -> None:
    drops = [drop(i, NORTH[i % 3], due=1200 + 300 * i) for i in range(9)]
    plan = plan_batched(drops, riders(2), STORE, POLICY, seconds_matrix)
    planned = {i for t in plan.trips for i in t.delivery_ids}
    assert len(planned) == 6 and len(plan.trips) == 2
    assert {"d0", "d1", "d2"} <= planned  # the soonest promises go now
    check_times(plan, drops, riders(2))


def test_a_solver_out_of_time_falls_back_to_the_nearest_rider() -> None:
    drops = [drop(i, at) for i, at in enumerate(NORTH + SOUTH)]
    couriers = riders(6)
    hurried = Policy(bag_items=20, max_drops=3, solver_seconds=1e-9)
    plan = plan_batched(drops, couriers, STORE, hurried, seconds_matrix)
    assert plan.fallbacks == ["the solver's time ran out before this part was planned"]
    assert plan.solver_runs == 0
    assert {t.strategy for t in plan.trips} == {"fallback"}
    assert sorted(i for t in plan.trips for i in t.delivery_ids) == [d.delivery_id for d in drops]
    # Oldest order first, each with the nearest rider left.
    assert [t.rider_id for t in plan.trips] == [f"r{i}" for i in range(6)]
    assert [t.delivery_ids for t in plan.trips] == [(d.delivery_id,) for d in drops]


def test_bags_that_cannot_be_shared_go_alone_with_the_nearest_rider() -> None:
    drops = [
        drop(0, NORTH[0], items=0),  # nothing to carry: still a drop
        drop(1, NORTH[1], items=25),  # more than a bag
        drop(2, NORTH[2], due=10),  # late even alone
        drop(3, SOUTH[0]),
    ]
    plan = plan_batched(drops, riders(4), STORE, POLICY, seconds_matrix)
    alone = [t for t in plan.trips if t.strategy == "nearest"]
    assert [t.delivery_ids for t in alone] == [("d1",), ("d2",)]
    assert [t.rider_id for t in alone] == ["r0", "r1"]  # the nearest, the late one first
    assert sorted(i for t in plan.trips for i in t.delivery_ids) == ["d0", "d1", "d2", "d3"]


def test_drops_no_road_reaches_go_alone_and_nothing_is_lost() -> None:
    graph = _two_islands()

    def islands(points: Sequence[LatLng], vehicle: str) -> NDArray[np.float64]:
        return graph.seconds_matrix(points, max_snap_m=300, detour=1.3)

    store = (60.1700, 24.9400)  # on the first island
    drops = [
        Drop("here-1", 60.1710, 24.9420, 1, 0, 1800),
        Drop("here-2", 60.1705, 24.9415, 1, 0, 1800),
        Drop("other-island", 60.1880, 24.9400, 1, 0, 1800),
    ]
    assert not np.isfinite(islands([store, (60.188, 24.94)], "bicycle")[0, 1])
    couriers = [Courier(f"r{i}", "bicycle", float(i), 0.0) for i in range(2)]
    plan = plan_batched(drops, couriers, store, POLICY, islands)
    by_strategy = {t.strategy: sorted(t.delivery_ids) for t in plan.trips}
    assert by_strategy == {"nearest": ["other-island"], "batched": ["here-1", "here-2"]}


def test_nothing_to_plan_plans_nothing() -> None:
    assert plan_batched([], riders(3), STORE, POLICY, seconds_matrix).trips == []
    assert plan_batched([drop(0, NORTH[0])], [], STORE, POLICY, seconds_matrix).trips == []


def test_a_big_store_is_planned_in_sectors_within_the_budget() -> None:
    rng = np.random.default_rng(3)
    drops = [
        drop(i, (60.165 + rng.random() * 0.013, 24.936 + rng.random() * 0.016), due=2400)
        for i in range(150)
    ]
    couriers = riders(40)
    plan = plan_batched(drops, couriers, STORE, Policy(20, 3, 0.5), seconds_matrix)
    assert plan.solver_runs == 3 and plan.solver_seconds < 1.5
    planned = [i for t in plan.trips for i in t.delivery_ids]
    assert len(planned) == len(set(planned)) == 120  # 40 riders, 3 drops each
    assert len({t.rider_id for t in plan.trips}) == 40
    check_times(plan, drops, couriers)


def test_riders_plan_with_their_own_vehicle() -> None:
    drops = [drop(i, at, due=3600) for i, at in enumerate(NORTH)]

    def last_arrival(vehicle: str) -> float:
        couriers = [Courier("r0", vehicle, 0.0, 0.0)]
        [trip] = plan_batched(drops, couriers, STORE, POLICY, seconds_matrix).trips
        return trip.arrive_s[-1]

    assert last_arrival("on_foot") > 2 * last_arrival("scooter")
