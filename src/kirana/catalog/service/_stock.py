"""Admin stock edits: one row or many, all or nothing, with stock events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import cache
from kirana.catalog import repository as repo
from kirana.catalog.errors import (
    BelowReserved,
    PriceAboveMrp,
    UnknownReference,
)
from kirana.catalog.models import Stock
from kirana.catalog.schemas import (
    BulkStockLine,
    StockRow,
    StockSet,
)
from kirana.catalog.service._admin import _product, _store
from kirana.catalog.service._browse import _search_text, _string_key
from kirana.kit import outbox
from kirana.kit.pagination import Page, encode_cursor

# --- admin: stock ------------------------------------------------------------------------


async def list_stock(
    session: AsyncSession, store_id: str, *, q: str | None, cursor: str | None, limit: int
) -> Page[StockRow]:
    await _store(session, store_id)
    rows = await repo.stock_page(
        session, store_id, search=_search_text(q), after=_string_key(cursor), limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[StockRow.model_validate(r._asdict()) for r in rows],
        next_cursor=encode_cursor([rows[-1].product_name, rows[-1].product_id]) if more else None,
    )


async def set_stock(
    session: AsyncSession, store_id: str, product_id: str, data: StockSet
) -> StockRow:
    """Create or update one stock row (``PUT .../stock/{product_id}``)."""
    await _store(session, store_id)
    await _product(session, product_id)
    line = BulkStockLine(product_id=product_id, **data.model_dump(exclude_unset=True))
    return (await _write_stock(session, store_id, [line]))[0]


async def set_stock_bulk(
    session: AsyncSession, store_id: str, lines: Sequence[BulkStockLine]
) -> list[StockRow]:
    """Create or update many stock rows of one store, all or nothing."""
    await _store(session, store_id)
    return await _write_stock(session, store_id, lines)


async def _write_stock(
    session: AsyncSession, store_id: str, lines: Sequence[BulkStockLine]
) -> list[StockRow]:
    """Check every line, then write each: the stock rows are locked in product-id order."""
    product_ids = [line.product_id for line in lines]
    products = await repo.products_by_id(session, product_ids)
    missing = [pid for pid in product_ids if pid not in products]
    if missing:
        raise UnknownReference(
            f"No product with id {', '.join(missing)}",
            errors=[
                {"field": f"items.{i}.product_id", "message": "no such product"}
                for i, line in enumerate(lines)
                if line.product_id in missing
            ],
        )
    too_dear = [
        (i, line)
        for i, line in enumerate(lines)
        if "price" in line.model_fields_set
        and line.price is not None
        and line.price > products[line.product_id].mrp
    ]
    if too_dear:
        raise PriceAboveMrp(
            "A store price is above the product's MRP: "
            + ", ".join(
                f"{products[line.product_id].name} ({line.price} > {products[line.product_id].mrp})"
                for _, line in too_dear
            ),
            errors=[
                {"field": f"items.{i}.price", "message": "must not exceed the product's mrp"}
                for i, _ in too_dear
            ],
        )
    existing = await repo.stock_rows_for_update(session, store_id, product_ids)
    short = [
        line
        for line in lines
        if line.product_id in existing and line.on_hand < existing[line.product_id].reserved
    ]
    if short:
        raise BelowReserved(
            "Open orders hold more than the new stock of: "
            + ", ".join(
                f"{products[line.product_id].name} "
                f"({existing[line.product_id].reserved} reserved, {line.on_hand} asked)"
                for line in short
            ),
            extra={
                "lines": [
                    {
                        "product_id": line.product_id,
                        "reserved": existing[line.product_id].reserved,
                        "on_hand": line.on_hand,
                    }
                    for line in short
                ]
            },
        )
    before = {pid: row.on_hand - row.reserved for pid, row in existing.items()}
    for line in sorted(lines, key=lambda item: item.product_id):
        row = existing.get(line.product_id)
        if row is None:
            row = Stock(store_id=store_id, product_id=line.product_id, reserved=0, aisle="")
            session.add(row)
            existing[line.product_id] = row
        row.on_hand = line.on_hand
        if "price" in line.model_fields_set:
            row.price = line.price
        if line.aisle is not None:
            row.aisle = line.aisle
    await session.flush()
    for line in lines:
        row = existing[line.product_id]
        available = row.on_hand - row.reserved
        payload = {
            "store_id": store_id,
            "product_id": line.product_id,
            "on_hand": row.on_hand,
            "reserved": row.reserved,
            "available": available,
            "price": row.price if row.price is not None else products[line.product_id].price,
        }
        await outbox.emit(session, "stock.changed", payload)
        if available == 0 and before.get(line.product_id, 0) > 0:
            await outbox.emit(session, "stock.depleted", payload)
    cache.mark_changed(session)
    rows = await repo.stock_page(
        session, store_id, search=None, after=None, limit=len(lines), product_ids=product_ids
    )
    by_id = {r.product_id: StockRow.model_validate(r._asdict()) for r in rows}
    return [by_id[pid] for pid in product_ids]
