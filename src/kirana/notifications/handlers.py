"""Order and payment events, written to the customer's inbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import money
from kirana.kit.outbox import Event, subscribe
from kirana.notifications import service
from kirana.orders import service as orders

# event type -> (title, body); {number} is the order's number.
MESSAGES: dict[str, tuple[str, str]] = {
    "order.confirmed": ("Order confirmed", "Your order {number} is confirmed."),
    "order.packed": ("Order packed", "Your order {number} is packed and waiting for a rider."),
    "delivery.assigned": ("Rider assigned", "A rider will bring your order {number}."),
    "order.out_for_delivery": ("On the way", "Your order {number} is on its way."),
    "order.delivered": ("Delivered", "Your order {number} was delivered. Enjoy!"),
    "order.cancelled": ("Order cancelled", "Your order {number} was cancelled."),
    "payment.failed": ("Payment failed", "The payment for your order {number} did not go through."),
    "payment.refunded": ("Refund issued", "We refunded {amount} for your order {number}."),
}


async def write_notification(session: AsyncSession, event: Event) -> None:
    order_id = str(event.payload["order_id"])
    info = await orders.order_brief(session, order_id)
    if info is None:
        return
    title, body = MESSAGES[event.type]
    await service.notify(
        session,
        user_id=info.customer_id,
        event_id=event.id,
        kind=event.type,
        title=title,
        body=body.format(
            number=info.number, amount=money.in_words(int(event.payload.get("amount", 0)))
        ),
        data={"order_id": order_id, "number": info.number, "status": info.status},
    )


for _event_type in MESSAGES:
    subscribe(_event_type, consumer="notifications.inbox")(write_notification)
