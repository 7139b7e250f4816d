"""Which channel hears what, fed by the outbox after the change that caused it committed.

The ``live.fanout`` consumer turns order and delivery events into channel messages. The
message id is the event's id, so an event relayed twice (the relay is at least once) is one
message to a client that keeps the ids it saw, and the broker's history keeps it once.

| channel | who may listen | hears |
|---|---|---|
| ``order:<id>`` | the order's customer, admins | ``order.status``, ``order.substitution``, ``delivery.*``, ``rider.position`` |
| ``store:<id>`` | the store's staff, admins | ``order.status``, ``order.substitution`` of its orders |
| ``city`` | admins | every ``order.status``, ``delivery.*`` and ``rider.position`` |
| ``rider:<user id>`` | the rider | ``delivery.assigned``, ``delivery.cancelled``, ... |
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe
from kirana.live import broker as brokers
from kirana.live.broker import Message

log = logging.getLogger("kirana.live")

CITY = "city"
CONSUMER = "live.fanout"
ORDER_EVENTS = (
    "order.placed",
    "order.confirmed",
    "order.picking",
    "order.packed",
    "order.out_for_delivery",
    "order.delivered",
    "order.cancelled",
)
# A line the store could not fill, a substitute proposed, answered or lapsed: one message type,
# ``order.substitution``, with the event's name; the screens read the order again.
SUBSTITUTION_EVENTS = (
    "order.line_unavailable",
    "order.substitution_proposed",
    "order.substitution_approved",
    "order.substitution_declined",
    "order.substitution_lapsed",
)
DELIVERY_EVENTS = (
    "delivery.assigned",
    "delivery.picked_up",
    "delivery.completed",
    "delivery.cancelled",
    "delivery.unassigned",  # back in the pool: the trip was planned again
)


def order_channel(order_id: str) -> str:
    return f"order:{order_id}"


def store_channel(store_id: str) -> str:
    return f"store:{store_id}"


def rider_channel(user_id: str) -> str:
    return f"rider:{user_id}"


def messages_for(event: Event) -> list[tuple[str, Message]]:
    """The (channel, message) pairs an event makes; the message's id is the event's."""
    p = event.payload
    order_id = str(p.get("order_id", ""))
    store_id = str(p.get("store_id", ""))
    if event.type in ORDER_EVENTS:
        status = event.type.removeprefix("order.")
        if status == "placed":
            status = "confirmed" if p.get("payment_method") == "cod" else "pending_payment"
        data: dict[str, Any] = {
            "order_id": order_id,
            "number": p.get("number"),
            "status": status,
            "store_id": store_id,
            "event": event.type,
        }
        message = Message.make("order.status", data, id=event.id)
        return [
            (order_channel(order_id), message),
            (store_channel(store_id), message),
            (CITY, message),
        ]
    if event.type in SUBSTITUTION_EVENTS:
        data = {
            "order_id": order_id,
            "number": p.get("number"),
            "store_id": store_id,
            "event": event.type,
            "substitution_id": p.get("substitution_id"),
            "line_id": p.get("line_id"),
            "total": p.get("total"),
            "refund_amount": p.get("refund_amount"),
            "expires_at": p.get("expires_at"),
        }
        message = Message.make("order.substitution", data, id=event.id)
        return [(order_channel(order_id), message), (store_channel(store_id), message)]
    if event.type in DELIVERY_EVENTS:
        data = {
            "delivery_id": p.get("delivery_id"),
            "order_id": order_id,
            "rider_id": p.get("rider_id"),
            "store_id": store_id,
        }
        message = Message.make(event.type, data, id=event.id)
        out = [(order_channel(order_id), message), (CITY, message)]
        if p.get("rider_user_id"):
            out.append((rider_channel(str(p["rider_user_id"])), message))
        return out
    return []


async def fan_out(session: AsyncSession, event: Event) -> None:
    """Publish the event's messages, kept in their channels' histories. Raising (Redis down)
    fails the event, and the relay tries it again after its backoff: nothing is lost."""
    broker = brokers.current()
    if broker is None:
        return  # no live channels in this process (a CLI command relaying by itself)
    for channel, message in messages_for(event):
        await broker.publish(channel, message, keep=True)


for _event_type in (*ORDER_EVENTS, *SUBSTITUTION_EVENTS, *DELIVERY_EVENTS):
    subscribe(_event_type, consumer=CONSUMER)(fan_out)
