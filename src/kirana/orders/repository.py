"""The queries of the orders service: carts, orders, the store's queue, the auditor's sums and
idempotency keys (pricing's and substitutions' are beside it). Catalog and rider data come
through those services."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.db import changed, is_postgresql, table_of
from kirana.kit.ids import new_id
from kirana.orders import state
from kirana.orders.models import (
    Cart,
    CartItem,
    CouponRedemption,
    IdempotencyKey,
    Order,
    OrderEvent,
    OrderItem,
    OrderSubstitution,
)
from kirana.orders.state import OrderStatus, SubstitutionStatus

# The lines on an order's bill (not those the store could not fill, nor those substituted).
_BILLED = OrderItem.status.in_(state.BILLED_LINES)


@dataclass(frozen=True, slots=True)
class CartEntry:
    product_id: str
    quantity: int
    seen_price: int


_OPEN_ORDERS = (
    select(func.count())
    .select_from(Order)
    .where(Order.store_id == bindparam("store_id"), Order.status.in_(state.ACTIVE_STATUSES))
)


async def open_order_count(session: AsyncSession, store_id: str) -> int:
    """Orders in progress at the store (surge pricing compares it with riders on shift)."""
    return int(await session.scalar(_OPEN_ORDERS, {"store_id": store_id}) or 0)


_PICKING_QUEUE = select(func.count(), func.coalesce(func.sum(Order.item_count), 0)).where(
    Order.store_id == bindparam("store_id"),
    Order.status.in_((OrderStatus.CONFIRMED, OrderStatus.PICKING)),
)


async def picking_queue(session: AsyncSession, store_id: str) -> tuple[int, int]:
    """(orders, items) at the store not yet packed, for the delivery promise."""
    row = (await session.execute(_PICKING_QUEUE, {"store_id": store_id})).one()
    return int(row[0]), int(row[1])


async def record_delivered(
    session: AsyncSession, order_id: str, *, at: datetime, minutes: float | None
) -> None:
    await session.execute(
        update(Order).where(Order.id == order_id).values(delivered_at=at, delivery_minutes=minutes)
    )


async def delivered_between(
    session: AsyncSession, start: datetime, end: datetime, store_id: str | None
) -> list[Any]:
    """Delivered orders with a recorded promise, handed over in [start, end): (store_id,
    delivered_at, eta_minutes, eta_p90_minutes, delivery_minutes)."""
    query = (
        select(
            Order.store_id,
            Order.delivered_at,
            Order.eta_minutes,
            Order.eta_p90_minutes,
            Order.delivery_minutes,
        )
        .where(
            Order.delivered_at >= start,
            Order.delivered_at < end,
            Order.eta_p90_minutes.is_not(None),
            Order.delivery_minutes.is_not(None),
        )
        .order_by(Order.store_id, Order.delivered_at)
    )
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    return list((await session.execute(query)).all())


# --- carts ----------------------------------------------------------------------------------


async def cart_of(session: AsyncSession, user_id: str, *, lock: bool = False) -> Cart | None:
    query = select(Cart).where(Cart.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class CartHead:
    """A cart's row without its lines: what pricing needs (``CartRef``) and what changes it."""

    id: str
    store_id: str | None
    coupon_code: str | None


_CARTS = table_of(Cart)
_HEAD = (Cart.id, Cart.store_id, Cart.coupon_code)
# The lines are about to change: lock the row and move its version on in one statement.
_TOUCH_CART = (
    update(_CARTS)
    .where(Cart.user_id == bindparam("owner"))
    .values(version=Cart.version + 1)  # and updated_at, its onupdate
    .returning(*_HEAD)
)
_LOCK_CART = select(*_HEAD).where(Cart.user_id == bindparam("owner")).with_for_update()
_NEW_CART = {
    name: dialect_insert(_CARTS).on_conflict_do_nothing(index_elements=["user_id"])
    for name, dialect_insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}


async def lock_cart(session: AsyncSession, user_id: str, *, touch: bool) -> CartHead | None:
    """The user's cart, locked to the end of the transaction; ``touch``: its lines will change,
    so its version moves on in the same statement (a checkout priced from it before must not
    go). None if the user has no cart yet."""
    row = (await session.execute(_TOUCH_CART if touch else _LOCK_CART, {"owner": user_id})).first()
    return None if row is None else CartHead(row[0], row[1], row[2])


async def cart_to_change(session: AsyncSession, user_id: str, *, touch: bool) -> CartHead:
    """``lock_cart``, making the cart first if the user has none (a concurrent request making
    it at the same moment wins, and this one waits for it and locks that cart)."""
    head = await lock_cart(session, user_id, touch=touch)
    if head is None:
        dialect = "postgresql" if is_postgresql(session) else "sqlite"
        await session.execute(_NEW_CART[dialect], {"id": new_id(), "user_id": user_id})
        head = await lock_cart(session, user_id, touch=touch)
        assert head is not None
    return head


_SET_CART = (
    update(_CARTS)
    .where(Cart.id == bindparam("cart_id"))
    .values(store_id=bindparam("to_store"), coupon_code=bindparam("to_coupon"))
)


async def set_cart(
    session: AsyncSession, cart_id: str, store_id: str, coupon_code: str | None
) -> None:
    """Point the cart at a store and a coupon (its version moves on: its onupdate)."""
    params = {"cart_id": cart_id, "to_store": store_id, "to_coupon": coupon_code}
    await session.execute(_SET_CART, params)


def _line_upsert(dialect_insert: Any, *, keep_more: bool) -> Any:
    statement = dialect_insert(table_of(CartItem))
    new = statement.excluded
    quantity = (
        case((CartItem.quantity > new.quantity, CartItem.quantity), else_=new.quantity)
        if keep_more
        else new.quantity
    )
    return statement.on_conflict_do_update(
        index_elements=["cart_id", "product_id"],
        set_={"quantity": quantity, "seen_price": new.seen_price},
    )


_PUT_LINE = {
    (name, keep_more): _line_upsert(dialect_insert, keep_more=keep_more)
    for name, dialect_insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
    for keep_more in (False, True)
}


async def put_lines(
    session: AsyncSession,
    cart_id: str,
    lines: Sequence[tuple[str, int, int]],
    *,
    keep_more: bool = False,
) -> None:
    """Set each line's (product, quantity, unit price the customer saw) in one statement, added
    or changed (``keep_more``: a line already there never goes lower)."""
    dialect = "postgresql" if is_postgresql(session) else "sqlite"
    now = clock.now()
    rows = [
        {
            "cart_id": cart_id,
            "product_id": product_id,
            "quantity": quantity,
            "seen_price": price,
            "added_at": now,
        }
        for product_id, quantity, price in lines
    ]
    await session.execute(_PUT_LINE[dialect, keep_more], rows)


_DROP_LINE = delete(table_of(CartItem)).where(
    CartItem.cart_id == bindparam("cart_id"), CartItem.product_id == bindparam("product_id")
)


async def drop_line(session: AsyncSession, cart_id: str, product_id: str) -> None:
    await session.execute(_DROP_LINE, {"cart_id": cart_id, "product_id": product_id})


_CART_FOR_CHECKOUT = (
    select(
        Cart.id,
        Cart.store_id,
        Cart.coupon_code,
        Cart.version,
        IdempotencyKey.request_hash,
        IdempotencyKey.response_status,
        IdempotencyKey.response_body,
        CartItem.product_id,
        CartItem.quantity,
        CartItem.seen_price,
    )
    .select_from(Cart)
    .outerjoin(
        IdempotencyKey,
        and_(IdempotencyKey.user_id == Cart.user_id, IdempotencyKey.key == bindparam("key")),
    )
    .outerjoin(CartItem, CartItem.cart_id == Cart.id)
    .where(Cart.user_id == bindparam("user_id"))
    .order_by(CartItem.added_at, CartItem.product_id)
)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What an Idempotency-Key was first used for, and the answer then (None: still running)."""

    request_hash: str
    status: int | None
    body: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class CartToCheckOut:
    id: str
    store_id: str | None
    coupon_code: str | None
    # Every change to the cart or its lines moves this on: the checkout's writes go only if it
    # is still what they were computed from.
    version: int
    items: list[CartEntry]
    previous: StoredAnswer | None  # the Idempotency-Key's first use, if it has one


async def cart_to_check_out(session: AsyncSession, user_id: str, key: str) -> CartToCheckOut | None:
    """The user's cart with its lines and what ``key`` was used for before, in one query. It
    locks nothing: checkout's write to the cart checks that it is unchanged (``check_out``)."""
    rows = (await session.execute(_CART_FOR_CHECKOUT, {"user_id": user_id, "key": key})).all()
    if not rows:
        return None
    first = rows[0]
    items = [CartEntry(r[7], r[8], r[9]) for r in rows if r[7] is not None]
    previous = None if first[4] is None else StoredAnswer(first[4], first[5], first[6])
    return CartToCheckOut(first[0], first[1], first[2], first[3], items, previous)


_CART_ITEMS = (
    select(CartItem.product_id, CartItem.quantity, CartItem.seen_price)
    .where(CartItem.cart_id == bindparam("cart_id"))
    .order_by(CartItem.added_at, CartItem.product_id)
)


async def cart_items(session: AsyncSession, cart_id: str) -> list[CartEntry]:
    """The cart's lines in the order they were added."""
    rows = await session.execute(_CART_ITEMS, {"cart_id": cart_id})
    return [CartEntry(r[0], r[1], r[2]) for r in rows]


_EMPTY_CART = delete(table_of(CartItem)).where(CartItem.cart_id == bindparam("cart_id"))
_CHECKED_OUT = (
    update(table_of(Cart))
    .where(Cart.id == bindparam("cart_id"), Cart.version == bindparam("seen"))
    .values(coupon_code=None)  # and its version moves on (its onupdate)
)


async def empty_cart(session: AsyncSession, cart_id: str) -> None:
    """Take every line out of the cart and drop its coupon (which moves its version on)."""
    await session.flush()  # the cart's pending ORM changes go first
    await session.execute(_EMPTY_CART, {"cart_id": cart_id})
    await session.execute(update(table_of(Cart)).where(Cart.id == cart_id).values(coupon_code=None))


async def check_out(session: AsyncSession, cart: CartToCheckOut) -> bool:
    """Empty the cart, only if it is still as ``cart`` was read (its version); False if it
    changed meanwhile, and then nothing is written."""
    if not await changed(session, _CHECKED_OUT, {"cart_id": cart.id, "seen": cart.version}):
        return False
    await session.execute(_EMPTY_CART, {"cart_id": cart.id})
    return True


# --- orders ---------------------------------------------------------------------------------


async def order_by_id(session: AsyncSession, order_id: str, *, lock: bool = False) -> Order | None:
    query = select(Order).where(Order.id == order_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def orders_by_ids(
    session: AsyncSession, order_ids: list[str], *, lock: bool = False
) -> list[Order]:
    """The orders, in no particular order; with ``lock``, locked (and returned) in id order,
    so that writers locking several orders lock them in one order."""
    if not order_ids:
        return []
    query = select(Order).where(Order.id.in_(set(order_ids)))
    if lock:
        query = query.order_by(Order.id).with_for_update()
    return list((await session.execute(query)).scalars())


async def insert_order_rows(
    session: AsyncSession,
    order: dict[str, Any],
    items: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    """The order, its lines and its first timeline entries: three statements, one per table."""
    await session.execute(insert(table_of(Order)), order)
    await session.execute(insert(table_of(OrderItem)), items)
    await session.execute(insert(table_of(OrderEvent)), events)


async def add_redemption(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(table_of(CouponRedemption)), row)


async def add_events(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Timeline entries, in one statement."""
    if events:
        await session.execute(insert(OrderEvent), events)


async def items_of(session: AsyncSession, order_id: str) -> list[OrderItem]:
    rows = await session.execute(
        select(OrderItem)
        .where(OrderItem.order_id == order_id)
        .order_by(OrderItem.aisle, OrderItem.name)
    )
    return list(rows.scalars())


async def timeline_of(session: AsyncSession, order_id: str) -> list[OrderEvent]:
    rows = await session.execute(
        select(OrderEvent)
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.at, OrderEvent.id)
    )
    return list(rows.scalars())


async def orders_page(
    session: AsyncSession,
    *,
    limit: int,
    before_id: str | None = None,
    customer_id: str | None = None,
    store_id: str | None = None,
    statuses: Sequence[str] | None = None,
) -> list[Order]:
    """Newest first (ids are ULIDs, so id order is creation order); ``limit + 1`` to see more."""
    query = select(Order).order_by(Order.id.desc()).limit(limit + 1)
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    if statuses:
        query = query.where(Order.status.in_(list(statuses)))
    if before_id is not None:
        query = query.where(Order.id < before_id)
    return list((await session.execute(query)).scalars())


async def store_queue(session: AsyncSession, store_id: str, statuses: Sequence[str]) -> list[Order]:
    """Oldest confirmation first: the order the staff should pick next is on top."""
    rows = await session.execute(
        select(Order)
        .where(Order.store_id == store_id, Order.status.in_(list(statuses)))
        .order_by(Order.confirmed_at, Order.id)
        .limit(200)
    )
    return list(rows.scalars())


_ORDERED_BEFORE = (
    select(Order.id)
    .where(Order.customer_id == bindparam("user_id"), Order.status != OrderStatus.CANCELLED)
    .limit(1)
)


async def has_ordered_before(session: AsyncSession, user_id: str) -> bool:
    return await session.scalar(_ORDERED_BEFORE, {"user_id": user_id}) is not None


async def set_status(
    session: AsyncSession, order_id: str, expected: str, values: dict[str, Any]
) -> bool:
    """Move an order on only if it is still ``expected`` (a compare-and-set)."""
    result = await session.execute(
        update(Order).where(Order.id == order_id, Order.status == expected).values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def unpaid_before(session: AsyncSession, cutoff: datetime, limit: int = 200) -> list[str]:
    rows = await session.execute(
        select(Order.id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.created_at < cutoff)
        .order_by(Order.created_at)
        .limit(limit)
    )
    return list(rows.scalars())


async def money_rows(session: AsyncSession) -> list[Any]:
    rows = await session.execute(
        select(
            Order.id,
            Order.number,
            Order.status,
            Order.payment_method,
            Order.subtotal,
            Order.fees_total,
            Order.fees,
            Order.discount,
            Order.tip,
            Order.total,
        )
    )
    return list(rows)


async def item_sums(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OrderItem.order_id, func.sum(OrderItem.line_total))
        .where(_BILLED)
        .group_by(OrderItem.order_id)
    )
    return {r[0]: int(r[1]) for r in rows}


async def mispriced_lines(session: AsyncSession) -> list[Any]:
    """Billed lines whose total is not their unit price times their quantity."""
    rows = await session.execute(
        select(OrderItem.order_id, OrderItem.id, OrderItem.name, OrderItem.line_total).where(
            _BILLED, OrderItem.line_total != OrderItem.unit_price * OrderItem.quantity
        )
    )
    return list(rows)


async def proposals_left_open(session: AsyncSession) -> list[Any]:
    """Proposed substitutions of orders no longer being picked (none should be)."""
    rows = await session.execute(
        select(OrderSubstitution.id, OrderSubstitution.order_id, Order.number, Order.status)
        .join(Order, Order.id == OrderSubstitution.order_id)
        .where(
            OrderSubstitution.status == SubstitutionStatus.PROPOSED,
            Order.status != OrderStatus.PICKING,
        )
    )
    return list(rows)


# --- idempotency keys -----------------------------------------------------------------------


def _first_use(dialect_insert: Any) -> Any:
    return dialect_insert(table_of(IdempotencyKey)).on_conflict_do_nothing(
        index_elements=["user_id", "key"]
    )


_FIRST_USE = {"sqlite": _first_use(sqlite_insert), "postgresql": _first_use(pg_insert)}


async def store_first_answer(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Store a key's first use with its answer; False if the (user, key) row exists already —
    a concurrent request with the same key got there first (PostgreSQL's unique index makes
    this wait until that one commits or rolls back, SQLite's write lock before we read)."""
    dialect = "postgresql" if is_postgresql(session) else "sqlite"
    return bool(await changed(session, _FIRST_USE[dialect], row))


_STORED_ANSWER = select(
    IdempotencyKey.request_hash, IdempotencyKey.response_status, IdempotencyKey.response_body
).where(IdempotencyKey.user_id == bindparam("user_id"), IdempotencyKey.key == bindparam("key"))


async def stored_answer(session: AsyncSession, user_id: str, key: str) -> StoredAnswer | None:
    found = await session.execute(_STORED_ANSWER, {"user_id": user_id, "key": key})
    row = found.first()
    return None if row is None else StoredAnswer(row[0], row[1], row[2])


async def best_sellers(
    session: AsyncSession, store_id: str, since: datetime, limit: int
) -> list[str]:
    """Product ids by units sold at ``store_id`` since ``since`` (paid orders only), most
    first; ties by id, so the order is stable."""
    units = func.sum(OrderItem.quantity)
    rows = await session.execute(
        select(OrderItem.product_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            Order.store_id == store_id,
            Order.status.in_(state.PAID_STATUSES),
            Order.created_at >= since,
            _BILLED,
        )
        .group_by(OrderItem.product_id)
        .order_by(units.desc(), OrderItem.product_id)
        .limit(limit)
    )
    return list(rows.scalars())


async def paid_order_lines(
    session: AsyncSession, since: datetime, customers: Collection[str] | None
) -> Sequence[Any]:
    """(order id, customer, store, placed at, product id) of every line of the paid orders
    placed since ``since`` (of these customers if given), by order."""
    query = (
        select(Order.id, Order.customer_id, Order.store_id, Order.created_at, OrderItem.product_id)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.status.in_(state.PAID_STATUSES), Order.created_at >= since, _BILLED)
    )
    if customers is not None:
        query = query.where(Order.customer_id.in_(sorted(customers)))
    return (await session.execute(query.order_by(Order.created_at, Order.id))).all()


async def cart_product_ids(session: AsyncSession, user_id: str) -> list[str]:
    query = (
        select(CartItem.product_id)
        .join(Cart, Cart.id == CartItem.cart_id)
        .where(Cart.user_id == user_id)
    )
    return list((await session.execute(query)).scalars())
