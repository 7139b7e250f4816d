"""The logistics service's public interface: riders, shifts, locations, deliveries, dispatch.

Other services call :func:`riders_on_shift`, :func:`rider_position_for_order` and
:func:`delivery_for_order`; the orders service's events start (``order.confirmed``) and stop
(``order.cancelled``) deliveries. A rider's pick-up and hand-over move the order through the
:class:`~kirana.logistics.ports.OrderDesk` the caller passes in, never an import of orders.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.errors import Conflict, NotFound, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit
from kirana.kit.pagination import Page, decode_cursor, encode_cursor
from kirana.logistics import cash, dispatch, locations, positions, trips
from kirana.logistics import delivery_repository as deliveries_repo
from kirana.logistics import repository as repo
from kirana.logistics.models import Delivery, Rider
from kirana.logistics.ports import OrderDesk
from kirana.logistics.ports import PickingQueue as PickingQueue
from kirana.logistics.promise import DeliveryPromise as DeliveryPromise
from kirana.logistics.promise import delivery_promise as delivery_promise
from kirana.logistics.schemas import (
    CashEntryRead,
    CashLedger,
    CashTendered,
    DeliveryRead,
    DropAddress,
    EtaRange,
    RiderCreate,
    RiderPosition,
    RiderRead,
    RiderTask,
    Serviceability,
    ServingStore,
    StoreRef,
)
from kirana.logistics.state import (
    ACTIVE_STATUSES,
    DELIVERY,
    FINAL_STATUSES,
    DeliveryStatus,
    sources,
)
from kirana.users import service as users

VEHICLES = ("bicycle", "scooter", "motorbike", "on_foot")
MAX_OTP_ATTEMPTS = 5


class WrongOtp(ValidationFailed):
    code = "wrong_otp"
    title = "Wrong delivery code"
    keep_changes = True  # the failed attempt is counted although the request fails


class DeliveryLocked(Conflict):
    status = 423
    code = "delivery_locked"
    title = "Delivery locked"
    keep_changes = True


class NotARider(NotFound):
    code = "rider_not_found"
    title = "Not a rider"


# --- riders ---------------------------------------------------------------------------------


async def create_rider(
    session: AsyncSession, *, user_id: str, store_id: str, vehicle: str = "scooter"
) -> Rider:
    if vehicle not in VEHICLES:
        raise ValidationFailed(
            f"vehicle must be one of {', '.join(VEHICLES)}", code="invalid_vehicle"
        )
    if await repo.rider_by_user(session, user_id) is not None:
        raise Conflict("This user is a rider already", code="rider_exists")
    user = await users.get_user(session, user_id)
    rider = Rider(
        id=new_id(),
        user_id=user_id,
        store_id=store_id,
        vehicle=vehicle,
        is_online=False,
        name=user.name,
    )
    session.add(rider)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("This user is a rider already", code="rider_exists") from exc
    return rider


async def register_rider(session: AsyncSession, data: RiderCreate) -> RiderRead:
    """Admin: make an existing user with the role ``rider`` a rider of a store.

    The user must have been created with the rider role (``kirana createuser --role rider`` or
    the admin user screens); a customer is not promoted silently, so roles stay deliberate.
    """
    user = await users.get_user(session, data.user_id)
    if user.role != "rider":
        raise ValidationFailed(
            f"The user has the role {user.role}; only a user with the role rider can be one",
            code="user_not_rider",
        )
    await _store_ref(session, data.store_id)
    rider = await create_rider(
        session, user_id=data.user_id, store_id=data.store_id, vehicle=data.vehicle
    )
    return _rider_read(rider, None)


async def list_riders(
    session: AsyncSession,
    *,
    store_id: str | None,
    cursor: str | None,
    limit: int,
    holding_cash: bool = False,
) -> Page[RiderRead]:
    key = decode_cursor(cursor, 1)
    rows = await repo.riders_page(
        session,
        store_id=store_id,
        after_id=str(key[0]) if key else None,
        limit=limit + 1,
        holding_cash=holding_cash,
    )
    more, rows = len(rows) > limit, rows[:limit]
    current = await deliveries_repo.deliveries_by_ids(
        session, [r.current_delivery_id for r in rows if r.current_delivery_id]
    )
    fixes = await locations.current().many([r.id for r in rows])
    return Page(
        items=[
            _rider_read(r, current.get(r.current_delivery_id or ""), fixes.get(r.id)) for r in rows
        ],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


def _rider_read(
    rider: Rider, delivery: Delivery | None, fix: locations.Fix | None = None
) -> RiderRead:
    """The rider, at the location index's position when it has one (the row holds a sample)."""
    return positions.as_read(positions.state_of(rider, delivery), fix)


async def _me(session: AsyncSession, user_id: str, *, lock: bool = False) -> Rider:
    rider = await repo.rider_by_user(session, user_id, lock=lock)
    if rider is None:
        raise NotARider("Your account is not set up as a rider of any store")
    return rider


async def _store_ref(session: AsyncSession, store_id: str) -> StoreRef:
    store = await catalog.get_admin_store(session, store_id)
    return StoreRef(id=store.id, name=store.name, lat=store.lat, lng=store.lng)


async def _read_me(session: AsyncSession, user_id: str) -> RiderRead:
    rider = await _me(session, user_id)
    current = await deliveries_repo.deliveries_by_ids(
        session, [rider.current_delivery_id] if rider.current_delivery_id else []
    )
    fix = await locations.current().get(rider.id)
    return _rider_read(rider, current.get(rider.current_delivery_id or ""), fix)


async def set_shift(session: AsyncSession, user_id: str, *, online: bool) -> RiderRead:
    """Start or end the rider's shift; coming online takes the store's oldest waiting order.
    Going off mid-trip finishes the trip first: no new trip is given, and the shift ends at
    the trip's last hand-over (``off_after_trip`` until then; going online again keeps the
    shift)."""
    rider = await _me(session, user_id, lock=True)
    if not online and rider.current_delivery_id is not None:
        await repo.go_off_after_trip(session, rider.id, clock.now())
        return await _read_me(session, user_id)
    await repo.set_online(session, rider.id, online, clock.now())
    if online:
        await dispatch.dispatch_waiting(session, rider.store_id)
    return await _read_me(session, user_id)


async def read_rider(session: AsyncSession, user_id: str) -> RiderRead:
    """The rider as the rider app shows it."""
    return await _read_me(session, user_id)


# --- the rider's deliveries -----------------------------------------------------------------


async def rider_tasks(session: AsyncSession, orders: OrderDesk, user_id: str) -> Page[RiderTask]:
    rider = await _me(session, user_id)
    tasks = []
    for delivery in await deliveries_repo.active_deliveries_of(session, rider.id):
        info = await orders.delivery_info(session, delivery.order_id)
        cod = info.payment_method == "cod"
        tasks.append(
            RiderTask(
                delivery_id=delivery.id,
                order_id=delivery.order_id,
                order_number=info.number,
                status=delivery.status,
                store=await _store_ref(session, delivery.store_id),
                drop=DropAddress(
                    line1=info.drop.line1,
                    city=info.drop.city,
                    pincode=info.drop.pincode,
                    lat=info.drop.lat,
                    lng=info.drop.lng,
                    instructions=info.drop.instructions,
                ),
                customer_name=info.customer_name,
                customer_phone=info.customer_phone,
                items_count=info.item_count,
                payment_method=info.payment_method,
                amount_to_collect=info.total if cod else 0,
                currency=info.currency,
                locked=delivery.locked,
                trip_id=delivery.trip_id,
                sequence=None if delivery.trip_seq is None else delivery.trip_seq + 1,
            )
        )
    return Page(items=tasks)


async def _my_delivery(session: AsyncSession, rider: Rider, delivery_id: str) -> Delivery:
    delivery = await deliveries_repo.delivery_by_id(session, delivery_id, lock=True)
    if delivery is None or delivery.rider_id != rider.id:
        raise NotFound("No such delivery", code="delivery_not_found")
    return delivery


_delivery_event = dispatch.delivery_event


async def mark_picked_up(
    session: AsyncSession, orders: OrderDesk, user_id: str, delivery_id: str
) -> DeliveryRead:
    """The rider has the bag: only an order the store has packed can be picked up."""
    rider = await _me(session, user_id)
    delivery = await _my_delivery(session, rider, delivery_id)
    DELIVERY.check(
        delivery.status, DeliveryStatus.PICKED_UP, detail=f"This delivery is {delivery.status}"
    )
    await orders.mark_out_for_delivery(session, delivery.order_id, rider_user_id=user_id)
    now = clock.now()
    await deliveries_repo.move_delivery(
        session,
        delivery.id,
        from_statuses=sources(DeliveryStatus.PICKED_UP),
        status=DeliveryStatus.PICKED_UP,
        picked_up_at=now,
        updated_at=now,
    )
    await emit(session, "delivery.picked_up", _delivery_event(delivery, rider))
    return await _delivery_read(session, delivery.id)


async def mark_delivered(
    session: AsyncSession,
    orders: OrderDesk,
    user_id: str,
    delivery_id: str,
    *,
    otp: str,
    cash_tendered: CashTendered | None = None,
) -> DeliveryRead:
    """Hand over with the customer's code; five wrong codes lock the delivery for support. A
    cash order's cash (checked against its amount due) joins the cash the rider holds."""
    rider = await _me(session, user_id)
    delivery = await _my_delivery(session, rider, delivery_id)
    if delivery.locked:
        raise DeliveryLocked(
            "Too many wrong codes: this delivery is locked; call support",
            extra={"attempts_left": 0},
        )
    DELIVERY.check(
        delivery.status,
        DeliveryStatus.DELIVERED,
        detail=f"This delivery is {delivery.status}; pick it up first",
    )
    info = await orders.delivery_info(session, delivery.order_id)
    collection = cash.check_collection(
        cash_tendered, payment_method=info.payment_method, due=info.total, currency=info.currency
    )
    now = clock.now()
    if not hmac.compare_digest(otp.encode(), info.delivery_otp.encode()):
        left = MAX_OTP_ATTEMPTS - (delivery.otp_attempts + 1)
        await deliveries_repo.count_wrong_otp(
            session, delivery.id, lock_at=MAX_OTP_ATTEMPTS, at=now
        )
        if left <= 0:
            raise DeliveryLocked(
                "Too many wrong codes: this delivery is locked; call support",
                extra={"attempts_left": 0},
            )
        raise WrongOtp(
            f"That is not the customer's code; {left} attempt{'s' if left != 1 else ''} left",
            extra={"attempts_left": left},
        )
    await orders.mark_delivered(session, delivery.order_id, rider_user_id=user_id)
    if collection is not None:
        await cash.record_collection(
            session, rider, collection, order_id=delivery.order_id, delivery_id=delivery.id
        )
    await deliveries_repo.move_delivery(
        session,
        delivery.id,
        from_statuses=sources(DeliveryStatus.DELIVERED),
        status=DeliveryStatus.DELIVERED,
        delivered_at=now,
        updated_at=now,
    )
    free = await trips.drop_finished(session, rider.id, delivery)
    await emit(session, "delivery.completed", _delivery_event(delivery, rider))
    if free:
        await dispatch.dispatch_waiting(session, delivery.store_id)
    return await _delivery_read(session, delivery.id)


async def my_cash(
    session: AsyncSession, user_id: str, *, cursor: str | None, limit: int
) -> CashLedger:
    """The rider's own cash ledger and the cash they hold."""
    return await cash.ledger_of(session, await _me(session, user_id), cursor=cursor, limit=limit)


async def unlock_delivery(session: AsyncSession, delivery_id: str) -> DeliveryRead:
    """Support: after checking with the customer, let the rider try the code again."""
    delivery = await deliveries_repo.delivery_by_id(session, delivery_id, lock=True)
    if delivery is None:
        raise NotFound("No such delivery", code="delivery_not_found")
    await deliveries_repo.move_delivery(
        session,
        delivery.id,
        from_statuses=(delivery.status,),
        otp_attempts=0,
        locked=False,
        updated_at=clock.now(),
    )
    return await _delivery_read(session, delivery.id)


# --- reactions to orders --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Opening:
    """A confirmed order's delivery to open: where it goes, its size and its promise."""

    order_id: str
    store_id: str
    drop_lat: float | None
    drop_lng: float | None
    items: int | None = None
    promised_by: datetime | None = None


async def start_deliveries(session: AsyncSession, openings: Sequence[Opening]) -> None:
    """Orders were confirmed: open their deliveries (an order that has one already — a
    redelivered order.confirmed — is skipped) and dispatch each of their stores' waiting
    orders once, however many of its orders came at once."""
    known = await deliveries_repo.orders_with_delivery(session, [o.order_id for o in openings])
    fresh: dict[str, Opening] = {}
    for opening in openings:
        if opening.order_id not in known:
            fresh.setdefault(opening.order_id, opening)
    if not fresh:
        return
    await deliveries_repo.add_deliveries(
        session,
        [
            Delivery(
                id=new_id(),
                order_id=o.order_id,
                store_id=o.store_id,
                status=DeliveryStatus.WAITING,
                drop_lat=o.drop_lat,
                drop_lng=o.drop_lng,
                otp_attempts=0,
                locked=False,
                items=o.items,
                promised_by=o.promised_by,
            )
            for o in fresh.values()
        ],
    )
    for store_id in sorted({o.store_id for o in fresh.values()}):
        await dispatch.dispatch_waiting(session, store_id)


async def cancel_delivery(session: AsyncSession, order_id: str) -> None:
    """An order was cancelled: cancel its delivery; its rider goes on to the trip's next drop,
    or is free and gets the next waiting order."""
    delivery = await deliveries_repo.delivery_by_order(session, order_id, lock=True)
    if delivery is None or delivery.status in FINAL_STATUSES:
        return
    now = clock.now()
    await deliveries_repo.move_delivery(
        session,
        delivery.id,
        from_statuses=sources(DeliveryStatus.CANCELLED),
        status=DeliveryStatus.CANCELLED,
        cancelled_at=now,
        updated_at=now,
    )
    if delivery.rider_id is not None:
        free = await trips.drop_finished(session, delivery.rider_id, delivery)
        rider = await repo.rider_by_id(session, delivery.rider_id)
        if rider is not None:  # the rider's app drops the task at once
            await emit(session, "delivery.cancelled", _delivery_event(delivery, rider))
        if free:
            await dispatch.dispatch_waiting(session, delivery.store_id)


async def sweep_waiting(session: AsyncSession) -> int:
    """Assign waiting deliveries in every store (a periodic safety net)."""
    total = 0
    for store_id in await deliveries_repo.stores_with_waiting(session):
        total += await dispatch.dispatch_waiting(session, store_id)
    return total


async def dispatch_store(session: AsyncSession, store_id: str) -> int:
    """Dispatch one store's waiting orders now by the configured strategy (the simulator's
    and the benchmark's entry point, as the service's own events use it); how many were
    assigned."""
    return await dispatch.dispatch_waiting(session, store_id)


async def replan_trips(session: AsyncSession) -> int:
    """Plan again the trips of riders gone offline or silent, or late at the store."""
    return await trips.replan_trips(session)


async def order_packed(session: AsyncSession, order_id: str) -> None:
    """The store packed the order: its bag is ready for a trip to leave."""
    await deliveries_repo.record_packed(session, order_id, clock.now())


async def pick_after_of(session: AsyncSession, order_ids: list[str]) -> dict[str, datetime]:
    """When the store should start picking each order (just in time for its rider), for the
    orders whose trip planned a later start than now."""
    return await deliveries_repo.pick_after_of(session, order_ids)


# --- what other services read ---------------------------------------------------------------


async def serviceability(
    session: AsyncSession, settings: Settings, orders: OrderDesk, lat: float, lng: float
) -> Serviceability:
    """The store that serves the point and the delivery time it can promise now for a typical
    basket: its picking queue, when a rider is free at the store, and the ride."""
    found = await catalog.nearest_store(session, settings, lat, lng)
    if found is None:
        return Serviceability(
            serviceable=False,
            store=None,
            eta_minutes=None,
            eta_range=None,
            riders_available=0,
            eta_status=None,
        )
    store, _ = found
    made = await delivery_promise(
        session,
        settings,
        store,
        lat=lat,
        lng=lng,
        items=settings.typical_basket_items,
        queue=await orders.picking_queue(session, settings, store.id),
    )
    return Serviceability(
        serviceable=True,
        store=ServingStore(id=store.id, name=store.name),
        eta_minutes=made.p50,
        eta_range=EtaRange(p50=made.p50, p90=made.p90),
        riders_available=made.inputs.riders_idle,
        eta_status=made.status,
    )


async def riders_on_shift(session: AsyncSession, store_id: str) -> tuple[int, int]:
    """(online, idle) riders at ``store_id`` now, for the delivery promise and the surge fee."""
    return await repo.riders_on_shift(session, store_id)


async def rider_position_for_order(session: AsyncSession, order_id: str) -> RiderPosition | None:
    """The position of the rider on the order, for the customer's tracking screen, with the
    minutes until the customer has the bag from there (the drops before theirs counted)."""
    found = await deliveries_repo.rider_on_order(session, order_id)
    if found is None:
        return None
    delivery, rider = found
    if delivery.status not in ACTIVE_STATUSES:
        return None
    fix = await locations.current().get(rider.id)  # fresher than the row's sample
    if fix is not None:
        lat, lng = fix.lat, fix.lng
    elif rider.lat is None or rider.lng is None:
        return None
    else:
        lat, lng = rider.lat, rider.lng
    state = await positions.rider_state(session, dispatch.settings(), user_id=rider.user_id)
    eta = None if state is None else positions.drop_etas(state, lat, lng).get(order_id)
    return RiderPosition(name=rider.name, lat=lat, lng=lng, eta_minutes=eta)


async def cash_audit(session: AsyncSession) -> tuple[dict[str, int], list[cash.HeldMismatch]]:
    """For the money auditor: cash collected by order id, and riders whose cash held is not
    the sum of their ledger."""
    return await cash.audit_rows(session)


async def cash_collected_for_order(session: AsyncSession, order_id: str) -> CashEntryRead | None:
    """The cash a rider collected at a cash-on-delivery hand-over (tendered, change), if any."""
    return await cash.collection_for_order(session, order_id)


async def delivery_for_order(session: AsyncSession, order_id: str) -> DeliveryRead | None:
    delivery = await deliveries_repo.delivery_by_order(session, order_id)
    return None if delivery is None else await _delivery_read(session, delivery.id)


async def _delivery_read(session: AsyncSession, delivery_id: str) -> DeliveryRead:
    delivery = await deliveries_repo.delivery_by_id(session, delivery_id)
    assert delivery is not None
    found = await deliveries_repo.rider_on_order(session, delivery.order_id)
    return DeliveryRead(
        id=delivery.id,
        order_id=delivery.order_id,
        rider_id=delivery.rider_id,
        rider_name=found[1].name if found else None,
        status=delivery.status,
        locked=delivery.locked,
    )
