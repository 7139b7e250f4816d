"""Customer reads: stores, category tree, the nearest store and the store listing (the hot path)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import cache
from kirana.catalog import repository as repo
from kirana.catalog.errors import (
    CategoryNotFound,
    ProductNotFound,
    StoreNotFound,
)
from kirana.catalog.service_areas import ServiceAreaIndex
from kirana.config import Settings
from kirana.kit.errors import BadRequest
from kirana.kit.pagination import Page, decode_cursor, encode_cursor

# --- cached reference data ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoreInfo:
    id: str
    name: str
    lat: float
    lng: float
    is_open: bool
    service_radius_m: int | None
    service_area: dict[str, Any] | None
    address: str
    prep_minutes: int

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CategoryTree:
    roots: list[dict[str, Any]]
    # Each category's id with every descendant's, for "this category and everything under it".
    subtree: dict[str, tuple[str, ...]]
    parent: dict[str, str | None]
    json: bytes


async def stores(session: AsyncSession, settings: Settings) -> dict[str, StoreInfo]:
    """Every store by id, in (name, id) order; cached."""
    found: dict[str, StoreInfo] | None = cache.get(settings, "stores")
    if found is None:
        version = cache.cache_for(settings).version
        found = {r.id: StoreInfo(**r._asdict()) for r in await repo.all_store_rows(session)}
        # Rows read before a store changed are not kept past the change's bump.
        cache.put(settings, "stores", found, version=version)
    return found


# The service-area index of each database's stores, with the store list it was built from: a
# list reloaded unchanged (the cache's TTL ran out) keeps its index; a changed one builds anew.
_area_indexes: dict[str, tuple[dict[str, StoreInfo], ServiceAreaIndex[StoreInfo]]] = {}


async def service_area_index(
    session: AsyncSession, settings: Settings
) -> ServiceAreaIndex[StoreInfo]:
    """The index of the open stores' service areas, as they are now."""
    all_stores = await stores(session, settings)
    held = _area_indexes.get(settings.database_url)
    if held is not None and held[0] is all_stores:
        return held[1]
    if held is None or held[0] != all_stores:
        held = (all_stores, ServiceAreaIndex(all_stores.values()))
    else:
        held = (all_stores, held[1])
    _area_indexes[settings.database_url] = held
    return held[1]


async def category_tree(session: AsyncSession, settings: Settings) -> CategoryTree:
    """The category tree ordered by position then name; cached."""
    tree: CategoryTree | None = cache.get(settings, "categories")
    if tree is None:
        tree = _build_tree(await repo.all_category_rows(session))
        cache.put(settings, "categories", tree)
    return tree


def _build_tree(rows: Sequence[Any]) -> CategoryTree:
    nodes = {r.id: {**r._asdict(), "children": []} for r in rows}
    parent = {r.id: r.parent_id for r in rows}
    roots: list[dict[str, Any]] = []
    for r in rows:  # rows come ordered, so children lists keep that order
        node = nodes[r.id]
        if r.parent_id in nodes:
            nodes[r.parent_id]["children"].append(node)
        else:
            roots.append(node)

    subtree: dict[str, tuple[str, ...]] = {}

    def collect(node: dict[str, Any]) -> tuple[str, ...]:
        ids: tuple[str, ...] = (node["id"],)
        for child in node["children"]:
            ids += collect(child)
        subtree[node["id"]] = ids
        return ids

    for root in roots:
        collect(root)
    return CategoryTree(roots, subtree, parent, orjson.dumps(roots))


async def _cached_read(
    session: AsyncSession,
    settings: Settings,
    key: Any,
    build: Callable[[AsyncSession], Awaitable[bytes]],
) -> bytes:
    """The cached answer for ``key``, or ``build`` it with the request's session and cache it
    (a hit never touches the database: the session begins nothing until its first query)."""
    return await cache.get_or_build(settings, key, lambda: build(session))


async def categories_json(session: AsyncSession, settings: Settings) -> bytes:
    async def build(session: AsyncSession) -> bytes:
        return (await category_tree(session, settings)).json

    return await _cached_read(session, settings, ("categories.json",), build)


async def store_page_json(
    session: AsyncSession, settings: Settings, cursor: str | None, limit: int
) -> bytes:
    after = _string_key(cursor)

    async def build(session: AsyncSession) -> bytes:
        all_stores = list((await stores(session, settings)).values())
        if after is not None:
            all_stores = [s for s in all_stores if (s.name, s.id) > after]
        page = all_stores[:limit]
        more = len(all_stores) > limit
        return orjson.dumps(
            {
                "items": [s.public() for s in page],
                "next_cursor": encode_cursor([page[-1].name, page[-1].id]) if more else None,
            }
        )

    return await _cached_read(session, settings, ("stores.json", cursor, limit), build)


async def nearest_store(
    session: AsyncSession, settings: Settings, lat: float, lng: float
) -> tuple[StoreInfo, float] | None:
    """The nearest open store whose service area holds the point, with its distance in metres
    (logistics turns it into the delivery promise)."""
    return (await service_area_index(session, settings)).nearest(lat, lng)


async def get_store(session: AsyncSession, settings: Settings, store_id: str) -> StoreInfo:
    store = (await stores(session, settings)).get(store_id)
    if store is None:
        raise StoreNotFound(f"No store with id {store_id}")
    return store


# --- the hot path: a store's products --------------------------------------------------------


def _string_key(cursor: str | None) -> tuple[str, str] | None:
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    if not all(isinstance(k, str) for k in key):
        raise BadRequest("The cursor is not one this API gave out", code="invalid_cursor")
    return (key[0], key[1])


def _search_text(q: str | None) -> str | None:
    text = " ".join((q or "").lower().split())
    return text or None


def _item(row: Any) -> dict[str, Any]:
    available = row.available
    return {
        "id": row.id,
        "name": row.name,
        "brand": row.brand,
        "unit": row.unit,
        "image_url": row.image_url,
        "price": row.price,
        "mrp": row.mrp,
        "in_stock": available > 0,
        "max_quantity": min(available, row.max_per_order) if available > 0 else 0,
        "category_id": row.category_id,
        "currency": row.currency,
    }


async def store_products_json(
    session: AsyncSession,
    settings: Settings,
    store_id: str,
    *,
    category_id: str | None,
    q: str | None,
    cursor: str | None,
    limit: int,
    brand: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    in_stock: bool | None = None,
) -> bytes:
    """One page of a store's products by (name, id) as JSON bytes; cached, else at most three
    queries (the store list, the category tree with ``category_id``, the page). ``q`` here is
    the plain name match; the API sends a customer's ``q`` to ``store_search_json``. The count
    never depends on ``limit``."""
    search = _search_text(q)
    filters = (brand, min_price, max_price, in_stock)
    after = _string_key(cursor)

    async def build_page(session: AsyncSession) -> bytes:
        return await store_products_page(
            session,
            settings,
            store_id,
            category_id=category_id,
            search=search,
            after=after,
            limit=limit,
            filters=filters,
        )

    key = ("products", store_id, category_id, search, filters, cursor, limit)
    return await _cached_read(session, settings, key, build_page)


async def category_ids_of(
    session: AsyncSession, settings: Settings, category_id: str | None
) -> tuple[str, ...] | None:
    if category_id is None:
        return None
    category_ids = (await category_tree(session, settings)).subtree.get(category_id)
    if category_ids is None:
        raise CategoryNotFound(f"No category with id {category_id}")
    return category_ids


async def store_products_page(
    session: AsyncSession,
    settings: Settings,
    store_id: str,
    *,
    category_id: str | None,
    search: str | None,
    after: tuple[str, str] | None,
    limit: int,
    filters: tuple[str | None, int | None, int | None, bool | None] = (None, None, None, None),
) -> bytes:
    await get_store(session, settings, store_id)
    category_ids = await category_ids_of(session, settings, category_id)
    brand, min_price, max_price, in_stock = filters
    rows = await repo.store_product_rows(
        session,
        store_id,
        category_ids=category_ids,
        search=search,
        after=after,
        limit=limit + 1,
        brand=brand,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return orjson.dumps(
        {
            "items": [_item(r) for r in rows],
            "next_cursor": encode_cursor([rows[-1].name, rows[-1].id]) if more else None,
        }
    )


async def store_product_json(
    session: AsyncSession, settings: Settings, store_id: str, product_id: str
) -> bytes:
    async def build(session: AsyncSession) -> bytes:
        await get_store(session, settings, store_id)
        row = await repo.store_product_row(session, store_id, product_id)
        if row is None:
            raise ProductNotFound(f"Store {store_id} has no product {product_id}")
        return orjson.dumps(
            {
                **_item(row),
                "description": row.description,
                "aisle": row.aisle,
                "store_id": store_id,
            }
        )

    return await _cached_read(session, settings, ("product", store_id, product_id), build)


def _page(rows: list[Any], limit: int, read: Any) -> Page[Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[read(r) for r in rows],
        next_cursor=encode_cursor([rows[-1].name, rows[-1].id]) if more else None,
    )


def invalidate_listings() -> None:
    """Forget cached listings now (for a service that changed stock outside this module)."""
    cache.bump_all()
