"""What logistics calls on orders (through its ``OrderDesk``): the delivery's details, the
rider's pick-up and hand-over as order transitions, and who owns an order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import stock
from kirana.kit.clock import ensure_aware
from kirana.orders import repository as repo
from kirana.orders import state
from kirana.orders.lifecycle import Actor, load_order, transition
from kirana.orders.schemas import DeliveryInfo, DropAddress, OrderBrief
from kirana.orders.state import OrderStatus
from kirana.users import service as users


async def delivery_info(session: AsyncSession, order_id: str) -> DeliveryInfo:
    order = await load_order(session, order_id)
    customer = await users.get_user(session, order.customer_id)
    a = order.address
    return DeliveryInfo(
        order_id=order.id,
        number=order.number,
        store_id=order.store_id,
        status=order.status,
        drop=DropAddress(
            line1=str(a.get("line1", "")),
            city=str(a.get("city", "")),
            pincode=str(a.get("pincode", "")),
            lat=order.drop_lat,
            lng=order.drop_lng,
            instructions=order.delivery_instructions or a.get("instructions"),
        ),
        customer_id=order.customer_id,
        customer_name=customer.name,
        customer_phone=customer.phone,
        item_count=order.item_count,
        total=order.total,
        currency=order.currency,
        payment_method=order.payment_method,
        delivery_otp=order.delivery_otp,
    )


async def mark_out_for_delivery(
    session: AsyncSession, order_id: str, *, rider_user_id: str
) -> None:
    order = await load_order(session, order_id, lock=True)
    await transition(
        session,
        order,
        OrderStatus.OUT_FOR_DELIVERY,
        Actor(rider_user_id, "rider"),
        payload={"rider_id": rider_user_id},
    )


async def mark_delivered(session: AsyncSession, order_id: str, *, rider_user_id: str) -> None:
    order = await load_order(session, order_id, lock=True)
    state.check(order.status, OrderStatus.DELIVERED, Actor(rider_user_id, "rider"))
    await stock.fulfil(session, order.id)
    await transition(
        session,
        order,
        OrderStatus.DELIVERED,
        Actor(rider_user_id, "rider"),
        payload={"rider_id": rider_user_id, "total": order.total},
    )
    # Held against the promise: the minutes from confirmation (payment done) to the hand-over.
    started = order.confirmed_at or order.created_at
    await repo.record_delivered(
        session,
        order.id,
        at=order.updated_at,
        minutes=round((order.updated_at - ensure_aware(started)).total_seconds() / 60, 2),
    )


async def order_owner(session: AsyncSession, order_id: str) -> str:
    return (await load_order(session, order_id)).customer_id


async def order_brief(session: AsyncSession, order_id: str) -> OrderBrief | None:
    """Who owns an order and where it stands (None if there is no such order)."""
    return (await order_briefs(session, [order_id])).get(order_id)


async def order_briefs(session: AsyncSession, order_ids: list[str]) -> dict[str, OrderBrief]:
    """``order_brief`` of each of ``order_ids`` that exists, in one query."""
    return {
        order.id: OrderBrief(
            order.id,
            order.number,
            order.customer_id,
            order.store_id,
            order.status,
            order.total,
            order.currency,
            order.payment_method,
        )
        for order in await repo.orders_by_ids(session, order_ids)
    }
