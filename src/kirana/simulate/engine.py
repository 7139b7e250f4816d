"""The simulation itself: a discrete-event loop on a virtual clock that drives the real services.

Every time in the services comes from ``kit.clock``; the loop points it at the virtual time of
the event it is handling, so an hour passes in however long the work of that hour takes. What
people do is the loop's: customers fill a cart and check out (cash on delivery), pickers take
the store's queue oldest first and pack, riders go to the store, pick up what they were given,
ride the streets to each door and hand over with the customer's code. What the platform does
(the promise, dispatch, the order's and the delivery's states, what was promised against what
happened, the fleet's figures) is the services' own, reached through their public functions and
the outbox's events, exactly as the API and the workers reach them.

``speed`` only paces the loop against the wall clock; the outcome depends on the seed alone.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, cast

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.errors import KiranaError
from kirana.kit.outbox import BATCH, Event, add_listener, new_wakeup, relay_once
from kirana.logistics import locations, positions
from kirana.logistics import service as logistics
from kirana.logistics.ports import PickingQueue
from kirana.logistics.promise import HANDOVER_SECONDS, pick_seconds
from kirana.logistics.schemas import RiderTask
from kirana.logistics.state import DeliveryStatus
from kirana.logistics.travel import travel_seconds
from kirana.maps.errors import NoRoute
from kirana.maps.routing import travel
from kirana.maps.speeds import Vehicle
from kirana.orders import service as orders
from kirana.orders.schemas import OrderCreate
from kirana.orders.state import OrderStatus
from kirana.simulate.city import City, SimRider
from kirana.simulate.demand import Demand, arrivals
from kirana.users.schemas import Principal
from kirana.worker import jobs as _handlers  # noqa: F401  (every service's event handlers)

# A virtual Monday morning, the same every run (the fee windows read the local clock).
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki
SAMPLE_SECONDS = 60.0  # queue lengths and riders' state, once a virtual minute
SWEEP_SECONDS = 30.0  # the worker's sweep of waiting deliveries (every 5 s live; 30 s is plenty)
REPLAN_SECONDS = 15.0  # the worker's re-planning of late or silent riders' trips
PING_SECONDS = 60.0  # a rider on a trip reports where they are (the app: every few seconds)
DRAIN_LIMIT_SECONDS = 2 * 3600.0  # after the last order, at most this long to deliver the rest
MAX_BASKET = 30  # a basket bigger than the sample's tail would only measure the cap
# Real work varies: a pick, a ride take this many times the model's time (log-normal spread).
PICK_SPREAD = 0.25
RIDE_SPREAD = 0.15

Phase = Literal["at_store", "to_store", "out"]
Progress = Callable[[float], None]


@dataclass(slots=True)
class OrderTrace:
    order_id: str
    store_id: str
    items: int
    placed_at: float
    packed_at: float | None = None
    picked_up_at: float | None = None
    delivered_at: float | None = None


@dataclass(slots=True)
class RiderSim:
    rider: SimRider
    lat: float
    lng: float
    phase: Phase = "at_store"
    # The orders dispatch gave the rider, not picked up yet (from the delivery.* events), and
    # the bags picked up, not handed over yet: (delivery id, order id, lat, lng), in turn.
    given: set[str] = field(default_factory=set)
    drops: deque[tuple[str, str, float, float]] = field(default_factory=deque)
    # The ride under way: from, to, leaving and arriving (virtual seconds); lat, lng is its end.
    leg: tuple[float, float, float, float, float, float] | None = None

    @property
    def open_tasks(self) -> int:
        return len(self.given) + len(self.drops)

    def where(self, now: float) -> tuple[float, float]:
        """Along the ride under way (a straight line between its ends is close enough for
        the position reports), else where the last ride ended."""
        if self.leg is None:
            return self.lat, self.lng
        lat0, lng0, lat1, lng1, t0, t1 = self.leg
        share = 1.0 if t1 <= t0 else min(1.0, max(0.0, (now - t0) / (t1 - t0)))
        return lat0 + (lat1 - lat0) * share, lng0 + (lng1 - lng0) * share


@dataclass(slots=True)
class Sample:
    at: float
    waiting_pick: dict[str, int]  # store id -> orders confirmed, no picker yet
    picking: dict[str, int]
    waiting_rider: dict[str, int]  # packed, not picked up
    riders_busy: int
    riders_online: int


@dataclass(slots=True)
class Trace:
    """What the loop saw happen, for the report (the services keep their own records)."""

    orders: dict[str, OrderTrace] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # error code -> count
    samples: list[Sample] = field(default_factory=list)
    simulated_seconds: float = 0.0
    loop_wall_seconds: float = 0.0  # the loop alone, without the city's setup (not a metric)
    started: datetime = START
    ended: datetime = START


_STAGES = ("waiting_pick", "picking", "packed")  # the stages the queue samples count

_running: Simulation | None = None
_listening = False


async def _on_event(event: Event) -> None:
    """The outbox's listener (after an event's handlers ran): what the people of the running
    simulation would hear of, by push or on screen."""
    if _running is not None:
        _running.heard(event)


class Simulation:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        city: City,
        demand: Demand,
        *,
        orders_per_hour: float,
        hours: float,
        seed: int,
        speed: float,
    ) -> None:
        self.db = db
        self.settings = settings
        self.city = city
        self.demand = demand
        self.hours = hours
        self.speed = speed
        # Separate streams, so the demand is the same whatever the strategy does with it.
        self.demand_rng = random.Random(f"{seed}:demand")
        self.work_rng = random.Random(f"{seed}:work")
        self.arrival_times = arrivals(
            demand,
            self.demand_rng,
            orders_per_hour=orders_per_hour,
            start_hour=(START.hour + 2) % 24,  # the demand curve is read on the local clock
            hours=hours,
        )
        self.stores = {s.id: s for s in city.stores}
        self.riders = {r.user_id: RiderSim(r, *self._store_point(r.store_id)) for r in city.riders}
        self.free_pickers = {sid: deque(staff) for sid, staff in city.pickers.items()}
        self.trace = Trace()
        self._queue: list[tuple[float, int, str, str, str]] = []
        self._seq = 0
        self.now = 0.0
        self._confirmed: set[str] = set()  # stores whose queue changed: pickers look again
        self._assigned: list[tuple[str, str]] = []  # (rider user id, order id) given
        self._unassigned: list[tuple[str, str]] = []  # taken back by re-planning
        self._pick_wake: dict[str, float] = {}  # store -> when a just-in-time pick is due
        self._stage: dict[str, str] = {}  # order id -> waiting_pick, picking, packed, out, done
        # Orders at each stage a store, kept as they move (the samples read it each minute).
        self._at_stage: dict[str, dict[str, int]] = {
            stage: dict.fromkeys(self.stores, 0) for stage in _STAGES
        }
        self._open = 0  # orders placed and not delivered

    # --- time ---------------------------------------------------------------------------

    def _virtual_now(self) -> datetime:
        return START + timedelta(seconds=self.now)

    def _at(self, delay: float, kind: str, who: str = "", what: str = "") -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + delay, self._seq, kind, who, what))

    def _store_point(self, store_id: str) -> tuple[float, float]:
        store = self.stores[store_id]
        return store.lat, store.lng

    def _spread(self, sigma: float) -> float:
        return math.exp(self.work_rng.gauss(0.0, sigma))

    def _ride_seconds(self, a: tuple[float, float], b: tuple[float, float], vehicle: str) -> float:
        """Over the streets (kirana.maps); the straight-line estimate where they do not meet."""
        try:
            seconds = travel(a, b, cast(Vehicle, vehicle), self.settings).seconds
        except NoRoute:
            seconds = travel_seconds(*a, *b, vehicle)
        return seconds * self._spread(RIDE_SPREAD)

    # --- the loop -----------------------------------------------------------------------

    async def run(self, progress: Progress | None = None) -> Trace:
        with self.running():
            return await self._run(progress)

    @contextmanager
    def running(self) -> Iterator[None]:
        """While inside, the services read this simulation's virtual time and its people hear
        the outbox's events."""
        global _running, _listening
        if not _listening:
            add_listener(_on_event)
            _listening = True
        _running = self
        self._written = new_wakeup()
        self._written.set()
        clock.reset()
        clock.set_source(self._virtual_now)
        try:
            yield
        finally:
            _running = None
            clock.set_source(None)
            clock.reset()

    async def _run(self, progress: Progress | None) -> Trace:
        await self._start_shifts()
        for n, at in enumerate(self.arrival_times):
            self._seq += 1
            heapq.heappush(self._queue, (at, self._seq, "order", "", str(n)))
        self._at(0.0, "sample")
        self._at(SWEEP_SECONDS, "sweep")
        self._at(PING_SECONDS, "ping")
        self._at(REPLAN_SECONDS, "replan")
        demand_ends = self.hours * 3600
        wall_start = time.perf_counter()
        while self._queue:
            at, _, kind, who, what = heapq.heappop(self._queue)
            if at > demand_ends and self._all_done():
                break  # ordering is over and every order handed over: the run ends there
            if at > demand_ends + DRAIN_LIMIT_SECONDS:
                break
            self.now = at
            if self.speed > 0:
                ahead = at / self.speed - (time.perf_counter() - wall_start)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            await self._handle(kind, who, what)
            await self._settle()
            if progress is not None:
                progress(self.now)
        await self._end_shifts()
        self.trace.loop_wall_seconds = time.perf_counter() - wall_start
        self.trace.simulated_seconds = self.now
        self.trace.ended = self._virtual_now()
        return self.trace

    def _all_done(self) -> bool:
        return self._open == 0

    def _set_stage(self, order_id: str, stage: str) -> None:
        """Move an order on (the counts the samples read follow it)."""
        store_id = self.trace.orders[order_id].store_id
        before = self._stage.get(order_id)
        if before in self._at_stage:
            self._at_stage[before][store_id] -= 1
        if stage in self._at_stage:
            self._at_stage[stage][store_id] += 1
        if before is None:
            self._open += 1
        if stage == "done":
            self._open -= 1
        self._stage[order_id] = stage

    async def _handle(self, kind: str, who: str, what: str) -> None:
        if kind == "order":
            await self._order(int(what))
        elif kind == "packed":
            await self._packed(who, what)
        elif kind == "at_store":
            rider = self.riders[who]
            rider.phase, rider.leg = "at_store", None
            await self._report_position(rider)
            await self._try_pick_up(rider)
        elif kind == "at_drop":
            await self._at_drop(self.riders[who])
        elif kind == "sample":
            self._sample()
            self._at(SAMPLE_SECONDS, "sample")
        elif kind == "sweep":
            async with self.db.transaction() as session:
                await logistics.sweep_waiting(session)
            self._at(SWEEP_SECONDS, "sweep")
        elif kind == "replan":
            async with self.db.transaction() as session:
                await logistics.replan_trips(session)
            self._at(REPLAN_SECONDS, "replan")
        elif kind == "ping":
            await self._report_position(*(r for r in self.riders.values() if r.open_tasks))
            self._at(PING_SECONDS, "ping")
        elif kind == "pick_wake":
            self._pick_wake.pop(who, None)
            await self._start_picking(who)

    def heard(self, event: Event) -> None:
        if event.type == "order.confirmed":
            self._confirmed.add(str(event.payload["store_id"]))
        elif event.type in ("delivery.assigned", "delivery.unassigned"):
            given = (str(event.payload["rider_user_id"]), str(event.payload["order_id"]))
            if event.type == "delivery.assigned":
                self._assigned.append(given)
            else:
                self._unassigned.append(given)
            # Dispatch plans the pick for the rider (``pick_after``): the pickers look again.
            self._confirmed.add(str(event.payload["store_id"]))

    async def _settle(self) -> None:
        """Relay the events the last step wrote (the handlers run: dispatch, notifications ...),
        then let the people who heard of something act on it, until all is quiet."""
        while True:
            # Something emitted an event (emit() sets it): relay a round; the handlers that
            # emit in turn set it again. No round to find the outbox empty.
            while self._written.is_set():
                self._written.clear()
                if await relay_once(self.db) >= BATCH:
                    self._written.set()  # a full batch: there may be more
            if not self._confirmed and not self._assigned and not self._unassigned:
                return
            stores, self._confirmed = sorted(self._confirmed), set()
            assigned, self._assigned = self._assigned, []
            for user_id, order_id in self._unassigned:
                self.riders[user_id].given.discard(order_id)
            self._unassigned = []
            for user_id, order_id in assigned:
                self.riders[user_id].given.add(order_id)
            for store_id in stores:
                await self._start_picking(store_id)
            for user_id in dict.fromkeys(u for u, _ in assigned):
                rider = self.riders[user_id]
                if rider.phase == "at_store":
                    await self._try_pick_up(rider)

    # --- shifts -------------------------------------------------------------------------

    async def _start_shifts(self) -> None:
        for rider in self.riders.values():
            await self._report_position(rider)
            async with self.db.transaction() as session:
                await logistics.set_shift(session, rider.rider.user_id, online=True)
        await self._settle()

    async def _end_shifts(self) -> None:
        for rider in self.riders.values():
            if rider.open_tasks:
                continue  # still out: the shift stays open, as a real one would
            # A rider dispatch still holds on a trip ends the shift at its last hand-over.
            async with self.db.transaction() as session:
                await logistics.set_shift(session, rider.rider.user_id, online=False)

    async def _report_position(self, *riders: RiderSim) -> None:
        """What the rider app sends: into the location index, and sampled to the database. The
        reports of one moment (the minute's, of every rider on a trip) share a transaction."""
        at = self._virtual_now()
        async with self.db.transaction() as session:
            for rider in riders:
                lat, lng = rider.where(self.now)
                await locations.current().put(locations.Fix(rider.rider.rider_id, lat, lng, at))
                state = await positions.rider_state(
                    session, self.settings, user_id=rider.rider.user_id
                )
                if state is not None:
                    await positions.record_sample(
                        session, state, lat=lat, lng=lng, at=at, every=timedelta(0)
                    )

    # --- customers ----------------------------------------------------------------------

    async def _order(self, n: int) -> None:
        customer = self.city.customers[self.demand_rng.randrange(len(self.city.customers))]
        size = self.demand.basket_size(self.demand_rng, MAX_BASKET)
        principal = Principal(id=customer.user_id, role="customer", store_id=None)
        try:
            async with self.db.transaction() as session:
                found = await catalog.nearest_store(
                    session, self.settings, customer.lat, customer.lng
                )
                if found is None:
                    self._refuse("address_not_serviceable")
                    return
                store = self.stores[found[0].id]
                products = self.demand_rng.sample(store.products, min(size, len(store.products)))
                for product_id in products:
                    await orders.set_item(
                        session, self.settings, customer.user_id, product_id, 1, store.id
                    )
            async with self.db.transaction() as session:
                _, answer = await orders.place_order(
                    session,
                    self.settings,
                    principal,
                    f"simulated-order-{n}",
                    OrderCreate(address_id=customer.address_id, payment_method="cod"),
                )
        except KiranaError as exc:
            self._refuse(exc.code)
            return
        order_id = str(answer["id"])
        self.trace.orders[order_id] = OrderTrace(order_id, store.id, len(products), self.now)
        self._set_stage(order_id, "waiting_pick")

    def _refuse(self, code: str) -> None:
        self.trace.refused[code] = self.trace.refused.get(code, 0) + 1

    # --- pickers ------------------------------------------------------------------------

    def _staff(self, user_id: str, store_id: str) -> Principal:
        return Principal(id=user_id, role="store_staff", store_id=store_id)

    async def _start_picking(self, store_id: str) -> None:
        """Each free picker takes the oldest confirmed order of the store's queue."""
        free = self.free_pickers[store_id]
        if not free:
            return
        async with self.db.transaction(write=False) as session:
            queue = await orders.store_queue(
                session, self._staff(free[0], store_id), store_id, OrderStatus.CONFIRMED
            )
        store = self.stores[store_id]
        now = self._virtual_now()
        for entry in queue.items:
            if not free:
                return
            # Just-in-time picking, where dispatch plans it: not before the bag's rider is due.
            if entry.pick_after is not None and entry.pick_after > now:
                self._wake_pickers(store_id, (entry.pick_after - START).total_seconds())
                continue
            picker = free.popleft()
            async with self.db.transaction() as session:
                await orders.staff_transition(
                    session, self._staff(picker, store_id), entry.id, OrderStatus.PICKING
                )
            self._set_stage(entry.id, "picking")
            seconds = pick_seconds(
                self.settings,
                prep_minutes=store.prep_minutes,
                items=entry.item_count,
                queue=PickingQueue(orders=0, items=0),
            )
            self._at(seconds * self._spread(PICK_SPREAD), "packed", picker, entry.id)

    def _wake_pickers(self, store_id: str, at: float) -> None:
        if self._pick_wake.get(store_id, math.inf) <= at:
            return
        self._pick_wake[store_id] = at
        self._at(max(0.0, at - self.now), "pick_wake", store_id)

    async def _packed(self, picker: str, order_id: str) -> None:
        store_id = self.trace.orders[order_id].store_id
        async with self.db.transaction() as session:
            await orders.staff_transition(
                session, self._staff(picker, store_id), order_id, OrderStatus.PACKED
            )
        self.trace.orders[order_id].packed_at = self.now
        self._set_stage(order_id, "packed")
        self.free_pickers[store_id].append(picker)
        await self._start_picking(store_id)
        for rider in self.riders.values():
            if order_id in rider.given and rider.phase == "at_store":
                await self._try_pick_up(rider)

    # --- riders -------------------------------------------------------------------------

    async def _try_pick_up(self, rider: RiderSim) -> None:
        """At the store: take every bag the rider was given once all of them are packed."""
        if not rider.given or any(self._stage.get(o) != "packed" for o in rider.given):
            return  # nothing given, or a bag still with the pickers: the packing wakes them
        user_id = rider.rider.user_id
        async with self.db.transaction(write=False) as session:
            tasks = (await logistics.rider_tasks(session, orders, user_id)).items
        given = [t for t in tasks if t.status == DeliveryStatus.ASSIGNED]
        if not given:
            return
        if any(self._stage.get(t.order_id) != "packed" for t in given):
            return  # wait for the picker; the packing wakes the rider again
        for task in given:
            async with self.db.transaction() as session:
                await logistics.mark_picked_up(session, orders, user_id, task.delivery_id)
            self.trace.orders[task.order_id].picked_up_at = self.now
            self._set_stage(task.order_id, "out")
            rider.given.discard(task.order_id)
        rider.phase = "out"
        rider.drops.extend(self._drop_order(rider, given))
        self._ride_to_next_drop(rider)

    def _drop_order(
        self, rider: RiderSim, given: list[RiderTask]
    ) -> list[tuple[str, str, float, float]]:
        """In the order dispatch planned (the tasks' ``sequence``, where it sets one), else
        each next the nearest, from the store."""
        drops = [(t.delivery_id, t.order_id, t.drop.lat, t.drop.lng) for t in given]
        planned = [t.sequence for t in given]
        if all(n is not None for n in planned):
            return [d for _, d in sorted(zip(planned, drops, strict=True))]
        here = self._store_point(rider.rider.store_id)
        ordered = []
        while drops:
            nearest = min(drops, key=lambda d: (travel_seconds(*here, d[2], d[3], "scooter"), d[1]))
            drops.remove(nearest)
            ordered.append(nearest)
            here = (nearest[2], nearest[3])
        return ordered

    def _ride(self, rider: RiderSim, to: tuple[float, float], extra: float, kind: str) -> None:
        """Set off from where the rider is to ``to``; ``kind`` happens on arrival (``extra``
        seconds after it)."""
        here = rider.where(self.now)
        seconds = self._ride_seconds(here, to, rider.rider.vehicle)
        rider.leg = (*here, *to, self.now, self.now + seconds)
        rider.lat, rider.lng = to
        self._at(seconds + extra, kind, rider.rider.user_id)

    def _ride_to_next_drop(self, rider: RiderSim) -> None:
        _, _, lat, lng = rider.drops[0]
        # At the door: the code, the bag, cash; the hand-over is done at its end.
        self._ride(rider, (lat, lng), HANDOVER_SECONDS, "at_drop")

    async def _at_drop(self, rider: RiderSim) -> None:
        delivery_id, order_id, _, _ = rider.drops.popleft()
        rider.leg = None
        await self._report_position(rider)
        async with self.db.transaction(write=False) as session:
            code = (await orders.delivery_info(session, order_id)).delivery_otp
        async with self.db.transaction() as session:
            await logistics.mark_delivered(
                session, orders, rider.rider.user_id, delivery_id, otp=code
            )
        self.trace.orders[order_id].delivered_at = self.now
        self._set_stage(order_id, "done")
        if rider.drops:
            self._ride_to_next_drop(rider)
            return
        rider.phase = "to_store"
        self._ride(rider, self._store_point(rider.rider.store_id), 0.0, "at_store")

    # --- watching -----------------------------------------------------------------------

    def _sample(self) -> None:
        counts = {stage: dict(by_store) for stage, by_store in self._at_stage.items()}
        self.trace.samples.append(
            Sample(
                at=self.now,
                waiting_pick=counts["waiting_pick"],
                picking=counts["picking"],
                waiting_rider=counts["packed"],
                riders_busy=sum(
                    1 for r in self.riders.values() if r.open_tasks or r.phase == "out"
                ),
                riders_online=len(self.riders),
            )
        )
