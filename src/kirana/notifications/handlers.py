"""Order and payment events, written to the customer's inbox and queued on the channels.

Both consumers take their share of a relay batch in one call (``subscribe_batch``): the orders,
accounts and preferences the share's events name are read in one query each, and the inbox
rows and channel deliveries written in one statement each, whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import money
from kirana.kit.money import Money
from kirana.kit.outbox import Event, subscribe_batch
from kirana.notifications import outgoing, service
from kirana.notifications.outgoing import Prefs
from kirana.notifications.templates import render
from kirana.orders import service as orders
from kirana.orders.schemas import OrderBrief
from kirana.users import service as users
from kirana.users.models import User

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

# event type -> template (templates.KINDS) of the other channels: email, SMS, Web Push.
CHANNEL_TEMPLATES: dict[str, str] = {
    "order.confirmed": "order_confirmed",
    "order.out_for_delivery": "out_for_delivery",
    "order.delivered": "delivered",
    "order.cancelled": "cancelled",
    "payment.refunded": "refunded",
    "order.substitution_proposed": "substitution_proposed",
}


@dataclass(frozen=True, slots=True)
class _Share:
    """What a share of events needs to know, read in one query per table."""

    orders: dict[str, OrderBrief]
    people: dict[str, User]  # the orders' customers and the events' riders
    prefs: dict[str, Prefs]  # the customers'

    def customer(self, event: Event) -> tuple[OrderBrief, User] | None:
        info = self.orders.get(str(event.payload["order_id"]))
        person = self.people.get(info.customer_id) if info else None
        return (info, person) if info and person else None


async def _share(session: AsyncSession, events: list[Event], *, prefs: bool) -> _Share:
    briefs = await orders.order_briefs(session, [str(e.payload["order_id"]) for e in events])
    customers = {b.customer_id for b in briefs.values()}
    riders = {str(e.payload["rider_id"]) for e in events if e.payload.get("rider_id")}
    people = await users.find_users(session, sorted(customers | riders))
    found = sorted(customers & people.keys())
    return _Share(briefs, people, await outgoing.preferences_of(session, found) if prefs else {})


def _context(share: _Share, event: Event, info: OrderBrief, name: str) -> dict[str, Any]:
    """What the templates of an order's event may say."""
    rider = share.people.get(str(event.payload.get("rider_id") or ""))
    return {
        "name": name,
        "number": info.number,
        "total": Money(info.total, info.currency).format(),
        "amount": Money(int(event.payload.get("amount", 0)), info.currency).format(),
        "paid": info.payment_method != "cod",
        "url": outgoing.order_url(info.order_id),
        "rider_name": rider.name if rider else "",
        "product": str(event.payload.get("product_name", "")),
        "substitute": str(event.payload.get("substitute_name", "")),
    }


async def write_notifications(session: AsyncSession, events: list[Event]) -> None:
    """The inbox entries: each event's template in the customer's language where it has one
    (its push title and text), the English line of ``MESSAGES`` otherwise."""
    share = await _share(session, events, prefs=True)
    rows = []
    for event in events:
        found = share.customer(event)
        info = share.orders.get(str(event.payload["order_id"]))
        if info is None:
            continue
        title, body = MESSAGES[event.type]
        body = body.format(
            number=info.number, amount=money.in_words(int(event.payload.get("amount", 0)))
        )
        kind = CHANNEL_TEMPLATES.get(event.type)
        if kind and found is not None:
            language = share.prefs[found[1].id].language
            message = render(kind, language, _context(share, event, info, found[1].name))
            title, body = message.push_title, message.push_body
        rows.append(
            service.notification_row(
                user_id=info.customer_id,
                event_id=event.id,
                kind=event.type,
                title=title[:120],
                body=body[:500],
                data={"order_id": info.order_id, "number": info.number, "status": info.status},
            )
        )
    await service.notify_many(session, rows)


for _event_type in MESSAGES:
    subscribe_batch(_event_type, consumer="notifications.inbox")(write_notifications)


async def queue_channel_messages(session: AsyncSession, events: list[Event]) -> None:
    """Queue each event's message on each channel its customer allows; the sender sends them
    once this consumer's transaction commits (``dispatch``). Writes rows only."""
    if not outgoing.enabled_channels():
        return
    share = await _share(session, events, prefs=False)
    messages = []
    for event in events:
        found = share.customer(event)
        if found is None or not found[1].is_active:
            continue
        info, customer = found
        context = _context(share, event, info, customer.name)
        messages.append(
            outgoing.Outgoing(
                event_id=event.id,
                to=outgoing.Recipient(customer.id, customer.phone, customer.email),
                kind=CHANNEL_TEMPLATES[event.type],
                context=context,
                data={"order_id": info.order_id, "number": info.number, "url": context["url"]},
            )
        )
    await outgoing.queue_messages(session, messages)


for _event_type in CHANNEL_TEMPLATES:
    subscribe_batch(_event_type, consumer="notifications.channels")(queue_channel_messages)
