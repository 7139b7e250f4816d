"""Tables of the catalog service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock, market
from kirana.kit.db import Base, UTCDateTime
from kirana.kit.models import Timestamps, id_column


class Category(Timestamps, Base):
    __tablename__ = "categories"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    parent_id: Mapped[str | None] = mapped_column(
        String(26), ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    image_url: Mapped[str | None] = mapped_column(String(500))


class Product(Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("mrp > 0", name="mrp_positive"),
        CheckConstraint("price > 0 AND price <= mrp", name="price_within_mrp"),
        CheckConstraint("max_per_order > 0", name="max_per_order_positive"),
        Index("ix_products_category_name", "category_id", "name"),
        Index("ix_products_search_name", "search_name"),
        # The store listing without a category walks products in (name, id) order.
        Index("ix_products_name_id", "name", "id"),
    )

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Lower-cased name and brand, for a plain search that works the same on both databases.
    search_name: Mapped[str] = mapped_column(String(300), nullable=False)
    brand: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    unit: Mapped[str] = mapped_column(String(40), nullable=False)
    category_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("categories.id", ondelete="RESTRICT"), nullable=False
    )
    mrp: Mapped[int] = mapped_column(Integer, nullable=False)
    price: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(
        String(3), nullable=False, default=lambda: market.current().currency
    )
    image_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    max_per_order: Mapped[int] = mapped_column(Integer, nullable=False, default=10)


class Store(Timestamps, Base):
    """A dark store: a small warehouse that serves the area around it."""

    __tablename__ = "stores"
    __table_args__ = (
        CheckConstraint("lat >= -90 AND lat <= 90", name="lat_range"),
        CheckConstraint("lng >= -180 AND lng <= 180", name="lng_range"),
        CheckConstraint("service_radius_m IS NULL OR service_radius_m > 0", name="radius_positive"),
    )

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lng: Mapped[float] = mapped_column(Float, nullable=False)
    service_radius_m: Mapped[int | None] = mapped_column(Integer)
    service_area: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Minutes from confirmation to handing the bag to a rider, used by the ETA.
    prep_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=4)


class Stock(Base):
    """What one store holds of one product. ``reserved`` is held by open orders."""

    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("price IS NULL OR price > 0", name="price_positive"),
        Index("ix_stock_product", "product_id"),
    )

    store_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    on_hand: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reserved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price: Mapped[int | None] = mapped_column(Integer)
    aisle: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now, nullable=False
    )


class StockReservation(Base):
    """Units held for one order line. Open reservations of a stock row add up to its ``reserved``."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('open','fulfilled','released')", name="status"),
        Index("ix_stock_reservations_ref", "ref"),
        Index("ix_stock_reservations_open", "store_id", "product_id", "status"),
    )

    id: Mapped[str] = id_column()
    # Who holds it, e.g. an order id; released or fulfilled together.
    ref: Mapped[str] = mapped_column(String(40), nullable=False)
    store_id: Mapped[str] = mapped_column(String(26), ForeignKey("stores.id"), nullable=False)
    product_id: Mapped[str] = mapped_column(String(26), ForeignKey("products.id"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- search ---------------------------------------------------------------------------------
# Words are compared byte by byte on both databases (PostgreSQL's "C" collation), so a range of
# words or their order is the same everywhere.
Word = String(40).with_variant(String(40, collation="C"), "postgresql")


class SearchDocument(Base):
    """One product's searchable words (``kirana.catalog.search_text.words`` of its name, brand
    and categories), rewritten in the transaction that changes the product or its category.

    PostgreSQL indexes ``words`` as a tsvector (GIN); SQLite through the FTS5 table
    ``search_documents_fts``, kept by triggers. ``popularity`` orders equally relevant hits."""

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("products.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    name_words: Mapped[str] = mapped_column(Text, nullable=False)
    brand_words: Mapped[str] = mapped_column(Text, nullable=False)
    category_words: Mapped[str] = mapped_column(Text, nullable=False)
    words: Mapped[str] = mapped_column(Text, nullable=False)
    popularity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SearchWord(Base):
    """Every word a document has held: the vocabulary that prefixes, infixes (pg_trgm's GIN
    index, SQLite's FTS5 trigram table ``search_words_fts``) and typos are resolved against."""

    __tablename__ = "search_words"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    word: Mapped[str] = mapped_column(Word, unique=True, nullable=False)


class SearchWordKey(Base):
    """A vocabulary word under each of its typo keys (itself and its one-character deletes)."""

    __tablename__ = "search_word_keys"

    key: Mapped[str] = mapped_column(Word, primary_key=True)
    word: Mapped[str] = mapped_column(Word, primary_key=True)


class SearchSynonym(Timestamps, Base):
    """``term`` searches for ``expansion`` too ("atta" -> "wheat flour"); admins edit them."""

    __tablename__ = "search_synonyms"

    id: Mapped[str] = id_column()
    term: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    expansion: Mapped[str] = mapped_column(String(120), nullable=False)


class SearchQueryStat(Base):
    """How often a query (normalised, no caller, no store) was searched on a day, and how often
    it found nothing."""

    __tablename__ = "search_query_stats"
    __table_args__ = (Index("ix_search_query_stats_day", "day"),)

    query: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
