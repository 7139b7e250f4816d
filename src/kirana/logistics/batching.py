"""Trip planning for one store: which idle rider carries which waiting orders, in what order.

Pure functions over plain data (no database), so the dispatcher, the simulator and the
benchmark plan alike. Times are seconds from now.

* ``plan_nearest``: the nearest-rider rule, oldest order first, one drop a trip.
* ``plan_batched``: a vehicle routing problem with time windows solved by PyVRP. The store is
  the depot; each waiting order is a client whose bag is ready when packed (its release time)
  and whose hand-over must start before its promise runs out (its time window); each idle
  rider is a vehicle that can leave once at the store, with a bag of ``bag_items`` items and
  ``max_drops`` drops. Travel times come from the road network for each rider's vehicle.
  Clients are optional with a large prize (older promises weigh more), so when riders are too
  few the solver chooses whom to serve now and the rest wait for the next run; a fixed cost per
  rider used makes it batch orders that go the same way rather than send a rider for each.

Orders that cannot share a bag (more items than a bag holds, a drop no road reaches from the
store, a promise already out of reach alone) go first, each alone with the nearest rider. A
large store's orders are split into sectors by bearing from the store and solved one sector at
a time within the time budget. When the solver fails, finds nothing feasible, or runs out of
time before it could plan a part, the nearest-rider rule plans that part instead (``fallback``),
and riders left idle take waiting orders by the same rule: nothing is lost to the solver.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

from kirana.maps import LatLng

TripStrategy = Literal["nearest", "batched", "fallback"]
HANDOVER_SECONDS = 60  # at the door: the code, the bag, cash if any
# A rider's cost, in seconds of riding, of being sent at all: what makes two orders going the
# same way share a rider rather than take two.
RIDER_COST_SECONDS = 300
# Seconds beyond which a leg counts as impossible (no road), and a promise-less horizon.
NO_ROAD_SECONDS = 10**6
NO_PROMISE_SECONDS = 4 * 3600
# Riders free at the store within this many seconds of each other share a vehicle type.
START_BUCKET_SECONDS = 30
# Drops per solver run: larger stores are cut into sectors of about this many.
SECTOR_DROPS = 60
SOLVER_SEED = 1
# The solver also stops after this many iterations, or this many without improvement: plans
# repeat on the same input unless the time limit cuts a run short.
MAX_ITERATIONS = 5_000
NO_IMPROVEMENT = 300
PRIZE = 10_000
# A run over its time by less than this share of it still gives each sector left this share of
# it (by size); past that, what is left goes by the nearest rule.
OVERRUN_GRACE = 0.5
SECTOR_FLOOR = 0.1

# Seconds between every pair of points for a vehicle (``inf`` where no road connects them).
Matrix = Callable[[Sequence[LatLng], str], NDArray[np.float64]]


@dataclass(frozen=True, slots=True)
class Drop:
    """A waiting order: where it goes, its bag, when it is packed and when its promise ends."""

    delivery_id: str
    lat: float
    lng: float
    items: int
    ready_s: float  # until packed (0: packed already)
    due_s: float | None  # until the hand-over must have started (None: no promise recorded)


@dataclass(frozen=True, slots=True)
class Courier:
    """An idle rider: how far they are from the store and when they can be there."""

    rider_id: str
    vehicle: str
    distance_m: float  # straight line to the store (the nearest-rider rule's measure)
    at_store_s: float


@dataclass(frozen=True, slots=True)
class PlannedTrip:
    rider_id: str
    delivery_ids: tuple[str, ...]  # in the order of the drops
    strategy: TripStrategy
    at_store_s: float
    depart_s: float
    arrive_s: tuple[float, ...]  # the planned arrival at each drop
    back_s: float | None


@dataclass(frozen=True, slots=True)
class Policy:
    bag_items: int
    max_drops: int
    solver_seconds: float


@dataclass(slots=True)
class Plan:
    trips: list[PlannedTrip] = field(default_factory=list)
    # What happened in the solver, for the logs and the benchmark.
    solver_runs: int = 0
    solver_seconds: float = 0.0
    fallbacks: list[str] = field(default_factory=list)  # why, once per fallback


def _solo_trip(
    drop: Drop, courier: Courier, store_to_drop: float, strategy: TripStrategy
) -> PlannedTrip:
    depart = max(courier.at_store_s, drop.ready_s)
    arrive = depart + store_to_drop
    return PlannedTrip(
        courier.rider_id,
        (drop.delivery_id,),
        strategy,
        courier.at_store_s,
        depart,
        (arrive,),
        None,
    )


# Seconds from the store to a drop for a vehicle.
Ride = Callable[[Drop, str], float]


def plan_nearest(
    drops: Sequence[Drop],
    couriers: Sequence[Courier],
    ride: Ride,
    strategy: TripStrategy = "nearest",
) -> list[PlannedTrip]:
    """Oldest order first (``drops`` come oldest first), each with the nearest free rider."""
    free = sorted(couriers, key=lambda c: (c.distance_m, c.rider_id))
    return [
        _solo_trip(drop, courier, ride(drop, courier.vehicle), strategy)
        for drop, courier in zip(drops, free, strict=False)
    ]


def _sectors(drops: list[Drop], store: LatLng, size: int) -> list[list[Drop]]:
    """Drops cut into runs of about ``size`` by bearing from the store: orders going the same
    way stay together."""
    if len(drops) <= size:
        return [drops]
    lat0 = math.cos(math.radians(store[0]))
    ordered = sorted(drops, key=lambda d: math.atan2(d.lat - store[0], (d.lng - store[1]) * lat0))
    parts = math.ceil(len(ordered) / size)
    step = len(ordered) / parts
    return [ordered[round(i * step) : round((i + 1) * step)] for i in range(parts)]


def _share(couriers: list[Courier], sizes: list[int]) -> list[list[Courier]]:
    """Riders dealt to the sectors in proportion to their drops, soonest at the store first."""
    shares: list[list[Courier]] = [[] for _ in sizes]
    total = sum(sizes) or 1
    quota = [len(couriers) * s / total for s in sizes]
    for courier in sorted(couriers, key=lambda c: (c.at_store_s, c.rider_id)):
        i = max(range(len(sizes)), key=lambda k: (quota[k] - len(shares[k]), -k))
        shares[i].append(courier)
    return shares


@dataclass(slots=True)
class _Sector:
    drops: list[Drop]
    couriers: list[Courier]
    matrices: dict[str, NDArray[np.float64]]  # by vehicle, store first then the drops


def _solve_sector(
    sector: _Sector, policy: Policy, seconds: float, plan: Plan
) -> tuple[list[PlannedTrip], list[Drop], list[Courier]]:
    """PyVRP on one sector: the trips it plans, and the drops and riders it leaves."""
    drops, couriers = sector.drops, sector.couriers
    vehicles = sorted(sector.matrices)
    durations = []
    for vehicle in vehicles:
        m = sector.matrices[vehicle]
        durations.append(np.where(np.isfinite(m), np.ceil(m), NO_ROAD_SECONDS).astype(np.int64))
    groups: dict[tuple[str, int], list[Courier]] = {}
    for c in sorted(couriers, key=lambda c: (c.at_store_s, c.rider_id)):
        bucket = math.ceil(c.at_store_s / START_BUCKET_SECONDS) * START_BUCKET_SECONDS
        groups.setdefault((c.vehicle, bucket), []).append(c)
    keys = list(groups)
    vehicle_types = [
        VehicleType(
            len(groups[key]),
            capacity=[policy.bag_items, policy.max_drops],
            fixed_cost=RIDER_COST_SECONDS,
            tw_early=key[1],
            profile=vehicles.index(key[0]),
        )
        for key in keys
    ]
    clients = [
        Client(
            location=i + 1,
            delivery=[max(0, d.items), 1],
            service_duration=HANDOVER_SECONDS,
            tw_late=max(0, int(d.due_s if d.due_s is not None else NO_PROMISE_SECONDS)),
            release_time=max(0, math.ceil(d.ready_s)),
            required=False,
            # An order whose promise ends sooner weighs more when riders are too few.
            prize=PRIZE + max(0, 3600 - int(d.due_s or NO_PROMISE_SECONDS)),
        )
        for i, d in enumerate(drops)
    ]
    locations = [Location(0.0, 0.0)] + [Location(d.lng, d.lat) for d in drops]
    matrices: list[Any] = durations
    data = ProblemData(locations, clients, [Depot(0)], vehicle_types, matrices, matrices)
    stop = MultipleCriteria(
        [MaxRuntime(seconds), MaxIterations(MAX_ITERATIONS), NoImprovement(NO_IMPROVEMENT)]
    )
    started = time.perf_counter()
    result = solve(data, stop=stop, seed=SOLVER_SEED, display=False, collect_stats=False)
    plan.solver_runs += 1
    plan.solver_seconds += time.perf_counter() - started
    best = result.best
    if not best.is_feasible():
        raise _NoPlan("the solver found no plan that keeps every promise")
    trips: list[PlannedTrip] = []
    planned: set[int] = set()
    used: set[str] = set()
    for route in best.routes():
        if not route.is_feasible():
            continue
        visits = [a.idx for a in route.schedule() if a.is_client()]
        arrivals = tuple(float(a.start_time) for a in route.schedule() if a.is_client())
        if not visits:
            continue
        courier = groups[keys[route.vehicle_type()]].pop(0)
        used.add(courier.rider_id)
        planned.update(visits)
        trips.append(
            PlannedTrip(
                courier.rider_id,
                tuple(drops[i].delivery_id for i in visits),
                "batched",
                courier.at_store_s,
                float(route.start_time()),
                arrivals,
                float(route.end_time()),
            )
        )
    left = [d for i, d in enumerate(drops) if i not in planned]
    return trips, left, [c for c in couriers if c.rider_id not in used]


class _NoPlan(Exception):
    """The solver gave nothing to use for this sector: the nearest-rider rule plans it."""


def plan_batched(
    drops: Sequence[Drop],
    couriers: Sequence[Courier],
    store: LatLng,
    policy: Policy,
    matrix: Matrix,
) -> Plan:
    """Trips for ``couriers`` (idle riders) over ``drops`` (waiting orders, oldest first)."""
    plan = Plan()
    if not drops or not couriers:
        return plan
    vehicles = sorted({c.vehicle for c in couriers})
    points = [store, *((d.lat, d.lng) for d in drops)]
    full = {v: matrix(points, v) for v in vehicles}
    quickest = np.min(np.stack([full[v] for v in vehicles]), axis=0)
    soonest = min(c.at_store_s for c in couriers)
    alone: list[Drop] = []  # cannot share a bag: each goes first, with the nearest rider
    shared: list[int] = []
    for i, d in enumerate(drops, start=1):
        out, back = quickest[0, i], quickest[i, 0]
        if not (math.isfinite(out) and math.isfinite(back)):
            alone.append(d)  # no road from the store: the rider finds the way
        elif d.items > policy.bag_items:
            alone.append(d)
        elif d.due_s is not None and max(soonest, d.ready_s) + out > d.due_s:
            alone.append(d)  # late even alone: no time to share
        else:
            shared.append(i)
    row = {d.delivery_id: i for i, d in enumerate(drops, start=1)}

    def ride(drop: Drop, vehicle: str) -> float:
        seconds = float(full[vehicle][0, row[drop.delivery_id]])
        return seconds if math.isfinite(seconds) else float(NO_ROAD_SECONDS)

    plan.trips = plan_nearest(alone, couriers, ride, "nearest")
    taken = {t.rider_id for t in plan.trips}
    free = [c for c in couriers if c.rider_id not in taken]
    pool = [drops[i - 1] for i in shared]
    if not free or not pool:
        return plan
    index = {d.delivery_id: i for i, d in zip(shared, pool, strict=True)}
    sectors = _sectors(pool, store, SECTOR_DROPS)
    shares = _share(free, [len(s) for s in sectors])
    budget = policy.solver_seconds
    deadline = time.perf_counter() + budget
    leftover_drops: list[Drop] = []
    leftover_couriers: list[Courier] = []
    for k, (part, riders) in enumerate(zip(sectors, shares, strict=True)):
        if not riders:
            leftover_drops += part
            continue
        rows = [0, *(index[d.delivery_id] for d in part)]
        sector = _Sector(
            part,
            riders,
            {v: full[v][np.ix_(rows, rows)] for v in {c.vehicle for c in riders}},
        )
        remaining = deadline - time.perf_counter()
        todo = sum(len(s) for s in sectors[k:])
        share = remaining * len(part) / todo
        if share <= 0 and -remaining < budget * OVERRUN_GRACE:
            # The sectors before ran a little over (a solver iteration past its limit, a
            # busy machine): this one still gets a moment rather than no plan.
            share = budget * SECTOR_FLOOR * len(part) / len(pool)
        try:
            if share <= 0:
                raise _NoPlan("the solver's time ran out before this part was planned")
            trips, left, idle = _solve_sector(sector, policy, share, plan)
        except (_NoPlan, RuntimeError, ValueError) as exc:
            plan.fallbacks.append(str(exc))
            trips = plan_nearest(part, riders, ride, "fallback")
            taken_here = {t.rider_id for t in trips}
            planned_here = {i for t in trips for i in t.delivery_ids}
            left = [d for d in part if d.delivery_id not in planned_here]
            idle = [c for c in riders if c.rider_id not in taken_here]
        plan.trips += trips
        leftover_drops += left
        leftover_couriers += idle
    if leftover_drops and leftover_couriers:
        # Riders the plan left idle take what it left waiting, by the rule.
        leftover_drops.sort(key=lambda d: index[d.delivery_id])
        plan.trips += plan_nearest(leftover_drops, leftover_couriers, ride, "fallback")
    return plan
