"""Order and payment events, written to the customer's inbox and queued on the channels."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import money
from kirana.kit.money import Money
from kirana.kit.outbox import Event, subscribe
from kirana.notifications import outgoing, service
from kirana.notifications.templates import render
from kirana.orders import service as orders
from kirana.orders.schemas import OrderBrief
from kirana.users import service as users

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
    "order.substitution_proposed": (
        "Approve a substitute?",
        "An item of your order {number} is out of stock; the store offers a substitute.",
    ),
}


async def write_notification(session: AsyncSession, event: Event) -> None:
    """The inbox entry: the event's template in the customer's language where it has one (its
    push title and text), the English line of ``MESSAGES`` otherwise."""
    order_id = str(event.payload["order_id"])
    info = await orders.order_brief(session, order_id)
    if info is None:
        return
    title, body = MESSAGES[event.type]
    body = body.format(
        number=info.number, amount=money.in_words(int(event.payload.get("amount", 0)))
    )
    kind = CHANNEL_TEMPLATES.get(event.type)
    customer = await users.find_user(session, info.customer_id)
    if kind and customer is not None:
        prefs = await outgoing.preferences(session, customer.id)
        message = render(kind, prefs.language, await _context(session, event, info, customer.name))
        title, body = message.push_title, message.push_body
    await service.notify(
        session,
        user_id=info.customer_id,
        event_id=event.id,
        kind=event.type,
        title=title[:120],
        body=body[:500],
        data={"order_id": order_id, "number": info.number, "status": info.status},
    )


for _event_type in MESSAGES:
    subscribe(_event_type, consumer="notifications.inbox")(write_notification)


# ---- the other channels: email, SMS, Web Push ----

# event type -> template (templates.KINDS).
CHANNEL_TEMPLATES: dict[str, str] = {
    "order.confirmed": "order_confirmed",
    "order.out_for_delivery": "out_for_delivery",
    "order.delivered": "delivered",
    "order.cancelled": "cancelled",
    "payment.refunded": "refunded",
    "order.substitution_proposed": "substitution_proposed",
}


async def _context(
    session: AsyncSession, event: Event, info: OrderBrief, name: str
) -> dict[str, Any]:
    """What the templates of an order's event may say."""
    context: dict[str, Any] = {
        "name": name,
        "number": info.number,
        "total": Money(info.total, info.currency).format(),
        "amount": Money(int(event.payload.get("amount", 0)), info.currency).format(),
        "paid": info.payment_method != "cod",
        "url": outgoing.order_url(info.order_id),
        "rider_name": "",
        "product": str(event.payload.get("product_name", "")),
        "substitute": str(event.payload.get("substitute_name", "")),
    }
    rider_id = event.payload.get("rider_id")
    if rider_id:
        rider = await users.find_user(session, str(rider_id))
        context["rider_name"] = rider.name if rider else ""
    return context


async def queue_channel_messages(session: AsyncSession, event: Event) -> None:
    """Queue the event's message on each channel the customer allows; the sender sends them
    once this consumer's transaction commits (``dispatch``). Writes rows only."""
    if not outgoing.enabled_channels():
        return
    order_id = str(event.payload["order_id"])
    info = await orders.order_brief(session, order_id)
    if info is None:
        return
    customer = await users.find_user(session, info.customer_id)
    if customer is None or not customer.is_active:
        return
    context = await _context(session, event, info, customer.name)
    await outgoing.queue_for_user(
        session,
        event_id=event.id,
        to=outgoing.Recipient(customer.id, customer.phone, customer.email),
        kind=CHANNEL_TEMPLATES[event.type],
        context=context,
        data={"order_id": order_id, "number": info.number, "url": context["url"]},
    )


for _event_type in CHANNEL_TEMPLATES:
    subscribe(_event_type, consumer="notifications.channels")(queue_channel_messages)
