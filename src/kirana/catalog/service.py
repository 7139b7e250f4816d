"""The catalog service: what customers browse and what admins edit. Its public interface.

Reads that customers make on every screen (a store's product listing, the category tree, the
store list, serviceability) are built from Core rows straight into JSON bytes and cached in
process (see ``kirana.catalog.cache`` for how stale they may be). Every write marks the session
so the caches are bumped when the transaction commits.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import cache, geo
from kirana.catalog import repository as repo
from kirana.catalog.errors import (
    BelowReserved,
    CategoryNotFound,
    ImageTooLarge,
    InUse,
    PriceAboveMrp,
    ProductNotFound,
    SlugTaken,
    StoreNotFound,
    UnknownReference,
    UnsupportedImage,
)
from kirana.catalog.models import Category, Product, Stock, Store
from kirana.catalog.schemas import (
    AdminStoreRead,
    BulkStockLine,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    Serviceability,
    StockRow,
    StockSet,
    StoreCreate,
    StoreRef,
    StoreUpdate,
)
from kirana.config import Settings
from kirana.kit import outbox
from kirana.kit.db import Database
from kirana.kit.errors import BadRequest, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.pagination import Page, decode_cursor, encode_cursor

MAX_IMAGE_BYTES = 2 * 1024 * 1024

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
        return {
            "id": self.id,
            "name": self.name,
            "lat": self.lat,
            "lng": self.lng,
            "is_open": self.is_open,
            "service_radius_m": self.service_radius_m,
            "service_area": self.service_area,
            "address": self.address,
            "prep_minutes": self.prep_minutes,
        }


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
        found = {r.id: StoreInfo(**r._asdict()) for r in await repo.all_store_rows(session)}
        cache.put(settings, "stores", found)
    return found


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
    db: Database, settings: Settings, key: Any, build: Callable[[AsyncSession], Awaitable[bytes]]
) -> bytes:
    """The cached answer for ``key``, or ``build`` it in a read transaction and cache it.

    The customer reads take the ``Database`` rather than the request's session: a cache hit then
    costs no session, no connection and no dependency, which is most of their speed.
    """

    async def read() -> bytes:
        async with db.transaction(write=False) as session:
            return await build(session)

    return await cache.get_or_build(settings, key, read)


async def categories_json(db: Database, settings: Settings) -> bytes:
    async def build(session: AsyncSession) -> bytes:
        return (await category_tree(session, settings)).json

    return await _cached_read(db, settings, ("categories.json",), build)


async def store_page_json(
    db: Database, settings: Settings, cursor: str | None, limit: int
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

    return await _cached_read(db, settings, ("stores.json", cursor, limit), build)


async def serviceability(
    db: Database, settings: Settings, lat: float, lng: float
) -> Serviceability:
    """The nearest open store whose service area holds the point, and the delivery ETA."""
    all_stores: dict[str, StoreInfo] | None = cache.get(settings, "stores")
    if all_stores is None:
        async with db.transaction(write=False) as session:
            all_stores = await stores(session, settings)
    best: tuple[float, StoreInfo] | None = None
    for store in all_stores.values():
        if not store.is_open or not geo.covers(
            lat,
            lng,
            store_lat=store.lat,
            store_lng=store.lng,
            radius_m=store.service_radius_m,
            area=store.service_area,
        ):
            continue
        distance = geo.haversine_m(lat, lng, store.lat, store.lng)
        if best is None or distance < best[0]:
            best = (distance, store)
    if best is None:
        return Serviceability(serviceable=False, store=None, eta_minutes=None)
    distance, store = best
    return Serviceability(
        serviceable=True,
        store=StoreRef(id=store.id, name=store.name),
        eta_minutes=geo.eta_minutes(distance, store.prep_minutes),
    )


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
    db: Database,
    settings: Settings,
    store_id: str,
    *,
    category_id: str | None,
    q: str | None,
    cursor: str | None,
    limit: int,
) -> bytes:
    """One page of a store's products as JSON bytes; cached, else at most three queries.

    Queries on a cold cache: the store list, the category tree (only with ``category_id``),
    the page itself. The count never depends on ``limit``.
    """
    search = _search_text(q)
    after = _string_key(cursor)

    async def build(session: AsyncSession) -> bytes:
        return await store_products_page(
            session,
            settings,
            store_id,
            category_id=category_id,
            search=search,
            after=after,
            limit=limit,
        )

    key = ("products", store_id, category_id, search, cursor, limit)
    return await _cached_read(db, settings, key, build)


async def store_products_page(
    session: AsyncSession,
    settings: Settings,
    store_id: str,
    *,
    category_id: str | None,
    search: str | None,
    after: tuple[str, str] | None,
    limit: int,
) -> bytes:
    await get_store(session, settings, store_id)
    category_ids: tuple[str, ...] | None = None
    if category_id is not None:
        category_ids = (await category_tree(session, settings)).subtree.get(category_id)
        if category_ids is None:
            raise CategoryNotFound(f"No category with id {category_id}")
    rows = await repo.store_product_rows(
        session, store_id, category_ids=category_ids, search=search, after=after, limit=limit + 1
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
    db: Database, settings: Settings, store_id: str, product_id: str
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

    return await _cached_read(db, settings, ("product", store_id, product_id), build)


# --- admin: categories -------------------------------------------------------------------


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "category"


async def _category(session: AsyncSession, category_id: str) -> Category:
    found = await repo.category(session, category_id)
    if found is None:
        raise CategoryNotFound(f"No category with id {category_id}")
    return found


async def _parent(session: AsyncSession, parent_id: str | None) -> None:
    if parent_id is not None and await repo.category(session, parent_id) is None:
        raise UnknownReference(
            f"No category with id {parent_id}",
            errors=[{"field": "parent_id", "message": "no such category"}],
        )


async def list_categories(
    session: AsyncSession, cursor: str | None, limit: int
) -> Page[CategoryRead]:
    rows = await repo.page_of(session, Category, after=_string_key(cursor), limit=limit + 1)
    return _page(rows, limit, CategoryRead.model_validate)


async def get_category(session: AsyncSession, category_id: str) -> CategoryRead:
    return CategoryRead.model_validate(await _category(session, category_id))


async def create_category(session: AsyncSession, data: CategoryCreate) -> CategoryRead:
    await _parent(session, data.parent_id)
    slug = data.slug or slugify(data.name)
    if await repo.slug_taken(session, slug):
        raise SlugTaken(f"The slug {slug!r} is taken by another category")
    values = data.model_dump()
    values["slug"] = slug
    category = Category(id=new_id(), **values)
    session.add(category)
    await session.flush()
    cache.mark_changed(session)
    return CategoryRead.model_validate(category)


async def update_category(
    session: AsyncSession, category_id: str, data: CategoryUpdate
) -> CategoryRead:
    category = await _category(session, category_id)
    changes = data.model_dump(exclude_unset=True)
    _refuse_nulls(changes, nullable=("parent_id", "image_url"))
    if "parent_id" in changes and changes["parent_id"] is not None:
        await _parent(session, changes["parent_id"])
        parents = {r.id: r.parent_id for r in await repo.all_category_rows(session)}
        ancestor: str | None = changes["parent_id"]
        while ancestor is not None:
            if ancestor == category_id:
                raise ValidationFailed(
                    "A category cannot move under itself or one of its descendants",
                    code="category_cycle",
                )
            ancestor = parents.get(ancestor)
    if "slug" in changes and await repo.slug_taken(session, changes["slug"], category_id):
        raise SlugTaken(f"The slug {changes['slug']!r} is taken by another category")
    for field, value in changes.items():
        setattr(category, field, value)
    await session.flush()
    cache.mark_changed(session)
    return CategoryRead.model_validate(category)


async def delete_category(session: AsyncSession, category_id: str) -> None:
    await _category(session, category_id)
    if await repo.category_in_use(session, category_id):
        raise InUse(
            "The category has subcategories or products; move or delete them first",
            code="category_in_use",
        )
    await repo.delete_category(session, category_id)
    cache.mark_changed(session)


# --- admin: products ---------------------------------------------------------------------


def _refuse_nulls(changes: dict[str, Any], nullable: Sequence[str]) -> None:
    nulls = [f for f, v in changes.items() if v is None and f not in nullable]
    if nulls:
        raise ValidationFailed(
            f"{', '.join(nulls)} cannot be null",
            errors=[{"field": f, "message": "cannot be null"} for f in nulls],
        )


def _check_price(price: int, mrp: int, field: str = "price") -> None:
    if price > mrp:
        raise PriceAboveMrp(
            f"The price ({price}) is above the MRP ({mrp}); the MRP is the legal maximum",
            errors=[{"field": field, "message": "must not exceed mrp"}],
        )


async def _product(session: AsyncSession, product_id: str, *, lock: bool = False) -> Product:
    found = await repo.product(session, product_id, lock=lock)
    if found is None:
        raise ProductNotFound(f"No product with id {product_id}")
    return found


async def _category_ref(session: AsyncSession, category_id: str) -> None:
    if await repo.category(session, category_id) is None:
        raise UnknownReference(
            f"No category with id {category_id}",
            errors=[{"field": "category_id", "message": "no such category"}],
        )


def search_name(name: str, brand: str) -> str:
    return " ".join(f"{name} {brand}".lower().split())


async def list_products(
    session: AsyncSession,
    *,
    q: str | None,
    category_id: str | None,
    is_active: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[ProductRead]:
    filters: list[Any] = []
    search = _search_text(q)
    if search:
        filters.append(Product.search_name.like(repo.like_pattern(search), escape="\\"))
    if category_id is not None:
        filters.append(Product.category_id == category_id)
    if is_active is not None:
        filters.append(Product.is_active.is_(is_active))
    rows = await repo.page_of(
        session, Product, after=_string_key(cursor), limit=limit + 1, filters=filters
    )
    return _page(rows, limit, ProductRead.model_validate)


async def get_product(session: AsyncSession, product_id: str) -> ProductRead:
    return ProductRead.model_validate(await _product(session, product_id))


async def create_product(session: AsyncSession, data: ProductCreate) -> ProductRead:
    await _category_ref(session, data.category_id)
    _check_price(data.price, data.mrp)
    product = Product(
        id=new_id(), search_name=search_name(data.name, data.brand), **data.model_dump()
    )
    session.add(product)
    await session.flush()
    cache.mark_changed(session)
    return ProductRead.model_validate(product)


async def update_product(
    session: AsyncSession, product_id: str, data: ProductUpdate
) -> ProductRead:
    product = await _product(session, product_id, lock=True)
    changes = data.model_dump(exclude_unset=True)
    _refuse_nulls(changes, nullable=("image_url",))
    if "category_id" in changes:
        await _category_ref(session, changes["category_id"])
    mrp = changes.get("mrp", product.mrp)
    _check_price(changes.get("price", product.price), mrp)
    if "mrp" in changes:
        highest = await repo.highest_store_price(session, product_id)
        if highest is not None and highest > mrp:
            raise PriceAboveMrp(
                f"A store sells this product at {highest}, above the new MRP ({mrp}); "
                "lower that store price first",
                errors=[{"field": "mrp", "message": "below a store's price"}],
            )
    for field, value in changes.items():
        setattr(product, field, value)
    product.search_name = search_name(product.name, product.brand)
    await session.flush()
    cache.mark_changed(session)
    return ProductRead.model_validate(product)


async def delete_product(session: AsyncSession, product_id: str) -> bool:
    """Delete a product; one that is stocked or was ordered is only deactivated. True if deleted."""
    product = await _product(session, product_id, lock=True)
    deleted = False
    if not await repo.product_has_stock(session, product_id):
        try:
            async with session.begin_nested():
                await repo.delete_product(session, product_id)
            deleted = True
        except IntegrityError:  # referenced elsewhere (reservations, orders): keep the row
            deleted = False
    if not deleted:
        product.is_active = False
        await session.flush()
    cache.mark_changed(session)
    return deleted


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


async def set_product_image(
    session: AsyncSession, settings: Settings, product_id: str, data: bytes
) -> ProductRead:
    """Store an uploaded JPEG, PNG or WebP (by its bytes, not its name) as the product's image."""
    product = await _product(session, product_id, lock=True)
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(f"Images may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    ext = _sniff_image(data)
    if ext is None:
        raise UnsupportedImage("Upload a JPEG, PNG or WebP image")
    name = f"{product_id.lower()}-{new_id().lower()}.{ext}"
    folder = Path(settings.media_dir) / "products"
    folder.mkdir(parents=True, exist_ok=True)
    # An orphan file is all a rolled-back request can leave behind.
    (folder / name).write_bytes(data)
    product.image_url = f"/media/products/{name}"
    await session.flush()
    cache.mark_changed(session)
    return ProductRead.model_validate(product)


# --- admin: stores -----------------------------------------------------------------------


async def _store(session: AsyncSession, store_id: str) -> Store:
    found = await repo.store(session, store_id)
    if found is None:
        raise StoreNotFound(f"No store with id {store_id}")
    return found


async def list_admin_stores(
    session: AsyncSession, cursor: str | None, limit: int
) -> Page[AdminStoreRead]:
    rows = await repo.page_of(session, Store, after=_string_key(cursor), limit=limit + 1)
    return _page(rows, limit, AdminStoreRead.model_validate)


async def get_admin_store(session: AsyncSession, store_id: str) -> AdminStoreRead:
    return AdminStoreRead.model_validate(await _store(session, store_id))


async def create_store(session: AsyncSession, data: StoreCreate) -> AdminStoreRead:
    store = Store(id=new_id(), **data.model_dump())
    session.add(store)
    await session.flush()
    cache.mark_changed(session)
    return AdminStoreRead.model_validate(store)


async def update_store(session: AsyncSession, store_id: str, data: StoreUpdate) -> AdminStoreRead:
    store = await _store(session, store_id)
    changes = data.model_dump(exclude_unset=True)
    _refuse_nulls(changes, nullable=("service_radius_m", "service_area"))
    radius = changes.get("service_radius_m", store.service_radius_m)
    area = changes.get("service_area", store.service_area)
    if (radius is None) == (area is None):
        raise ValidationFailed(
            "A store needs exactly one of service_radius_m or service_area (a Polygon); "
            "set the other to null when switching",
            code="service_area_required",
            errors=[{"field": "service_area", "message": "exactly one of radius or polygon"}],
        )
    for field, value in changes.items():
        setattr(store, field, value)
    await session.flush()
    cache.mark_changed(session)
    return AdminStoreRead.model_validate(store)


async def delete_store(session: AsyncSession, store_id: str) -> None:
    await _store(session, store_id)
    in_use = InUse(
        "The store has stock, staff, riders or orders; close it (is_open: false) instead",
        code="store_in_use",
    )
    if await repo.store_has_stock(session, store_id):
        raise in_use
    try:
        async with session.begin_nested():
            await repo.delete_store(session, store_id)
    except IntegrityError as exc:
        raise in_use from exc
    cache.mark_changed(session)


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
