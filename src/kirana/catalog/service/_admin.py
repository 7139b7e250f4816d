"""Admin edits of categories, products (with images) and stores."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import cache
from kirana.catalog import repository as repo
from kirana.catalog.errors import (
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
from kirana.catalog.models import Category, Product, Store
from kirana.catalog.schemas import (
    AdminStoreRead,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    StoreCreate,
    StoreUpdate,
)
from kirana.catalog.service._browse import _page, _search_text, _string_key
from kirana.catalog.service._search_index import reindex_category, reindex_products
from kirana.config import Settings
from kirana.kit.errors import ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.pagination import Page

MAX_IMAGE_BYTES = 2 * 1024 * 1024

# --- admin: categories -------------------------------------------------------------------


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "category"


async def _category(session: AsyncSession, category_id: str) -> Category:
    found = await repo.category(session, category_id)
    if found is None:
        raise CategoryNotFound(f"No category with id {category_id}")
    return found


async def list_categories(
    session: AsyncSession, cursor: str | None, limit: int
) -> Page[CategoryRead]:
    rows = await repo.page_of(session, Category, after=_string_key(cursor), limit=limit + 1)
    return _page(rows, limit, CategoryRead.model_validate)


async def get_category(session: AsyncSession, category_id: str) -> CategoryRead:
    return CategoryRead.model_validate(await _category(session, category_id))


async def create_category(session: AsyncSession, data: CategoryCreate) -> CategoryRead:
    await _category_ref(session, data.parent_id, "parent_id")
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
        await _category_ref(session, changes["parent_id"], "parent_id")
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
    if "name" in changes or "parent_id" in changes:
        await reindex_category(session, category_id)
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


async def _category_ref(
    session: AsyncSession, category_id: str | None, field: str = "category_id"
) -> None:
    """A category named in a request body must exist (422, not 404: the URL was fine)."""
    if category_id is not None and await repo.category(session, category_id) is None:
        raise UnknownReference(
            f"No category with id {category_id}",
            errors=[{"field": field, "message": "no such category"}],
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
    await reindex_products(session, [product.id])
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
    if {"name", "brand", "category_id"} & changes.keys():
        await reindex_products(session, [product.id])
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
