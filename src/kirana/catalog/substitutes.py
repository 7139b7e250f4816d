"""What a store can send instead of a product it has run out of: products of the same category
that it has in stock, those priced no higher than the original first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog.models import Product, Stock


@dataclass(frozen=True, slots=True)
class Substitute:
    product_id: str
    name: str
    brand: str
    unit: str
    category_id: str
    image_url: str | None
    price: int
    mrp: int
    available: int
    aisle: str


async def category_of(session: AsyncSession, product_id: str) -> str | None:
    """The category of a product (None if there is no such product)."""
    found = await session.execute(select(Product.category_id).where(Product.id == product_id))
    return found.scalar_one_or_none()


async def substitutes(
    session: AsyncSession,
    store_id: str,
    category_id: str,
    *,
    reference_price: int,
    exclude: Sequence[str] = (),
    product_id: str | None = None,
    limit: int = 20,
) -> list[Substitute]:
    """Active products of ``category_id`` that ``store_id`` has units of, not in ``exclude``:
    those priced at or under ``reference_price`` first, nearest to it first; ``product_id``
    narrows it to that one product (is it a substitute at all?)."""
    price = func.coalesce(Stock.price, Product.price)
    available = Stock.on_hand - Stock.reserved
    query = (
        select(
            Product.id,
            Product.name,
            Product.brand,
            Product.unit,
            Product.category_id,
            Product.image_url,
            price.label("price"),
            Product.mrp,
            available.label("available"),
            Stock.aisle,
        )
        .join(Stock, Stock.product_id == Product.id)
        .where(
            Stock.store_id == store_id,
            Product.category_id == category_id,
            Product.is_active.is_(True),
            available > 0,
        )
        .order_by(
            case((price > reference_price, 1), else_=0),
            func.abs(price - reference_price),
            Product.name,
            Product.id,
        )
        .limit(limit)
    )
    if exclude:
        query = query.where(Product.id.not_in(list(exclude)))
    if product_id is not None:
        query = query.where(Product.id == product_id)
    rows = await session.execute(query)
    return [
        Substitute(
            r.id,
            r.name,
            r.brand,
            r.unit,
            r.category_id,
            r.image_url,
            int(r.price),
            r.mrp,
            int(r.available),
            r.aisle,
        )
        for r in rows
    ]
