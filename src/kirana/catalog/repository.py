"""Every query of the catalog service.

The customer-facing reads (store listing, product, stores, categories) use SQLAlchemy Core and
return plain rows: they are the hot path, and ORM objects cost more than the query itself there.
The admin writes use the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog.models import Category, Product, Stock, Store

LISTING_COLUMNS = (
    Product.id,
    Product.name,
    Product.brand,
    Product.unit,
    Product.image_url,
    func.coalesce(Stock.price, Product.price).label("price"),
    Product.mrp,
    (Stock.on_hand - Stock.reserved).label("available"),
    Product.max_per_order,
    Product.category_id,
    Product.currency,
)


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE with the wildcards in ``text`` escaped (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def store_product_rows(
    session: AsyncSession,
    store_id: str,
    *,
    category_ids: Sequence[str] | None,
    search: str | None,
    after: tuple[str, str] | None,
    limit: int,
    brand: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    in_stock: bool | None = None,
) -> Sequence[Any]:
    """One page of a store's active stocked products ordered by (name, id): one query."""
    query = (
        select(*LISTING_COLUMNS)
        .select_from(Stock)
        .join(Product, Product.id == Stock.product_id)
        .where(Stock.store_id == store_id, Product.is_active.is_(True))
    )
    if category_ids is not None:
        query = query.where(Product.category_id.in_(category_ids))
    if search:
        query = query.where(Product.search_name.like(like_pattern(search), escape="\\"))
    price = func.coalesce(Stock.price, Product.price)
    if brand is not None:
        query = query.where(Product.brand == brand)
    if min_price is not None:
        query = query.where(price >= min_price)
    if max_price is not None:
        query = query.where(price <= max_price)
    if in_stock is not None:
        available = Stock.on_hand - Stock.reserved
        query = query.where(available > 0 if in_stock else available <= 0)
    if after is not None:
        query = query.where(tuple_(Product.name, Product.id) > tuple_(*after))
    query = query.order_by(Product.name, Product.id).limit(limit)
    return (await session.execute(query)).all()


async def in_stock_rows(
    session: AsyncSession,
    store_id: str,
    *,
    product_ids: Sequence[str] | None,
    on_offer: bool,
    limit: int,
) -> Sequence[Any]:
    """A store's active products with stock to sell (of ``product_ids`` if given; priced
    under MRP if ``on_offer``), by (name, id), in listing form: one query."""
    price = func.coalesce(Stock.price, Product.price)
    query = (
        select(*LISTING_COLUMNS)
        .select_from(Stock)
        .join(Product, Product.id == Stock.product_id)
        .where(
            Stock.store_id == store_id,
            Product.is_active.is_(True),
            Stock.on_hand - Stock.reserved > 0,
        )
    )
    if product_ids is not None:
        query = query.where(Product.id.in_(product_ids))
    if on_offer:
        query = query.where(price < Product.mrp)
    return (await session.execute(query.order_by(Product.name, Product.id).limit(limit))).all()


async def store_product_row(session: AsyncSession, store_id: str, product_id: str) -> Any | None:
    query = (
        select(*LISTING_COLUMNS, Product.description, Stock.aisle)
        .select_from(Stock)
        .join(Product, Product.id == Stock.product_id)
        .where(
            Stock.store_id == store_id,
            Stock.product_id == product_id,
            Product.is_active.is_(True),
        )
    )
    return (await session.execute(query)).first()


_ALL_STORES = select(
    Store.id,
    Store.name,
    Store.lat,
    Store.lng,
    Store.is_open,
    Store.service_radius_m,
    Store.service_area,
    Store.address,
    Store.prep_minutes,
).order_by(Store.name, Store.id)


async def all_store_rows(session: AsyncSession) -> Sequence[Any]:
    return (await session.execute(_ALL_STORES)).all()


async def all_category_rows(session: AsyncSession) -> Sequence[Any]:
    query = select(
        Category.id,
        Category.name,
        Category.slug,
        Category.parent_id,
        Category.position,
        Category.image_url,
    ).order_by(Category.position, Category.name, Category.id)
    return (await session.execute(query)).all()


# --- admin --------------------------------------------------------------------------------


async def category(session: AsyncSession, category_id: str) -> Category | None:
    return await session.get(Category, category_id)


async def product(session: AsyncSession, product_id: str, *, lock: bool = False) -> Product | None:
    return await session.get(Product, product_id, with_for_update=lock)


async def store(session: AsyncSession, store_id: str) -> Store | None:
    return await session.get(Store, store_id)


async def slug_taken(session: AsyncSession, slug: str, except_id: str | None = None) -> bool:
    query = select(Category.id).where(Category.slug == slug)
    if except_id is not None:
        query = query.where(Category.id != except_id)
    return (await session.execute(query.limit(1))).first() is not None


async def category_in_use(session: AsyncSession, category_id: str) -> bool:
    children = exists().where(Category.parent_id == category_id)
    products = exists().where(Product.category_id == category_id)
    return bool(await session.scalar(select(or_(children, products))))


async def product_has_stock(session: AsyncSession, product_id: str) -> bool:
    return bool(await session.scalar(select(exists().where(Stock.product_id == product_id))))


async def store_has_stock(session: AsyncSession, store_id: str) -> bool:
    return bool(await session.scalar(select(exists().where(Stock.store_id == store_id))))


async def highest_store_price(session: AsyncSession, product_id: str) -> int | None:
    value = await session.scalar(
        select(func.max(Stock.price)).where(Stock.product_id == product_id)
    )
    return int(value) if value is not None else None


async def page_of(
    session: AsyncSession,
    model: type[Category] | type[Product] | type[Store],
    *,
    after: tuple[str, str] | None,
    limit: int,
    filters: Sequence[Any] = (),
) -> list[Any]:
    """Admin lists: ``limit`` rows of ``model`` ordered by (name, id) after the cursor key."""
    query = select(model).where(*filters)
    if after is not None:
        query = query.where(tuple_(model.name, model.id) > tuple_(*after))
    query = query.order_by(model.name, model.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def products_by_id(session: AsyncSession, product_ids: Sequence[str]) -> dict[str, Product]:
    rows = await session.execute(select(Product).where(Product.id.in_(product_ids)))
    return {p.id: p for p in rows.scalars()}


async def stock_rows_for_update(
    session: AsyncSession, store_id: str, product_ids: Sequence[str]
) -> dict[str, Stock]:
    """The store's stock rows of ``product_ids``, locked in product-id order (STYLE rule 7)."""
    rows = await session.execute(
        select(Stock)
        .where(Stock.store_id == store_id, Stock.product_id.in_(sorted(product_ids)))
        .order_by(Stock.product_id)
        .with_for_update()
    )
    return {s.product_id: s for s in rows.scalars()}


async def stock_page(
    session: AsyncSession,
    store_id: str,
    *,
    search: str | None,
    after: tuple[str, str] | None,
    limit: int,
    product_ids: Sequence[str] | None = None,
) -> Sequence[Any]:
    query = (
        select(
            Stock.store_id,
            Stock.product_id,
            Product.name.label("product_name"),
            Stock.on_hand,
            Stock.reserved,
            (Stock.on_hand - Stock.reserved).label("available"),
            Stock.price,
            func.coalesce(Stock.price, Product.price).label("effective_price"),
            Product.mrp,
            Stock.aisle,
            Stock.updated_at,
        )
        .select_from(Stock)
        .join(Product, Product.id == Stock.product_id)
        .where(Stock.store_id == store_id)
    )
    if product_ids is not None:
        query = query.where(Stock.product_id.in_(product_ids))
    if search:
        query = query.where(Product.search_name.like(like_pattern(search), escape="\\"))
    if after is not None:
        query = query.where(
            or_(
                Product.name > after[0],
                and_(Product.name == after[0], Stock.product_id > after[1]),
            )
        )
    return (
        await session.execute(query.order_by(Product.name, Stock.product_id).limit(limit))
    ).all()


async def delete_category(session: AsyncSession, category_id: str) -> None:
    await session.execute(delete(Category).where(Category.id == category_id))


async def delete_product(session: AsyncSession, product_id: str) -> None:
    await session.execute(delete(Product).where(Product.id == product_id))


async def delete_store(session: AsyncSession, store_id: str) -> None:
    await session.execute(delete(Store).where(Store.id == store_id))
