"""REST routes of the catalog service: thin — parse, authorise, call the service, return.

The customer reads answer pre-serialised JSON bytes (built and cached by the service); their
``response_model`` keeps the OpenAPI document describing exactly what those bytes hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, Response, UploadFile
from fastapi.staticfiles import StaticFiles

from kirana.catalog import service
from kirana.catalog.schemas import (
    AdminStoreRead,
    BulkStockSet,
    CategoryCreate,
    CategoryNode,
    CategoryRead,
    CategoryUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    QueryStat,
    StockRow,
    StockRows,
    StockSet,
    StoreCreate,
    StorePage,
    StoreProductDetail,
    StoreProductPage,
    StoreUpdate,
    Suggestions,
    SynonymRead,
    SynonymWrite,
)
from kirana.config import Settings
from kirana.deps import AdminUser, AppSettings, Session
from kirana.kit.openapi import problems
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(prefix="/api/v1", tags=["catalog"])
admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin: catalog"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=600, description="next_cursor of the last page")]
Search = Annotated[str | None, Query(max_length=100, description="Plain name/brand search")]
CustomerSearch = Annotated[
    str | None,
    Query(
        max_length=10_000,
        description="Typo-tolerant search over name, brand, category and synonyms (its first"
        " words are read); ranked, in stock first, with facets",
    ),
]
Brand = Annotated[str | None, Query(max_length=80, description="Only this brand (exact)")]
MinPrice = Annotated[int | None, Query(ge=0, le=10**9, description="Lowest price, in paise")]
MaxPrice = Annotated[int | None, Query(ge=0, le=10**9, description="Highest price, in paise")]
InStock = Annotated[
    bool | None, Query(description="Only what the store can sell now (true) or not")
]
CategoryFilter = Annotated[
    str | None, Query(max_length=26, description="Only this category and its descendants")
]


class _MediaFiles(StaticFiles):
    """Uploaded files under ``settings.media_dir``; 404 (not 500) until the first upload."""

    async def check_config(self) -> None:
        try:
            await super().check_config()
        except RuntimeError as exc:  # the directory does not exist yet
            raise HTTPException(404, "No such file") from exc


def media_files(settings: Settings) -> StaticFiles:
    """The app mounted at ``/media`` (product images)."""
    return _MediaFiles(directory=settings.media_dir, check_dir=False)


def product_art_files(web_root: Path) -> StaticFiles:
    """The app mounted at ``/media/art``: the demo catalog's pictures, which the web build copies
    from the installed illustration set into the built app (see kirana.seed.art)."""
    return _MediaFiles(directory=web_root / "media" / "art", check_dir=False)


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


# --- public -------------------------------------------------------------------------------


@router.get(
    "/categories",
    operation_id="listCategories",
    response_model=list[CategoryNode],
)
async def list_categories(session: Session, settings: AppSettings) -> Response:
    return _json(await service.categories_json(session, settings))


@router.get("/stores", operation_id="listStores", response_model=StorePage)
async def list_stores(
    session: Session, settings: AppSettings, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Response:
    return _json(await service.store_page_json(session, settings, cursor, limit))


@router.get(
    "/stores/{store_id}/products",
    operation_id="listStoreProducts",
    response_model=StoreProductPage,
)
async def list_store_products(
    session: Session,
    settings: AppSettings,
    store_id: str,
    category_id: CategoryFilter = None,
    q: CustomerSearch = None,
    brand: Brand = None,
    min_price: MinPrice = None,
    max_price: MaxPrice = None,
    in_stock: InStock = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    if q is not None and q.strip():
        return _json(
            await service.store_search_json(
                session,
                settings,
                store_id,
                q=q,
                category_id=category_id,
                brand=brand,
                min_price=min_price,
                max_price=max_price,
                in_stock=in_stock,
                cursor=cursor,
                limit=limit,
            )
        )
    return _json(
        await service.store_products_json(
            session,
            settings,
            store_id,
            category_id=category_id,
            q=None,
            cursor=cursor,
            limit=limit,
            brand=brand,
            min_price=min_price,
            max_price=max_price,
            in_stock=in_stock,
        )
    )


@router.get(
    "/stores/{store_id}/search/suggestions",
    operation_id="suggestSearch",
    response_model=Suggestions,
    description="Completions for the search box as the customer types: a correction, matching"
    " categories and products.",
)
async def suggest_search(
    session: Session,
    settings: AppSettings,
    store_id: str,
    q: Annotated[str, Query(max_length=10_000, description="What has been typed so far")] = "",
    limit: Annotated[int, Query(ge=1, le=10)] = 8,
) -> Response:
    return _json(await service.suggestions_json(session, settings, store_id, q, limit))


@router.get(
    "/stores/{store_id}/products/{product_id}",
    operation_id="getStoreProduct",
    response_model=StoreProductDetail,
)
async def get_store_product(
    session: Session, settings: AppSettings, store_id: str, product_id: str
) -> Response:
    return _json(await service.store_product_json(session, settings, store_id, product_id))


# --- admin: categories --------------------------------------------------------------------


@admin_router.get("/categories", operation_id="adminListCategories")
async def admin_list_categories(
    _: AdminUser, session: Session, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[CategoryRead]:
    return await service.list_categories(session, cursor, limit)


@admin_router.post("/categories", status_code=201, operation_id="adminCreateCategory")
async def admin_create_category(
    body: CategoryCreate, _: AdminUser, session: Session
) -> CategoryRead:
    return await service.create_category(session, body)


@admin_router.get("/categories/{category_id}", operation_id="adminGetCategory")
async def admin_get_category(category_id: str, _: AdminUser, session: Session) -> CategoryRead:
    return await service.get_category(session, category_id)


@admin_router.patch("/categories/{category_id}", operation_id="adminUpdateCategory")
async def admin_update_category(
    category_id: str, body: CategoryUpdate, _: AdminUser, session: Session
) -> CategoryRead:
    return await service.update_category(session, category_id, body)


@admin_router.delete(
    "/categories/{category_id}", status_code=204, operation_id="adminDeleteCategory"
)
async def admin_delete_category(category_id: str, _: AdminUser, session: Session) -> Response:
    await service.delete_category(session, category_id)
    return Response(status_code=204)


# --- admin: products ----------------------------------------------------------------------


@admin_router.get("/products", operation_id="adminListProducts")
async def admin_list_products(
    _: AdminUser,
    session: Session,
    q: Search = None,
    category_id: CategoryFilter = None,
    is_active: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ProductRead]:
    return await service.list_products(
        session, q=q, category_id=category_id, is_active=is_active, cursor=cursor, limit=limit
    )


@admin_router.post("/products", status_code=201, operation_id="adminCreateProduct")
async def admin_create_product(body: ProductCreate, _: AdminUser, session: Session) -> ProductRead:
    return await service.create_product(session, body)


@admin_router.get("/products/{product_id}", operation_id="adminGetProduct")
async def admin_get_product(product_id: str, _: AdminUser, session: Session) -> ProductRead:
    return await service.get_product(session, product_id)


@admin_router.patch("/products/{product_id}", operation_id="adminUpdateProduct")
async def admin_update_product(
    product_id: str, body: ProductUpdate, _: AdminUser, session: Session
) -> ProductRead:
    return await service.update_product(session, product_id, body)


@admin_router.delete(
    "/products/{product_id}",
    status_code=204,
    operation_id="adminDeleteProduct",
    description="Deletes the product, or only deactivates it when it is stocked or was ordered.",
)
async def admin_delete_product(product_id: str, _: AdminUser, session: Session) -> Response:
    await service.delete_product(session, product_id)
    return Response(status_code=204)


@admin_router.post(
    "/products/{product_id}/image",
    operation_id="adminUploadProductImage",
    description="A JPEG, PNG or WebP of at most 2 MB, served afterwards under /media/.",
    responses=problems(413, 415),
)
async def admin_upload_product_image(
    product_id: str,
    file: Annotated[UploadFile, File(description="The image")],
    _: AdminUser,
    session: Session,
    settings: AppSettings,
) -> ProductRead:
    data = await file.read(service.MAX_IMAGE_BYTES + 1)
    return await service.set_product_image(session, settings, product_id, data)


# --- admin: stores and stock --------------------------------------------------------------


@admin_router.get("/stores", operation_id="adminListStores")
async def admin_list_stores(
    _: AdminUser, session: Session, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[AdminStoreRead]:
    return await service.list_admin_stores(session, cursor, limit)


@admin_router.post("/stores", status_code=201, operation_id="adminCreateStore")
async def admin_create_store(body: StoreCreate, _: AdminUser, session: Session) -> AdminStoreRead:
    return await service.create_store(session, body)


@admin_router.get("/stores/{store_id}", operation_id="adminGetStore")
async def admin_get_store(store_id: str, _: AdminUser, session: Session) -> AdminStoreRead:
    return await service.get_admin_store(session, store_id)


@admin_router.patch("/stores/{store_id}", operation_id="adminUpdateStore")
async def admin_update_store(
    store_id: str, body: StoreUpdate, _: AdminUser, session: Session
) -> AdminStoreRead:
    return await service.update_store(session, store_id, body)


@admin_router.delete("/stores/{store_id}", status_code=204, operation_id="adminDeleteStore")
async def admin_delete_store(store_id: str, _: AdminUser, session: Session) -> Response:
    await service.delete_store(session, store_id)
    return Response(status_code=204)


@admin_router.get("/stores/{store_id}/stock", operation_id="adminListStock")
async def admin_list_stock(
    store_id: str,
    _: AdminUser,
    session: Session,
    q: Search = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[StockRow]:
    return await service.list_stock(session, store_id, q=q, cursor=cursor, limit=limit)


@admin_router.put("/stores/{store_id}/stock", operation_id="adminSetStockBulk")
async def admin_set_stock_bulk(
    store_id: str, body: BulkStockSet, _: AdminUser, session: Session
) -> StockRows:
    return StockRows(items=await service.set_stock_bulk(session, store_id, body.items))


@admin_router.put("/stores/{store_id}/stock/{product_id}", operation_id="adminSetStock")
async def admin_set_stock(
    store_id: str, product_id: str, body: StockSet, _: AdminUser, session: Session
) -> StockRow:
    return await service.set_stock(session, store_id, product_id, body)


# --- admin: search --------------------------------------------------------------------------


@admin_router.get("/search/synonyms", operation_id="adminListSynonyms")
async def admin_list_synonyms(_: AdminUser, session: Session) -> list[SynonymRead]:
    return await service.list_synonyms(session)


@admin_router.post("/search/synonyms", status_code=201, operation_id="adminCreateSynonym")
async def admin_create_synonym(body: SynonymWrite, _: AdminUser, session: Session) -> SynonymRead:
    return await service.create_synonym(session, body)


@admin_router.put("/search/synonyms/{synonym_id}", operation_id="adminUpdateSynonym")
async def admin_update_synonym(
    synonym_id: str, body: SynonymWrite, _: AdminUser, session: Session
) -> SynonymRead:
    return await service.update_synonym(session, synonym_id, body)


@admin_router.delete(
    "/search/synonyms/{synonym_id}", status_code=204, operation_id="adminDeleteSynonym"
)
async def admin_delete_synonym(synonym_id: str, _: AdminUser, session: Session) -> Response:
    await service.delete_synonym(session, synonym_id)
    return Response(status_code=204)


@admin_router.get(
    "/search/queries",
    operation_id="adminSearchQueries",
    description="What customers searched for (the words only: no caller, no store), most"
    " searched first, or with zero_results=true those that found nothing.",
)
async def admin_search_queries(
    _: AdminUser,
    session: Session,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
    zero_results: bool = False,
    limit: Limit = DEFAULT_LIMIT,
) -> list[QueryStat]:
    return await service.query_stats(session, days=days, zero_only=zero_results, limit=limit)
