"""Tables of the recommendations service: precomputed results the rails read.

The scheduled job rebuilds them from order history; each confirmed order refreshes its
customer's rows and its products' pair counts at once (``handlers``)."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit.db import Base


class CustomerProduct(Base):
    """How strongly a customer buys a product again (``engine.repeat_scores``)."""

    __tablename__ = "rec_customer_products"

    customer_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)


class ProductPair(Base):
    """In how many orders two products met (both directions are stored)."""

    __tablename__ = "rec_product_pairs"
    __table_args__ = (Index("ix_rec_product_pairs_count", "product_id", "orders"),)

    product_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    other_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, nullable=False)


class ProductOrders(Base):
    """In how many orders a product was (the pairs' denominator)."""

    __tablename__ = "rec_product_orders"

    product_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, nullable=False)


class StoreTrending(Base):
    """What sells at a store lately (``engine.popularity``), rebuilt by the job."""

    __tablename__ = "rec_store_trending"

    store_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
