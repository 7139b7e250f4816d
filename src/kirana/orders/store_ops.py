"""The store's side of an order after checkout: the queue of orders to pick, an order's pick
list, and the staff's moves of an order (picking, packed), each through ``lifecycle.transition``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import Conflict
from kirana.kit.pagination import Page
from kirana.logistics import service as logistics
from kirana.orders import repository as repo
from kirana.orders import state
from kirana.orders import substitution_repository as substitution_repo
from kirana.orders.lifecycle import (
    actor_of,
    check_store_access,
    staff_order,
    substitution_reads,
    transition,
)
from kirana.orders.models import Order, OrderItem
from kirana.orders.schemas import PickLine, PickList, QueueEntry, SubstitutionRead
from kirana.orders.state import OrderStatus
from kirana.users.schemas import Principal


async def store_queue(
    session: AsyncSession, principal: Principal, store_id: str, status: OrderStatus | None
) -> Page[QueueEntry]:
    check_store_access(principal, store_id)
    statuses = [status] if status else list(state.STORE_QUEUE)
    now = clock.now()
    orders = await repo.store_queue(session, store_id, statuses)
    pick_after = await logistics.pick_after_of(session, [o.id for o in orders])
    return Page(
        items=[
            QueueEntry(
                id=o.id,
                number=o.number,
                status=o.status,
                item_count=o.item_count,
                total=o.total,
                created_at=o.created_at,
                confirmed_at=o.confirmed_at,
                minutes_since_confirmed=(
                    int((now - o.confirmed_at).total_seconds() // 60) if o.confirmed_at else None
                ),
                pick_after=pick_after.get(o.id),
            )
            for o in orders
        ]
    )


async def pick_list(session: AsyncSession, principal: Principal, order_id: str) -> PickList:
    order = await staff_order(session, principal, order_id)
    return await pick_list_of(session, order)


async def pick_list_of(session: AsyncSession, order: Order) -> PickList:
    """The order as its picker sees it: every line (with what became of it) and the
    substitutes proposed."""
    items = await repo.items_of(session, order.id)
    return _pick_list(order, items, await substitution_reads(session, order.id, items))


def _pick_list(
    order: Order, items: list[OrderItem], substitutions: list[SubstitutionRead]
) -> PickList:
    return PickList(
        id=order.id,
        number=order.number,
        status=order.status,
        store_id=order.store_id,
        item_count=order.item_count,
        confirmed_at=order.confirmed_at,
        delivery_instructions=order.delivery_instructions,
        lines=[
            PickLine(
                aisle=i.aisle,
                product_id=i.product_id,
                name=i.name,
                unit=i.unit,
                quantity=i.quantity,
                line_id=i.id,
                status=i.status,
                unit_price=i.unit_price,
                substitute_for=i.substitute_for,
            )
            for i in sorted(items, key=lambda i: (i.aisle, i.name))
        ],
        substitutions=substitutions,
    )


async def staff_transition(
    session: AsyncSession, principal: Principal, order_id: str, target: OrderStatus
) -> PickList:
    order = await staff_order(session, principal, order_id, lock=True)
    if target == OrderStatus.PACKED and await substitution_repo.open_proposals(session, order.id):
        raise Conflict(
            "A substitute awaits the customer's answer; the order is packed after it",
            code="substitution_open",
        )
    await transition(session, order, target, actor_of(principal))
    return await pick_list_of(session, order)
