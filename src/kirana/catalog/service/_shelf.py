"""In-stock shelves of a store in an order another service chooses (what sells there)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import repository as repo
from kirana.catalog.service._browse import _item, get_store
from kirana.config import Settings


async def in_stock_items(
    session: AsyncSession,
    settings: Settings,
    store_id: str,
    ranked: Sequence[str],
    *,
    on_offer: bool,
    limit: int,
    fill: bool = True,
) -> list[dict[str, Any]]:
    """Up to ``limit`` products the store can sell now, in listing form: those of ``ranked``
    first, in its order, then (with ``fill``) the rest by name. Sold-out and inactive ones
    never appear."""
    await get_store(session, settings, store_id)
    found = (
        {
            r.id: r
            for r in await repo.in_stock_rows(
                session, store_id, product_ids=list(ranked), on_offer=on_offer, limit=len(ranked)
            )
        }
        if ranked
        else {}
    )
    rows = [found[p] for p in ranked if p in found][:limit]
    if fill and len(rows) < limit:
        rest = await repo.in_stock_rows(
            session, store_id, product_ids=None, on_offer=on_offer, limit=limit + len(rows)
        )
        rows += [r for r in rest if r.id not in found][: limit - len(rows)]
    return [_item(r) for r in rows]
