"""The demo customers' past orders, so the recommendation rails show something on first start.

Each demo customer has a few staples they buy most weeks and a few products now and then, at
the store that serves their address: delivered cash orders over the last ten weeks, each with
its captured payment and the cash its rider collected and handed in (the auditor checks every
order's money), written as rows like the rest of the demo city."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import geo
from kirana.kit.ids import new_id
from kirana.logistics.models import RiderCashEntry
from kirana.orders.models import Order, OrderItem
from kirana.payments.models import PaymentIntent

ORDERS_PER_CUSTOMER = 12
STAPLES = 10


def _number(rng: random.Random) -> str:
    return "KR-" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))


def order_history(
    rng: random.Random,
    customers: Sequence[dict[str, Any]],
    stores: Sequence[dict[str, Any]],
    products: dict[str, dict[str, Any]],
    stock: Sequence[dict[str, Any]],
    now: datetime,
    currency: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(order rows, order item rows, payment rows) for ``customers`` ({id, lat, lng, address})."""
    on_shelf: dict[str, list[dict[str, Any]]] = {}
    for row in stock:
        if row["on_hand"] > 0:
            on_shelf.setdefault(row["store_id"], []).append(row)
    orders: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    for customer in customers:
        store = min(
            stores,
            key=lambda s: geo.haversine_m(customer["lat"], customer["lng"], s["lat"], s["lng"]),
        )
        shelf = on_shelf.get(store["id"], [])
        if len(shelf) < STAPLES * 2:
            continue
        staples = rng.sample(shelf, STAPLES)
        for n in range(ORDERS_PER_CUSTOMER):
            placed = now - timedelta(days=70 - n * 6, hours=rng.randint(0, 10))
            basket = [s for i, s in enumerate(staples) if rng.random() < 0.85 - i * 0.05]
            basket += rng.sample(shelf, rng.randint(1, 3))
            lines = {row["product_id"]: row for row in basket}
            order_id = new_id()
            subtotal = 0
            for product_id, row in sorted(lines.items()):
                product = products[product_id]
                price = row["price"] or product["price"]
                quantity = rng.randint(1, 2)
                subtotal += price * quantity
                items.append(
                    {
                        "id": new_id(),
                        "order_id": order_id,
                        "product_id": product_id,
                        "name": product["name"],
                        "unit": product["unit"],
                        "unit_price": price,
                        "mrp": product["mrp"],
                        "quantity": quantity,
                        "line_total": price * quantity,
                        "aisle": row["aisle"],
                    }
                )
            orders.append(
                {
                    "id": order_id,
                    "number": _number(rng),
                    "customer_id": customer["id"],
                    "store_id": store["id"],
                    "status": "delivered",
                    "payment_method": "cod",
                    "currency": currency,
                    "subtotal": subtotal,
                    "fees_total": 0,
                    "discount": 0,
                    "tip": 0,
                    "total": subtotal,
                    "fees": [],
                    "address": customer["address"],
                    "drop_lat": customer["lat"],
                    "drop_lng": customer["lng"],
                    "delivery_otp": "0000",
                    "eta_minutes": 12,
                    "item_count": len(lines),
                    "confirmed_at": placed,
                    "created_at": placed,
                    "updated_at": placed + timedelta(minutes=25),
                }
            )
            payments.append(
                {
                    "id": new_id(),
                    "order_id": order_id,
                    "customer_id": customer["id"],
                    "amount": subtotal,
                    "currency": currency,
                    "method": "cod",
                    "provider": "cod",
                    "status": "succeeded",
                    "captured_amount": subtotal,
                    "refunded_amount": 0,
                    "settled_at": placed + timedelta(minutes=25),
                    "created_at": placed,
                    "updated_at": placed + timedelta(minutes=25),
                }
            )
    return orders, items, payments


def cash_ledger(
    orders: Sequence[dict[str, Any]], riders: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The riders' ledger rows for past cash orders ({id, user_id, name, store_id} riders): each
    order's cash collected by a rider of its store, and handed in that evening, so every rider
    starts holding nothing."""
    by_store: dict[str, list[dict[str, Any]]] = {}
    for rider in riders:
        by_store.setdefault(rider["store_id"], []).append(rider)
    entries: list[dict[str, Any]] = []
    for n, order in enumerate(orders):
        crew = by_store.get(order["store_id"]) or list(riders)
        if not crew:
            break
        rider = crew[n % len(crew)]
        at = order["updated_at"]
        base = {"rider_id": rider["id"], "currency": order["currency"], "note": None}
        entries.append(
            base
            | {
                "id": new_id(),
                "kind": "collected",
                "amount": order["total"],
                "held_after": order["total"],
                "order_id": order["id"],
                "tendered": order["total"],
                "change_given": 0,
                "actor_id": rider["user_id"],
                "actor_name": rider["name"],
                "at": at,
            }
        )
        entries.append(
            base
            | {
                "id": new_id(),
                "kind": "settled",
                "amount": -order["total"],
                "held_after": 0,
                "order_id": None,
                "tendered": None,
                "change_given": None,
                "actor_id": rider["user_id"],
                "actor_name": rider["name"],
                "note": "handed in at the store",
                "at": at + timedelta(hours=6),
            }
        )
    return entries


async def insert_history(
    session: AsyncSession,
    orders: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
    payments: Sequence[dict[str, Any]],
    cash: Sequence[dict[str, Any]] = (),
) -> None:
    for model, rows in (
        (Order, orders),
        (OrderItem, items),
        (PaymentIntent, payments),
        (RiderCashEntry, cash),
    ):
        for start in range(0, len(rows), 1000):
            await session.execute(insert(model), list(rows[start : start + 1000]))
