"""Every query of the recommendations service: its precomputed rows, written and read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kirana.kit.db import among, dialect_insert, is_postgresql, table_of
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


async def _upsert(
    session: AsyncSession, model: Any, rows: list[dict[str, Any]], *, add: bool = False
) -> None:
    """Write ``rows`` (sorted here by key), replacing the value of a row that exists, or adding
    to it (``add``). Rows go in key order, so writers side by side lock them in one order and
    wait for each other rather than deadlock, and a row another writer just made is updated,
    not inserted twice (the incremental consumers and the scheduled rebuild overlap)."""
    table = table_of(model)
    keys = [c.name for c in table.primary_key.columns]
    (value,) = (c.name for c in table.columns if c.name not in keys)
    if not rows:
        return
    statement = dialect_insert(session, table)
    new = statement.excluded[value]
    # One executemany of a statement compiled once, the rows in key order.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=keys, set_={value: table.c[value] + new if add else new}
        ),
        sorted(rows, key=itemgetter(*keys)),
    )


async def replace_customers(
    session: AsyncSession, scores: Mapping[str, Mapping[str, float]], *, everyone: bool
) -> None:
    """Each named customer's repeat scores, replacing theirs (``everyone``: replacing all).
    Only the rows no longer scored are deleted; the others are upserted. The customers' rows
    are read in one query and the stale ones (seldom any) deleted by key in one statement,
    whatever the number of customers."""
    table = table_of(CustomerProduct)
    if everyone:
        await session.execute(delete(table))
    elif scores:
        held = await session.execute(
            select(table.c.customer_id, table.c.product_id).where(
                among(session, table.c.customer_id, sorted(scores))
            )
        )
        stale = sorted((c, p) for c, p in held if p not in scores[c])
        if stale:
            key = tuple_(table.c.customer_id, table.c.product_id)
            await session.execute(delete(table).where(key.in_(stale)))
    rows = [
        {"customer_id": c, "product_id": p, "score": s}
        for c, by_product in scores.items()
        for p, s in by_product.items()
    ]
    await _upsert(session, CustomerProduct, rows)


async def lock_for_rebuild(session: AsyncSession) -> None:
    """Hold off the incremental writers (the paid-order consumers) until the rebuild commits:
    it deletes and writes every row, in whatever order the table is read, and a consumer
    writing its share's rows in key order would deadlock with it (a second of PostgreSQL's
    deadlock timeout each, then the share run again event by event). The tables are locked
    in the order the consumers write them. SQLite has one writer: nothing to do."""
    if is_postgresql(session):
        tables = ", ".join(table_of(m).name for m in (CustomerProduct, ProductOrders, ProductPair))
        await session.execute(text(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE"))


async def replace_pairs(
    session: AsyncSession, pairs: Mapping[tuple[str, str], int], singles: Mapping[str, int]
) -> None:
    # The tables in the order the consumers write them: the products' counts, then the pairs'.
    await session.execute(delete(table_of(ProductOrders)))
    await session.execute(delete(table_of(ProductPair)))
    await _write_counts(session, pairs, singles, add=False)


async def add_counts(
    session: AsyncSession, pairs: Mapping[tuple[str, str], int], singles: Mapping[str, int]
) -> None:
    """Add orders to the counts of products (``singles``) and of pairs."""
    await _write_counts(session, pairs, singles, add=True)


async def _write_counts(
    session: AsyncSession,
    pairs: Mapping[tuple[str, str], int],
    singles: Mapping[str, int],
    *,
    add: bool,
) -> None:
    products = [{"product_id": p, "orders": n} for p, n in singles.items()]
    await _upsert(session, ProductOrders, products, add=add)
    both = [{"product_id": a, "other_id": b, "orders": n} for (a, b), n in pairs.items()]
    await _upsert(session, ProductPair, both, add=add)


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
