"""Stock reservations: the one place where units are held, released and taken off the shelf.

The rule (DESIGN.md): lock the rows in a fixed order (product id), check every line before
writing any, then write each with a conditional, atomic update, and raise one error naming
every short line. Nothing is ever sold that is not on hand, on either database, under any
concurrency: the conditional ``WHERE on_hand - reserved >= :qty`` holds even if a lock is
missed, and the table's CHECK constraints hold even if that is missed too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, Update, and_, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog.models import Product, Stock, StockReservation
from kirana.kit import clock
from kirana.kit.db import table_of
from kirana.kit.errors import Conflict, ValidationFailed
from kirana.kit.ids import new_id


@dataclass(frozen=True, slots=True)
class SaleLine:
    """A product as one store sells it right now: price (the store's override or the
    product's), MRP and what is available to reserve."""

    product_id: str
    name: str
    unit: str
    price: int
    mrp: int
    currency: str
    available: int
    aisle: str
    max_per_order: int
    is_active: bool


_SALE_LINES = (
    select(
        Stock.product_id,
        Product.name,
        Product.unit,
        func.coalesce(Stock.price, Product.price),
        Product.mrp,
        Product.currency,
        Stock.on_hand - Stock.reserved,
        Stock.aisle,
        Product.max_per_order,
        Product.is_active,
    )
    .join(Product, Product.id == Stock.product_id)
    .where(
        Stock.store_id == bindparam("store_id"),
        Stock.product_id.in_(bindparam("product_ids", expanding=True)),
    )
)


async def sale_lines(
    session: AsyncSession, store_id: str | None, product_ids: Sequence[str]
) -> dict[str, SaleLine]:
    """Each of ``product_ids`` that ``store_id`` stocks, as sold there now; one query."""
    if not product_ids or store_id is None:
        return {}
    rows = await session.execute(
        _SALE_LINES, {"store_id": store_id, "product_ids": list(product_ids)}
    )
    return {
        r[0]: SaleLine(r[0], r[1], r[2], int(r[3]), r[4], r[5], int(r[6]), r[7], r[8], r[9])
        for r in rows
    }


@dataclass(frozen=True, slots=True)
class ShortLine:
    product_id: str
    name: str
    requested: int
    available: int


class OutOfStock(Conflict):
    code = "insufficient_stock"
    title = "Not enough stock"

    def __init__(self, short: list[ShortLine]) -> None:
        names = ", ".join(f"{s.name} (asked {s.requested}, {s.available} left)" for s in short)
        super().__init__(
            f"Not enough stock for: {names}",
            extra={
                "lines": [
                    {
                        "product_id": s.product_id,
                        "name": s.name,
                        "requested": s.requested,
                        "available": s.available,
                    }
                    for s in short
                ]
            },
        )
        self.short = short


@cache
def _hold_query(lines: int) -> Update:
    """Hold ``lines`` lines at once, all or none, the rows locked in product order.

    ``WITH locked AS (SELECT product_id, on_hand - reserved, <its quantity> ... ORDER BY
    product_id FOR UPDATE) UPDATE stock ... FROM locked WHERE NOT EXISTS (a line that does not
    fit) RETURNING product_id``: the locks are taken in a fixed order (no deadlock between two
    baskets), each line's availability is read from the row as locked (PostgreSQL re-reads a
    row another transaction changed while we waited), and the UPDATE writes every line or none,
    so it returns ``lines`` rows or none. One statement per line count (SQLite takes the whole
    database's write lock at BEGIN IMMEDIATE, so there the order is moot).
    """
    stock = table_of(Stock)
    qty = case(
        *[
            (stock.c.product_id == bindparam(f"p{i}"), bindparam(f"q{i}", type_=Integer()))
            for i in range(lines)
        ],
        else_=None,
    )
    locked = (
        select(
            stock.c.product_id,
            (stock.c.on_hand - stock.c.reserved).label("available"),
            qty.label("qty"),
        )
        .where(
            stock.c.store_id == bindparam("at_store"),
            stock.c.product_id.in_([bindparam(f"p{i}") for i in range(lines)]),
        )
        .order_by(stock.c.product_id)
        .with_for_update()
        .cte("locked")
    )
    a_line_short = select(locked.c.product_id).where(locked.c.available < locked.c.qty)
    return (
        update(stock)
        .where(
            stock.c.store_id == bindparam("at_store"),
            stock.c.product_id == locked.c.product_id,
            ~a_line_short.exists(),
        )
        .values(reserved=stock.c.reserved + locked.c.qty)
        .returning(stock.c.product_id)
    )


async def reserve(
    session: AsyncSession,
    store_id: str,
    ref: str,
    lines: Mapping[str, int],
    *,
    seen: Mapping[str, SaleLine] | None = None,
) -> None:
    """Hold ``lines`` ({product_id: quantity}) at ``store_id`` for ``ref``, all or nothing.

    Every line is checked against what is available before anything is written (``seen``: the
    lines as the caller just read them with :func:`sale_lines`; read here otherwise), then one
    UPDATE locks the rows in product order and holds every line or none (``_hold_query``), and
    one INSERT records the reservation rows. The rows stay locked until the caller's
    transaction ends, so checkout holds stock last, just before it commits. If another buyer
    took the units in between, this raises ``OutOfStock`` naming the lines short as they are
    then (and the caller's transaction rolls back).
    """
    if not lines:
        raise ValidationFailed("Nothing to reserve", code="empty_reservation")
    if any(q <= 0 for q in lines.values()):
        raise ValidationFailed("Quantities must be positive", code="invalid_quantity")
    product_ids = sorted(lines)
    if seen is None:
        seen = await sale_lines(session, store_id, product_ids)
    short = short_lines(lines, seen)
    if short:
        raise OutOfStock(short)
    params: dict[str, Any] = {"at_store": store_id}
    for i, pid in enumerate(product_ids):
        params[f"p{i}"], params[f"q{i}"] = pid, lines[pid]
    held = (await session.execute(_hold_query(len(product_ids)), params)).all()
    if len(held) != len(product_ids):
        # The UPDATE held nothing, so these are the rows as others left them.
        raise OutOfStock(short_lines(lines, await sale_lines(session, store_id, product_ids)))
    now = clock.now()
    await session.execute(
        insert(table_of(StockReservation)),
        [
            {
                "id": new_id(),
                "ref": ref,
                "store_id": store_id,
                "product_id": pid,
                "quantity": lines[pid],
                "status": "open",
                "created_at": now,
            }
            for pid in product_ids
        ],
    )


def short_lines(lines: Mapping[str, int], seen: Mapping[str, SaleLine]) -> list[ShortLine]:
    """The lines ({product_id: quantity}) that ``seen`` (the stock as read with
    :func:`sale_lines`) cannot fill, in product order."""
    return [
        ShortLine(pid, seen[pid].name, lines[pid], max(seen[pid].available, 0))
        if pid in seen
        else ShortLine(pid, pid, lines[pid], 0)
        for pid in sorted(lines)
        if pid not in seen or seen[pid].available < lines[pid]
    ]


async def _close(
    session: AsyncSession,
    ref: str,
    status: str,
    take_off_shelf: bool,
    product_id: str | None = None,
) -> int:
    query = select(StockReservation).where(
        StockReservation.ref == ref, StockReservation.status == "open"
    )
    if product_id is not None:
        query = query.where(StockReservation.product_id == product_id)
    open_rows = (
        (await session.execute(query.order_by(StockReservation.product_id).with_for_update()))
        .scalars()
        .all()
    )
    now = clock.now()
    if open_rows:  # one executemany for the order's lines, not a statement a line
        await session.execute(
            _close_statement(take_off_shelf),
            [
                {"at_store": r.store_id, "of_product": r.product_id, "held": r.quantity, "now": now}
                for r in open_rows
            ],
        )
    for r in open_rows:
        r.status = status
        r.closed_at = now
    await session.flush()
    return len(open_rows)


@cache
def _close_statement(take_off_shelf: bool) -> Update:
    """A stock line's held units given back (and taken off the shelf, when they left with the
    order), for an executemany of a reservation's lines."""
    stock = table_of(Stock)
    held = bindparam("held", type_=Integer())
    values: dict[str, Any] = {"reserved": stock.c.reserved - held, "updated_at": bindparam("now")}
    if take_off_shelf:
        values["on_hand"] = stock.c.on_hand - held
    return (
        update(stock)
        .where(
            stock.c.store_id == bindparam("at_store"),
            stock.c.product_id == bindparam("of_product"),
        )
        .values(**values)
    )


async def release(session: AsyncSession, ref: str) -> int:
    """Give back what ``ref`` holds (cancelled or unpaid order). Idempotent; returns lines released."""
    return await _close(session, ref, "released", take_off_shelf=False)


async def release_product(session: AsyncSession, ref: str, product_id: str) -> int:
    """Give back what ``ref`` holds of one product (a line the store could not fill, or a
    substitute the customer declined). Idempotent; returns lines released."""
    return await _close(session, ref, "released", take_off_shelf=False, product_id=product_id)


async def fulfil(session: AsyncSession, ref: str) -> int:
    """The held units left the store with the order: take them off the shelf. Idempotent."""
    return await _close(session, ref, "fulfilled", take_off_shelf=True)


@dataclass(frozen=True, slots=True)
class StockBreach:
    store_id: str
    product_id: str
    on_hand: int
    reserved: int
    open_reserved: int


async def audit(session: AsyncSession) -> list[StockBreach]:
    """Every stock row whose ``reserved`` differs from its open reservations, or that is negative."""
    open_sum = (
        select(
            StockReservation.store_id,
            StockReservation.product_id,
            func.sum(StockReservation.quantity).label("qty"),
        )
        .where(StockReservation.status == "open")
        .group_by(StockReservation.store_id, StockReservation.product_id)
        .subquery()
    )
    held = func.coalesce(open_sum.c.qty, 0)
    rows = (
        await session.execute(
            select(
                Stock.store_id, Stock.product_id, Stock.on_hand, Stock.reserved, held.label("held")
            )
            .outerjoin(
                open_sum,
                and_(
                    open_sum.c.store_id == Stock.store_id, open_sum.c.product_id == Stock.product_id
                ),
            )
            .where(
                (Stock.reserved != held)
                | (Stock.on_hand < 0)
                | (Stock.reserved < 0)
                | (Stock.reserved > Stock.on_hand)
            )
        )
    ).all()
    return [StockBreach(r.store_id, r.product_id, r.on_hand, r.reserved, int(r.held)) for r in rows]
