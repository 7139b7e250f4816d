"""What logistics needs of the orders service, as an interface the orders service implements.

Logistics reacts to order events on its own; a rider's pick-up and hand-over must change the
order in the same transaction, so those calls go through this interface, wired at start-up
(``main.create_app``). Logistics never imports the orders package, so the two cannot cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings


class DropPoint(Protocol):
    """Where the bag goes."""

    @property
    def line1(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def pincode(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lng(self) -> float: ...
    @property
    def instructions(self) -> str | None: ...


class OrderToDeliver(Protocol):
    """What a rider sees of an order and what the hand-over checks."""

    @property
    def number(self) -> str: ...
    @property
    def drop(self) -> DropPoint: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def customer_phone(self) -> str: ...
    @property
    def item_count(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def payment_method(self) -> str: ...
    @property
    def delivery_otp(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PickingQueue:
    """A store's orders not yet packed (confirmed or being picked), and their items."""

    orders: int
    items: int


class OrderDesk(Protocol):
    """The orders service as logistics calls it; each call refuses a move the order's state
    does not allow with the orders service's 409."""

    async def delivery_info(self, session: AsyncSession, order_id: str) -> OrderToDeliver: ...

    async def picking_queue(
        self, session: AsyncSession, settings: Settings, store_id: str
    ) -> PickingQueue: ...

    async def mark_out_for_delivery(
        self, session: AsyncSession, order_id: str, *, rider_user_id: str
    ) -> None: ...

    async def mark_delivered(
        self, session: AsyncSession, order_id: str, *, rider_user_id: str
    ) -> None: ...
