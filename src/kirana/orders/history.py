"""Order history for other services (recommendations): which products each paid order held."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.orders import repository as repo


@dataclass(frozen=True, slots=True)
class Purchase:
    order_id: str
    customer_id: str
    store_id: str
    placed_at: datetime
    product_ids: tuple[str, ...]


async def purchases(
    session: AsyncSession, since: datetime, customers: Collection[str] | None = None
) -> list[Purchase]:
    """The paid orders placed since ``since`` (only these customers' if given, in one query
    whatever their number), oldest first."""
    found: dict[str, Purchase] = {}
    lines: dict[str, list[str]] = {}
    for row in await repo.paid_order_lines(session, since, customers):
        if row.id not in found:
            found[row.id] = Purchase(row.id, row.customer_id, row.store_id, row.created_at, ())
            lines[row.id] = []
        lines[row.id].append(row.product_id)
    return [
        Purchase(p.order_id, p.customer_id, p.store_id, p.placed_at, tuple(lines[p.order_id]))
        for p in found.values()
    ]


async def cart_product_ids(session: AsyncSession, customer_id: str) -> set[str]:
    """What is in the customer's cart now."""
    return set(await repo.cart_product_ids(session, customer_id))
