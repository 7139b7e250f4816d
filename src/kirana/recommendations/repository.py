"""Every query of the recommendations service: its precomputed rows, written and read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kirana.kit.db import is_postgresql, table_of
from kirana.recommendations.models import (
    CustomerProduct,
    ProductOrders,
    ProductPair,
    StoreTrending,
)

CHUNK = 1000


async def _insert_rows(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table_of(model)), list(rows[start : start + CHUNK]))


async def replace_customers(
    session: AsyncSession, scores: Mapping[str, Mapping[str, float]], *, everyone: bool
) -> None:
    """Each named customer's repeat scores, replacing theirs (``everyone``: replacing all)."""
    table = table_of(CustomerProduct)
    if everyone:
        await session.execute(delete(table))
    else:
        await session.execute(delete(table).where(table.c.customer_id.in_(list(scores))))
    rows = [
        {"customer_id": c, "product_id": p, "score": s}
        for c, by_product in scores.items()
        for p, s in by_product.items()
    ]
    await _insert_rows(session, CustomerProduct, rows)


async def replace_pairs(
    session: AsyncSession, pairs: Mapping[tuple[str, str], int], singles: Mapping[str, int]
) -> None:
    await session.execute(delete(table_of(ProductPair)))
    await session.execute(delete(table_of(ProductOrders)))
    await _insert_rows(
        session,
        ProductPair,
        [{"product_id": a, "other_id": b, "orders": n} for (a, b), n in pairs.items()],
    )
    await _insert_rows(
        session, ProductOrders, [{"product_id": p, "orders": n} for p, n in singles.items()]
    )


async def add_basket(session: AsyncSession, products: Iterable[str]) -> None:
    """Count one more order holding ``products``: each product and each pair of them."""
    items = sorted(set(products))
    upsert = pg_insert if is_postgresql(session) else sqlite_insert
    for product in items:
        statement = upsert(table_of(ProductOrders)).values(product_id=product, orders=1)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["product_id"], set_={"orders": ProductOrders.orders + 1}
            )
        )
    pairs = [(a, b) for a in items for b in items if a != b]
    for start in range(0, len(pairs), CHUNK):
        statement = upsert(table_of(ProductPair)).values(
            [{"product_id": a, "other_id": b, "orders": 1} for a, b in pairs[start : start + CHUNK]]
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["product_id", "other_id"],
                set_={"orders": ProductPair.orders + 1},
            )
        )


async def replace_trending(
    session: AsyncSession, scores: Mapping[str, Mapping[str, float]]
) -> None:
    await session.execute(delete(table_of(StoreTrending)))
    rows = [
        {"store_id": store, "product_id": p, "score": s}
        for store, by_product in scores.items()
        for p, s in by_product.items()
    ]
    await _insert_rows(session, StoreTrending, rows)


async def customer_scores(session: AsyncSession, customer_id: str, limit: int) -> dict[str, float]:
    query = (
        select(CustomerProduct.product_id, CustomerProduct.score)
        .where(CustomerProduct.customer_id == customer_id)
        .order_by(CustomerProduct.score.desc(), CustomerProduct.product_id)
        .limit(limit)
    )
    return {r.product_id: r.score for r in await session.execute(query)}


async def partners(
    session: AsyncSession, product_ids: Sequence[str], per_product: int
) -> dict[str, list[tuple[str, int, int, int]]]:
    """For each of ``product_ids``: up to ``per_product`` (other, orders together, orders of
    the product, orders of the other), most orders together first."""
    mine = aliased(ProductOrders)
    theirs = aliased(ProductOrders)
    found: dict[str, list[tuple[str, int, int, int]]] = {}
    for product_id in product_ids:
        query = (
            select(ProductPair.other_id, ProductPair.orders, mine.orders, theirs.orders)
            .join(mine, mine.product_id == ProductPair.product_id)
            .join(theirs, theirs.product_id == ProductPair.other_id)
            .where(ProductPair.product_id == product_id)
            .order_by(ProductPair.orders.desc(), ProductPair.other_id)
            .limit(per_product)
        )
        found[product_id] = [tuple(r) for r in (await session.execute(query)).all()]  # type: ignore[misc]
    return found


async def trending(session: AsyncSession, store_id: str, limit: int) -> dict[str, float]:
    query = (
        select(StoreTrending.product_id, StoreTrending.score)
        .where(StoreTrending.store_id == store_id)
        .order_by(StoreTrending.score.desc(), StoreTrending.product_id)
        .limit(limit)
    )
    return {r.product_id: r.score for r in await session.execute(query)}
