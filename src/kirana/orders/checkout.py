"""Checkout: turn the cart into an order, once per Idempotency-Key, all or nothing.

One transaction, the request's: every read comes first — the cart with the key's earlier use,
the address, the sale lines — then the writes, the conditional ones first: the key's first use
(stored with the answer to replay), the cart still as read, the coupon's limit; the order's
rows; the stock held last, so that its locked rows wait on nothing but the commit. Any refusal
raises, and the request's transaction rolls back whatever was written, so a retry is evaluated
afresh. A second request with the same key replays the stored answer; if both run at once, the
later one's key insert waits on the first (PostgreSQL's unique index, SQLite's write lock) and
then replays its answer.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import fields
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import geo, stock
from kirana.catalog import service as catalog
from kirana.catalog.stock import ShortLine
from kirana.config import Settings
from kirana.kit import clock, market
from kirana.kit.errors import BadRequest, Conflict, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit
from kirana.logistics import service as logistics
from kirana.orders import pricing_repository as pricing_repo
from kirana.orders import repository as repo
from kirana.orders import state
from kirana.orders.cart import OverLimit, picking_queue, price_cart
from kirana.orders.coupons import CouponRejected
from kirana.orders.lifecycle import compose_order_read, dispatch_payload
from kirana.orders.schemas import (
    OrderCreate,
    OrderItemRead,
    OrderRow,
    PaymentSummary,
    TimelineEntry,
)
from kirana.orders.state import LineStatus, OrderStatus
from kirana.orders.unpaid import check_unpaid_limits
from kirana.payments import service as payments
from kirana.users import service as users
from kirana.users.schemas import Principal

_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
_ORDER_COLUMNS = tuple(f.name for f in fields(OrderRow))
_ITEM_FIELDS = tuple(OrderItemRead.model_fields)


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    title = "This Idempotency-Key was used for another request"


def new_order_number() -> str:
    return "KR-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def new_delivery_otp() -> str:
    return f"{secrets.randbelow(10_000):04d}"


def request_hash(body: OrderCreate) -> str:
    return hashlib.sha256(orjson.dumps(body.model_dump(), option=orjson.OPT_SORT_KEYS)).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise BadRequest(
            "Send an Idempotency-Key header (a random string, the same on retries)",
            code="idempotency_key_missing",
        )
    key = key.strip()
    if len(key) > 100 or not key.isprintable():
        raise BadRequest(
            "The Idempotency-Key must be at most 100 printable characters",
            code="idempotency_key_invalid",
        )
    return key


class _Replay(Exception):
    """The key was used first by a request that is done: its answer is the answer."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body


class CartChanged(Conflict):
    code = "cart_changed"
    title = "The cart changed during checkout"


def replay_of(previous: repo.StoredAnswer | None, digest: str) -> _Replay:
    """The stored first use of the key, as an answer to replay, or why not."""
    if previous is None:  # the holder rolled back between our insert and this read
        raise Conflict("Retry the request", code="request_in_progress")
    if previous.request_hash != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request body; use a new key"
        )
    if previous.status is None or previous.body is None:
        raise Conflict(
            "The first request with this key is still running", code="request_in_progress"
        )
    return _Replay(previous.status, dict(previous.body))


async def place_order(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    key: str | None,
    body: OrderCreate,
) -> tuple[int, dict[str, Any]]:
    """Place the caller's cart as an order; returns (status, body) — the first answer on replay.
    A replay writes nothing (the key's row is the first write, and it is refused)."""
    key = check_key(key)
    digest = request_hash(body)
    try:
        return 201, await _checkout(session, settings, principal, body, key, digest)
    except _Replay as replay:
        return replay.status, replay.body


async def _checkout(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    body: OrderCreate,
    key: str,
    digest: str,
) -> dict[str, Any]:
    """Every read first, then every write. Returns the answer, stored with the key's first use."""
    cart = await repo.cart_to_check_out(session, principal.id, key)
    if cart is not None and cart.previous is not None:
        raise replay_of(cart.previous, digest)
    if cart is None or cart.store_id is None:
        raise ValidationFailed("The cart is empty", code="cart_empty")
    address = await users.get_address(session, principal.id, body.address_id)
    await check_unpaid_limits(
        session, settings, principal.id, body.payment_method, address.lat, address.lng
    )
    store = await catalog.get_store(session, settings, cart.store_id)
    if not store.is_open:
        raise Conflict("The store is closed right now", code="store_closed")
    if not geo.covers(
        address.lat,
        address.lng,
        store_lat=store.lat,
        store_lng=store.lng,
        radius_m=store.service_radius_m,
        area=store.service_area,
    ):
        raise ValidationFailed(
            "This address is outside the store's delivery area", code="address_not_serviceable"
        )

    priced = await price_cart(session, settings, principal.id, cart, tip=body.tip, items=cart.items)
    if not priced.lines:
        raise ValidationFailed("The cart is empty", code="cart_empty")
    if priced.coupon_problem is not None:
        raise priced.coupon_problem
    lines: list[tuple[repo.CartEntry, stock.SaleLine]] = []
    unavailable: list[ShortLine] = []
    for item, line in priced.lines:
        if line is None or not line.is_active:
            name = line.name if line else item.product_id
            unavailable.append(ShortLine(item.product_id, name, item.quantity, 0))
            continue
        if item.quantity > line.max_per_order:
            raise OverLimit(
                f"At most {line.max_per_order} of {line.name} per order",
                extra={"product_id": line.product_id, "max_quantity": line.max_per_order},
            )
        lines.append((item, line))
    wanted = {item.product_id: item.quantity for item, _ in lines}
    seen = {line.product_id: line for _, line in lines}
    unavailable += stock.short_lines(wanted, seen)
    if unavailable:  # refused before any write; the reservation checks again as it holds
        raise stock.OutOfStock(unavailable)

    item_count = sum(item.quantity for item, _ in lines)
    promise = await logistics.delivery_promise(
        session,
        settings,
        store,
        lat=address.lat,
        lng=address.lng,
        items=item_count,
        queue=await picking_queue(session, settings, store.id),
    )

    order_id = new_id()
    now = clock.now()
    quote = priced.quote
    coupon = priced.coupon if priced.coupon is not None and quote.discount else None
    payment = payments.new_order_intent(
        order_id=order_id,
        customer_id=principal.id,
        amount=quote.total,
        currency=market.current().currency,
        method=body.payment_method,
    )
    # Cash on delivery is confirmed at once, through the state machine's own rule.
    cod = body.payment_method == "cod"
    if cod:
        state.check(OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, state.SYSTEM)
    address_snapshot = {
        "label": address.label,
        "line1": address.line1,
        "city": address.city,
        "pincode": address.pincode,
        "lat": address.lat,
        "lng": address.lng,
        "instructions": address.instructions,
    }
    order = OrderRow(
        id=order_id,
        number=new_order_number(),
        customer_id=principal.id,
        store_id=store.id,
        status=OrderStatus.CONFIRMED if cod else OrderStatus.PENDING_PAYMENT,
        payment_method=body.payment_method,
        payment_id=payment.id,
        currency=market.current().currency,
        subtotal=quote.subtotal,
        fees_total=quote.fees_total,
        discount=quote.discount,
        tip=quote.tip,
        total=quote.total,
        fees=[f.as_dict() for f in quote.fees],
        coupon_code=coupon.code if coupon else None,
        address=address_snapshot,
        drop_lat=address.lat,
        drop_lng=address.lng,
        delivery_instructions=body.delivery_instructions,
        delivery_otp=new_delivery_otp(),
        eta_minutes=promise.p50,
        eta_p90_minutes=promise.p90,
        eta_inputs={"status": promise.status, **promise.inputs.as_dict()},
        item_count=item_count,
        confirmed_at=now if cod else None,
        cancel_reason=None,
        created_at=now,
        updated_at=now,
    )
    items = [
        {
            "id": new_id(),
            "order_id": order_id,
            "product_id": item.product_id,
            "name": line.name,
            "unit": line.unit,
            "unit_price": line.price,
            "mrp": line.mrp,
            "quantity": item.quantity,
            "line_total": line.price * item.quantity,
            "aisle": line.aisle,
            "status": LineStatus.ORDERED,
            "substitute_for": None,
        }
        for item, line in lines
    ]
    timeline = [
        TimelineEntry(
            status=OrderStatus.PENDING_PAYMENT,
            at=now,
            actor=principal.id,
            actor_role=principal.role,
        )
    ]
    if cod:
        timeline.append(
            TimelineEntry(
                status=OrderStatus.CONFIRMED,
                at=now + timedelta(microseconds=1),  # the timeline is ordered by time
                actor=state.SYSTEM.id,
                actor_role=state.SYSTEM.role,
            )
        )
    answer = compose_order_read(
        order,
        items=[OrderItemRead(**{k: i[k] for k in _ITEM_FIELDS}) for i in items],
        timeline=timeline,
        payment=PaymentSummary(id=payment.id, status=payment.status, provider=payment.provider),
        show_otp=True,
    ).model_dump(mode="json")

    # The writes. The key first: a concurrent request with the same key waits here, not on
    # the cart, and then replays this one's answer.
    first_use = {
        "id": new_id(),
        "user_id": principal.id,
        "key": key,
        "request_hash": digest,
        "created_at": now,
        "response_status": 201,
        "response_body": answer,
    }
    if not await repo.store_first_answer(session, first_use):
        raise replay_of(await repo.stored_answer(session, principal.id, key), digest)
    if not await repo.check_out(session, cart):
        raise CartChanged(
            "Your cart changed while the order was being placed; check it and order again"
        )
    await payments.add_new_order_intent(session, payment)
    await repo.insert_order_rows(
        session,
        {name: getattr(order, name) for name in _ORDER_COLUMNS},
        items,
        [{"id": new_id(), "order_id": order_id, **t.model_dump()} for t in timeline],
    )
    base = {
        "order_id": order_id,
        "number": order.number,
        "store_id": store.id,
        "customer_id": principal.id,
    }
    await emit(
        session,
        "order.placed",
        base
        | {
            "total": order.total,
            "currency": order.currency,
            "payment_method": order.payment_method,
        },
    )
    if cod:
        await emit(session, "order.confirmed", base | dispatch_payload(order))
    # Last, the rows other checkouts share (a coupon's count, the stock): locked from here to
    # the commit, always in this order.
    if coupon is not None:
        if not await pricing_repo.claim_coupon(session, coupon.id):
            raise CouponRejected(f"{coupon.code} has been fully used", code="coupon_used_up")
        await pricing_repo.add_redemption(
            session,
            {
                "id": new_id(),
                "coupon_id": coupon.id,
                "user_id": principal.id,
                "order_id": order_id,
                "amount": quote.discount,
                "status": "active",
                "created_at": now,
            },
        )
    await stock.reserve(session, store.id, order_id, wanted, seen=seen)
    return answer
