"""Pydantic shapes of the catalog service: what the API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kirana.catalog import geo
from kirana.kit import market
from kirana.kit.validation import Latitude, Longitude

Paise = int
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- public reads -------------------------------------------------------------------------


class CategoryNode(BaseModel):
    id: str
    name: str
    slug: str
    parent_id: str | None
    position: int = 0
    image_url: str | None = None
    children: list[CategoryNode]


class StoreRead(BaseModel):
    id: str
    name: str
    lat: float
    lng: float
    is_open: bool
    service_radius_m: int | None
    service_area: dict[str, Any] | None
    address: str
    prep_minutes: int


class StoreProduct(BaseModel):
    id: str
    name: str
    brand: str
    unit: str
    image_url: str | None
    price: Paise
    mrp: Paise
    in_stock: bool
    max_quantity: int
    category_id: str
    currency: str


class StoreProductDetail(StoreProduct):
    description: str
    aisle: str
    store_id: str


class CategoryFacet(BaseModel):
    id: str
    name: str
    count: int


class BrandFacet(BaseModel):
    name: str
    count: int


class PriceFacet(BaseModel):
    min: Paise
    max: Paise


class SearchFacets(BaseModel):
    """Counts over the hits of a search, each with every other filter applied."""

    categories: list[CategoryFacet]
    brands: list[BrandFacet]
    in_stock: int = Field(description="Hits the store can sell now")
    price: PriceFacet | None = Field(description="Lowest and highest price; null without hits")


class StoreProductPage(BaseModel):
    items: list[StoreProduct]
    next_cursor: str | None
    # With ``q`` only:
    total: int | None = Field(None, description="With q: how many products match")
    facets: SearchFacets | None = Field(None, description="With q: facet counts of the hits")
    did_you_mean: str | None = Field(
        None, description="With q: the query with its typos corrected, when it had any"
    )


class Suggestion(BaseModel):
    text: str
    kind: Literal["product", "category", "correction"]
    product_id: str | None = None
    category_id: str | None = None


class Suggestions(BaseModel):
    query: str
    suggestions: list[Suggestion]


class SynonymWrite(Strict):
    term: str = Field(min_length=1, max_length=60, description="What customers type, e.g. atta")
    expansion: str = Field(
        min_length=1, max_length=120, description="What it means in the catalog, e.g. wheat flour"
    )


class SynonymRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    term: str
    expansion: str


class QueryStat(BaseModel):
    query: str
    searches: int
    zero_results: int


class StorePage(BaseModel):
    items: list[StoreRead]
    next_cursor: str | None


# --- admin: categories --------------------------------------------------------------------


class CategoryCreate(Strict):
    name: str = Field(min_length=1, max_length=80)
    slug: str | None = Field(default=None, min_length=1, max_length=80, pattern=SLUG_PATTERN)
    parent_id: str | None = Field(default=None, min_length=1, max_length=26)
    position: int = Field(default=0, ge=0, le=100_000)
    image_url: str | None = Field(default=None, max_length=500)


class CategoryUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    slug: str | None = Field(default=None, min_length=1, max_length=80, pattern=SLUG_PATTERN)
    parent_id: str | None = Field(default=None, min_length=1, max_length=26)
    position: int | None = Field(default=None, ge=0, le=100_000)
    image_url: str | None = Field(default=None, max_length=500)


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str
    parent_id: str | None
    position: int
    image_url: str | None


# --- admin: products ----------------------------------------------------------------------


class ProductCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    brand: str = Field(default="", max_length=80)
    unit: str = Field(min_length=1, max_length=40)
    category_id: str = Field(min_length=1, max_length=26)
    mrp: Paise = Field(gt=0, le=100_000_000, description="Maximum retail price, in paise")
    price: Paise = Field(gt=0, le=100_000_000, description="Default selling price, ≤ mrp")
    currency: str = Field(
        default_factory=lambda: market.current().currency,
        pattern=r"^[A-Z]{3}$",
        description="The deployment's currency (KIRANA_CURRENCY) if not given",
    )
    image_url: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", max_length=5000)
    is_active: bool = True
    max_per_order: int = Field(default=10, gt=0, le=1000)


class ProductUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    brand: str | None = Field(default=None, max_length=80)
    unit: str | None = Field(default=None, min_length=1, max_length=40)
    category_id: str | None = Field(default=None, min_length=1, max_length=26)
    mrp: Paise | None = Field(default=None, gt=0, le=100_000_000)
    price: Paise | None = Field(default=None, gt=0, le=100_000_000)
    image_url: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=5000)
    is_active: bool | None = None
    max_per_order: int | None = Field(default=None, gt=0, le=1000)


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    brand: str
    unit: str
    category_id: str
    mrp: Paise
    price: Paise
    currency: str
    image_url: str | None
    description: str
    is_active: bool
    max_per_order: int


# --- admin: stores ------------------------------------------------------------------------


class ServiceArea(Strict):
    """A GeoJSON Polygon: ``coordinates`` is a list of closed rings of ``[lng, lat]``."""

    type: Literal["Polygon"]
    coordinates: list[list[list[float]]]

    @model_validator(mode="after")
    def _valid_polygon(self) -> ServiceArea:
        problems = geo.polygon_problems(self.model_dump())
        if problems:
            raise ValueError("; ".join(problems))
        return self


class StoreCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    address: str = Field(default="", max_length=300)
    lat: Latitude
    lng: Longitude
    service_radius_m: int | None = Field(default=None, gt=0, le=100_000)
    service_area: ServiceArea | None = None
    is_open: bool = True
    prep_minutes: int = Field(default=4, ge=0, le=240)

    @model_validator(mode="after")
    def _one_service_area(self) -> StoreCreate:
        if (self.service_radius_m is None) == (self.service_area is None):
            raise ValueError("give exactly one of service_radius_m or service_area (a Polygon)")
        return self


class StoreUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    address: str | None = Field(default=None, max_length=300)
    lat: Latitude | None = None
    lng: Longitude | None = None
    service_radius_m: int | None = Field(default=None, gt=0, le=100_000)
    service_area: ServiceArea | None = None
    is_open: bool | None = None
    prep_minutes: int | None = Field(default=None, ge=0, le=240)


class AdminStoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    address: str
    lat: float
    lng: float
    service_radius_m: int | None
    service_area: dict[str, Any] | None
    is_open: bool
    prep_minutes: int


# --- admin: stock -------------------------------------------------------------------------


class StockSet(Strict):
    on_hand: int = Field(ge=0, le=1_000_000)
    price: Paise | None = Field(
        default=None, gt=0, le=100_000_000, description="Store price; null uses the product's"
    )
    aisle: str | None = Field(default=None, max_length=20)


class BulkStockLine(StockSet):
    product_id: str = Field(min_length=1, max_length=26)


class BulkStockSet(Strict):
    items: list[BulkStockLine] = Field(min_length=1, max_length=1000)

    @field_validator("items")
    @classmethod
    def _distinct_products(cls, items: list[BulkStockLine]) -> list[BulkStockLine]:
        seen: set[str] = set()
        for line in items:
            if line.product_id in seen:
                raise ValueError(f"product {line.product_id} appears more than once")
            seen.add(line.product_id)
        return items


class StockRow(BaseModel):
    store_id: str
    product_id: str
    product_name: str
    on_hand: int
    reserved: int
    available: int
    price: Paise | None = Field(description="The store's price; null means the product's price")
    effective_price: Paise
    mrp: Paise
    aisle: str
    updated_at: datetime


class StockRows(BaseModel):
    items: list[StockRow]


class ImageUploaded(BaseModel):
    image_url: str
