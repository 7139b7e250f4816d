"""An order after checkout: every transition (through orders.state) and the reads of an order.
The store's queue and pick lists are in ``orders.store_ops``; what logistics calls when a rider
picks up and delivers is in ``orders.order_desk``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import stock
from kirana.kit import clock
from kirana.kit.errors import NotFound
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit_many
from kirana.kit.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from kirana.logistics import service as logistics
from kirana.orders import cart, state
from kirana.orders import pricing_repository as pricing_repo
from kirana.orders import repository as repo
from kirana.orders import substitution_repository as substitution_repo
from kirana.orders.models import Order, OrderItem, OrderSubstitution
from kirana.orders.schemas import (
    FeeLine,
    OrderItemRead,
    OrderRead,
    OrderRow,
    OrderSummary,
    PaymentSummary,
    RiderOnMap,
    SubstitutionRead,
    TimelineEntry,
    TrackingPoint,
    TrackingRead,
)
from kirana.orders.state import OrderStatus
from kirana.payments import service as payments
from kirana.payments.schemas import PaymentRead
from kirana.users.schemas import Principal

Actor = state.Actor


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.id, principal.role)


def order_not_found() -> NotFound:
    return NotFound("No such order", code="order_not_found")


async def load_order(session: AsyncSession, order_id: str, *, lock: bool = False) -> Order:
    order = await repo.order_by_id(session, order_id, lock=lock)
    if order is None:
        raise order_not_found()
    return order


async def customer_order(
    session: AsyncSession, principal: Principal, order_id: str, *, lock: bool = False
) -> Order:
    """The caller's own order; anyone else's is "not found" (admins see every order)."""
    order = await repo.order_by_id(session, order_id, lock=lock)
    return _visible(order, principal, order is not None and order.customer_id == principal.id)


async def staff_order(
    session: AsyncSession, principal: Principal, order_id: str, *, lock: bool = False
) -> Order:
    """An order of the caller's own store (admins: any); another store's is "not found"."""
    order = await repo.order_by_id(session, order_id, lock=lock)
    return _visible(order, principal, order is not None and order.store_id == principal.store_id)


def _visible(order: Order | None, principal: Principal, theirs: bool) -> Order:
    if order is None or not (theirs or principal.role == "admin"):
        raise order_not_found()
    return order


def check_store_access(principal: Principal, store_id: str) -> None:
    if principal.role != "admin" and principal.store_id != store_id:
        raise NotFound("No such store", code="store_not_found")


def base_payload(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "number": order.number,
        "store_id": order.store_id,
        "customer_id": order.customer_id,
    }


def dispatch_payload(order: Order | OrderRow) -> dict[str, Any]:
    """What dispatch plans a confirmed order's delivery with: where it goes, how many items,
    and when its promise (the p90 from confirmation) runs out."""
    promised_by = None
    if order.confirmed_at is not None and order.eta_p90_minutes is not None:
        promised_by = (order.confirmed_at + timedelta(minutes=order.eta_p90_minutes)).isoformat()
    return {
        "drop_lat": order.drop_lat,
        "drop_lng": order.drop_lng,
        "items": order.item_count,
        "promised_by": promised_by,
    }


async def transition(
    session: AsyncSession,
    order: Order,
    target: OrderStatus,
    actor: Actor,
    *,
    note: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Move ``order`` (loaded with a lock) to ``target``: check, record, announce."""
    await transition_many(session, [order], target, actor, note=note, payload=payload)


async def transition_many(
    session: AsyncSession,
    orders: list[Order],
    target: OrderStatus,
    actor: Actor,
    *,
    note: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """``transition`` for each of ``orders`` (loaded with a lock), in one statement per table
    whatever their number: their updates in one flush, their timeline entries and their events
    (in the order given) in one statement each."""
    if not orders:
        return
    for order in orders:
        state.check(order.status, target, actor)
    now = clock.now()
    for order in orders:
        order.status = target
        order.updated_at = now
        if target == OrderStatus.CONFIRMED:
            order.confirmed_at = now
    await session.flush()
    entry = {"status": target, "at": now, "actor": actor.id, "actor_role": actor.role}
    await repo.add_events(
        session,
        [{"id": new_id(), "order_id": order.id, **entry, "note": note} for order in orders],
    )
    events = []
    for order in orders:
        body = base_payload(order)
        if target == OrderStatus.CONFIRMED:
            body |= dispatch_payload(order)
        events.append((f"order.{target}", body | (payload or {}), None))
    await emit_many(session, events)


async def confirm(session: AsyncSession, order: Order, actor: Actor = state.SYSTEM) -> None:
    await transition(session, order, OrderStatus.CONFIRMED, actor)


async def cancel(session: AsyncSession, order: Order, actor: Actor, reason: str) -> None:
    """Cancel, give the stock back and the coupon use; payments refunds from the event."""
    was_paid = order.status in state.PAID_STATUSES and order.payment_method != "cod"
    state.check(order.status, OrderStatus.CANCELLED, actor)
    order.cancel_reason = reason[:200]
    # The coupon's row before the stock's, the order checkout locks them in (no deadlock).
    await pricing_repo.revert_redemption(session, order.id)
    await stock.release(session, order.id)  # substitutes on offer too
    await substitution_repo.lapse_open_proposals(session, order.id, clock.now())
    await transition(
        session,
        order,
        OrderStatus.CANCELLED,
        actor,
        note=reason[:200],
        payload={
            "reason": reason,
            "payment_id": order.payment_id,
            "refund_amount": order.total if was_paid else 0,
        },
    )


async def cancel_unpaid(session: AsyncSession, order: Order, actor: Actor, reason: str) -> None:
    """Cancel an order that was never paid and give its customer the cart back as it was."""
    await cancel(session, order, actor, reason)
    lines = [
        (i.product_id, i.quantity, i.unit_price) for i in await repo.items_of(session, order.id)
    ]
    await cart.give_back(session, order.customer_id, order.store_id, order.coupon_code, lines)


async def cancel_by_customer(
    session: AsyncSession, principal: Principal, order_id: str, reason: str | None
) -> OrderRead:
    order = await customer_order(session, principal, order_id, lock=True)
    actor = actor_of(principal)
    reason = reason or f"cancelled by {actor.role}"
    if order.status == OrderStatus.PENDING_PAYMENT and actor.role == "customer":
        await cancel_unpaid(session, order, actor, reason)
    else:
        await cancel(session, order, actor, reason)
    return await order_read(session, order, show_otp=True)


async def cancel_by_admin(
    session: AsyncSession, principal: Principal, order_id: str, reason: str | None
) -> OrderRead:
    order = await load_order(session, order_id, lock=True)
    await cancel(session, order, actor_of(principal), reason or "cancelled by admin")
    return await order_read(session, order, show_otp=False)


# --- payment events and the expiry job ------------------------------------------------------


async def on_payment_succeeded(session: AsyncSession, order_id: str) -> None:
    """Confirm a pending order. Already confirmed: nothing to do. Cancelled: stays cancelled
    (payments refunds a late capture)."""
    await on_payments_succeeded(session, [order_id])


async def on_payments_succeeded(session: AsyncSession, order_ids: list[str]) -> None:
    """``on_payment_succeeded`` for many orders at once: locked in id order in one query, the
    pending ones confirmed together (``transition_many``)."""
    orders = await repo.orders_by_ids(session, order_ids, lock=True)
    pending = [o for o in orders if o.status == OrderStatus.PENDING_PAYMENT]
    await transition_many(session, pending, OrderStatus.CONFIRMED, state.SYSTEM)


async def expire_unpaid(session: AsyncSession, *, older_than_minutes: int = 15) -> int:
    """Cancel orders left unpaid past their payment window ("payment_timeout"), releasing the
    stock they held and giving each customer the cart back; returns how many. A failed payment
    alone cancels nothing: the customer may pay again until then."""
    cutoff = clock.now() - timedelta(minutes=older_than_minutes)
    expired = 0
    for order_id in await repo.unpaid_before(session, cutoff):
        order = await repo.order_by_id(session, order_id, lock=True)
        if order is not None and order.status == OrderStatus.PENDING_PAYMENT:
            await cancel_unpaid(session, order, state.SYSTEM, "payment_timeout")
            expired += 1
    return expired


# --- reads ----------------------------------------------------------------------------------


def summary(order: Order) -> OrderSummary:
    return OrderSummary(
        id=order.id,
        number=order.number,
        status=order.status,
        store_id=order.store_id,
        total=order.total,
        currency=order.currency,
        item_count=order.item_count,
        payment_method=order.payment_method,
        created_at=order.created_at,
    )


_COPIED = (
    "id",
    "number",
    "status",
    "store_id",
    "total",
    "currency",
    "item_count",
    "payment_method",
    "created_at",
    "customer_id",
    "subtotal",
    "fees_total",
    "discount",
    "tip",
    "coupon_code",
    "eta_minutes",
    "address",
    "delivery_instructions",
    "cancel_reason",
    "confirmed_at",
)


def payment_closes_at(created_at: datetime) -> datetime:
    """When an unpaid order placed at ``created_at`` stops taking payments and expires."""
    return clock.ensure_aware(created_at) + timedelta(minutes=state.PAYMENT_WINDOW_MINUTES)


def compose_order_read(
    order: Order | OrderRow,
    *,
    items: list[OrderItemRead],
    timeline: list[TimelineEntry],
    payment: PaymentSummary | None,
    show_otp: bool,
) -> OrderRead:
    """The order as its owner (``show_otp``) or staff see it; from a row or a new order."""
    return OrderRead(
        **{name: getattr(order, name) for name in _COPIED},
        pay_by=(
            payment_closes_at(order.created_at)
            if order.status == OrderStatus.PENDING_PAYMENT
            else None
        ),
        fees=[FeeLine(**f) for f in order.fees],
        delivery_otp=order.delivery_otp if show_otp else None,
        items=items,
        timeline=timeline,
        payment=payment,
    )


def substitution_read(
    row: OrderSubstitution, replaces: str, difference: PaymentRead | None = None
) -> SubstitutionRead:
    return SubstitutionRead(
        id=row.id,
        order_id=row.order_id,
        line_id=row.line_id,
        replaces=replaces,
        product_id=row.product_id,
        name=row.name,
        unit=row.unit,
        quantity=row.quantity,
        unit_price=row.unit_price,
        charged_unit_price=row.charged_unit_price,
        dearer=row.unit_price > row.charged_unit_price,
        status=row.status,
        expires_at=row.expires_at,
        decided_at=row.decided_at,
        paid_difference=row.paid_difference,
        difference_payment=difference,
    )


async def substitution_reads(
    session: AsyncSession, order_id: str, items: list[OrderItem]
) -> list[SubstitutionRead]:
    names = {i.id: i.name for i in items}
    differences = await payments.difference_payments(session, order_id)
    return [
        substitution_read(row, names.get(row.line_id, ""), differences.get(row.id))
        for row in await substitution_repo.substitutions_of(session, order_id)
    ]


async def order_read(session: AsyncSession, order: Order, *, show_otp: bool) -> OrderRead:
    payment = await payments.get_payment_for_order(session, order.id)
    items = await repo.items_of(session, order.id)
    read = compose_order_read(
        order,
        items=[OrderItemRead.model_validate(i) for i in items],
        timeline=[
            TimelineEntry(
                status=e.status, at=e.at, actor=e.actor, actor_role=e.actor_role, note=e.note
            )
            for e in await repo.timeline_of(session, order.id)
        ],
        payment=(
            PaymentSummary(
                id=payment.id,
                status=payment.status,
                provider=payment.provider,
                refunded=payment.refunded_amount,
            )
            if payment
            else None
        ),
        show_otp=show_otp,
    )
    read.substitutions = await substitution_reads(session, order.id, items)
    return read


async def get_order(session: AsyncSession, principal: Principal, order_id: str) -> OrderRead:
    order = await customer_order(session, principal, order_id)
    return await order_read(session, order, show_otp=order.customer_id == principal.id)


async def list_orders(
    session: AsyncSession,
    *,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    customer_id: str | None = None,
    store_id: str | None = None,
    statuses: list[OrderStatus] | None = None,
) -> Page[OrderSummary]:
    key = decode_cursor(cursor, 1)
    rows = await repo.orders_page(
        session,
        limit=limit,
        before_id=str(key[0]) if key else None,
        customer_id=customer_id,
        store_id=store_id,
        statuses=statuses,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[summary(o) for o in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


async def tracking(session: AsyncSession, principal: Principal, order_id: str) -> TrackingRead:
    order = await customer_order(session, principal, order_id)
    rider = None
    live: int | None = None
    if order.status in state.ACTIVE_STATUSES:
        position = await logistics.rider_position_for_order(session, order.id)
        if position is not None:
            rider = RiderOnMap(name=position.name, lat=position.lat, lng=position.lng)
            live = position.eta_minutes  # from where the rider is, earlier drops counted
    remaining: int | None = None
    if order.status in state.OPEN_STATUSES:
        started = order.confirmed_at or order.created_at
        elapsed = (clock.now() - started).total_seconds() / 60
        remaining = max(1, round(order.eta_minutes - elapsed))
        if live is not None:
            # On the way the rider's ride is the answer; before, the promise unless that is
            # shorter than the ride.
            on_the_way = order.status == OrderStatus.OUT_FOR_DELIVERY
            remaining = live if on_the_way else max(remaining, live)
    return TrackingRead(
        status=order.status,
        eta_minutes=remaining,
        rider=rider,
        timeline=[
            TrackingPoint(status=e.status, at=e.at)
            for e in await repo.timeline_of(session, order.id)
        ],
    )
