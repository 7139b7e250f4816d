"""Pydantic shapes of the recommendations service."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from kirana.catalog.schemas import StoreProduct


class Kind(StrEnum):
    BUY_AGAIN = "buy_again"
    BOUGHT_TOGETHER = "bought_together"
    FORGOTTEN = "forgotten"
    TRENDING = "trending"


class Recommendations(BaseModel):
    kind: Kind
    items: list[StoreProduct]
    source: Literal["personal", "popular"] = Field(
        description="personal: from the customer's and everyone's orders; popular: the store's"
        " best sellers, for a customer without history (or to fill the rail)"
    )
