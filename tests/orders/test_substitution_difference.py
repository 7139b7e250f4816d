"""A dearer substitute on an order paid by card or UPI: the customer who agrees to the store's
price pays the difference as a payment of its own, and the substitute is approved once it
succeeds; a difference paid too late, or left unpaid, is given back or voided. The auditor's
money invariant holds throughout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.orders.jobs import lapse_substitutions
from tests.orders.shop import make_admin
from tests.orders.test_substitutions import (
    CARD,
    Picking,
    _adds_up,
    _audit_ok,
    _order,
    _picking,
    _propose,
    _refunds,
    snapshot,
)

DECLINED = {"card_number": "4000000000000002"}


async def approve_dearer(
    client: httpx.AsyncClient, p: Picking, offer: dict[str, Any]
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        json={"pay_difference": True},
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def dearer_offer(db: Database, client: httpx.AsyncClient) -> tuple[Picking, dict[str, Any]]:
    """A card order being picked, and a substitute for its 2 x 4,500 line at 2 x 5,000."""
    p = await _picking(db, client)
    offer = await _propose(client, p, p.line(p.shop.products[0]), p.dearer, 2)
    assert offer["dearer"] is True
    return p, offer


async def intents_of(db: Database, order_id: str) -> list[tuple[str, str, int, int, int]]:
    """(kind, status, amount, captured, refunded) of each of the order's payments, oldest
    first."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text(
                "SELECT kind, status, amount, captured_amount, refunded_amount"
                " FROM payment_intents WHERE order_id = :o ORDER BY created_at, id"
            ),
            {"o": order_id},
        )
        return [(str(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def test_the_difference_is_a_payment_and_approves_the_substitute_when_paid(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    p, offer = await dearer_offer(db, client)
    total = p.order["total"]
    asked = await approve_dearer(client, p, offer)
    [sub] = asked["substitutions"]
    assert sub["status"] == "proposed"  # not yet: the difference is to be paid first
    difference = sub["difference_payment"]
    assert difference["status"] == "pending" and difference["amount"] == 1_000
    assert (difference["method"], difference["provider"]) == ("card", "sandbox")
    assert asked["total"] == total  # the bill moves only once it is paid
    await _audit_ok(db)
    # Asking again asks for the same payment.
    again = await approve_dearer(client, p, offer)
    assert again["substitutions"][0]["difference_payment"]["id"] == difference["id"]

    r = await client.post(
        f"/api/v1/payments/{difference['id']}/confirm", json=CARD, headers=p.shop.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    await drain(db)
    after = await _order(client, p.shop, p.order["id"])
    _adds_up(after)
    [sub] = after["substitutions"]
    assert sub["status"] == "approved" and sub["paid_difference"] is True
    assert after["subtotal"] == 10_000 + 12_000 and after["total"] == total + 1_000
    assert await intents_of(db, p.order["id"]) == [
        ("order", "succeeded", total, total, 0),
        ("difference", "succeeded", 1_000, 1_000, 0),
    ]
    assert await _refunds(db, p.order["id"]) == []
    await _audit_ok(db)
    # The event again (a redelivery) changes nothing.
    snap = await snapshot(db)
    await drain(db)
    assert await snapshot(db) == snap

    # A line the store cannot fill afterwards is refunded, the difference first.
    milk = p.line(p.shop.products[1])
    r = await client.post(f"{p.ops}/lines/{milk['id']}/unavailable", headers=p.staff)
    assert r.status_code == 200, r.text
    assert await intents_of(db, p.order["id"]) == [
        ("order", "succeeded", total, total, 11_000),
        ("difference", "refunded", 1_000, 1_000, 1_000),
    ]
    await _audit_ok(db)


async def test_a_declined_difference_approves_nothing_and_can_be_paid_again(
    db: Database, client: httpx.AsyncClient
) -> None:
    p, offer = await dearer_offer(db, client)
    first = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    r = await client.post(
        f"/api/v1/payments/{first['id']}/confirm", json=DECLINED, headers=p.shop.headers
    )
    assert r.json()["status"] == "failed"
    await drain(db)
    after = await _order(client, p.shop, p.order["id"])
    assert after["substitutions"][0]["status"] == "proposed"
    assert after["total"] == p.order["total"]
    second = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    assert second["id"] != first["id"] and second["status"] == "pending"
    await _audit_ok(db)


async def test_an_unpaid_difference_is_voided_when_the_offer_lapses_or_is_declined(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    p, offer = await dearer_offer(db, client)
    await approve_dearer(client, p, offer)
    clock.advance(timedelta(minutes=settings.substitution_minutes, seconds=1))
    assert await lapse_substitutions(db, settings) == 1
    kinds = await intents_of(db, p.order["id"])
    assert kinds[1][:2] == ("difference", "cancelled")
    after = await _order(client, p.shop, p.order["id"])
    assert after["substitutions"][0]["status"] == "lapsed"
    await _audit_ok(db)

    # Declined after asking to pay more: the same.
    other = await _propose(client, p, p.line(p.shop.products[1]), p.cheaper, 4)
    assert other["dearer"] is True  # 4 x 4,000 for a line of 12,000
    await approve_dearer(client, p, other)
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{other['id']}/decline",
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    assert [k[:2] for k in await intents_of(db, p.order["id"])][2] == ("difference", "cancelled")
    await _audit_ok(db)


async def test_approving_at_the_originals_price_voids_the_difference(
    db: Database, client: httpx.AsyncClient
) -> None:
    p, offer = await dearer_offer(db, client)
    await approve_dearer(client, p, offer)
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        json={"pay_difference": False},
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["substitutions"][0]["status"] == "approved"
    assert r.json()["total"] == p.order["total"]
    assert [k[:2] for k in await intents_of(db, p.order["id"])] == [
        ("order", "succeeded"),
        ("difference", "cancelled"),
    ]
    await _audit_ok(db)


async def test_a_cancelled_order_gives_back_its_difference_too(
    db: Database, client: httpx.AsyncClient
) -> None:
    p, offer = await dearer_offer(db, client)
    difference = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    r = await client.post(
        f"/api/v1/payments/{difference['id']}/confirm", json=CARD, headers=p.shop.headers
    )
    assert r.json()["status"] == "succeeded"
    await drain(db)
    r = await client.post(
        f"/api/v1/admin/orders/{p.order['id']}/cancel",
        json={"reason": "store closed"},
        headers=await make_admin(db, client),
    )
    assert r.status_code == 200, r.text
    await drain(db)
    total = p.order["total"] + 1_000
    assert sum(k[4] for k in await intents_of(db, p.order["id"])) == total
    assert [k[1] for k in await intents_of(db, p.order["id"])] == ["refunded", "refunded"]
    await _audit_ok(db)


async def test_approved_again_once_paid_before_the_event_keeps_the_money_whole(
    db: Database, client: httpx.AsyncClient
) -> None:
    """The difference is captured, and the customer approves again before its event is
    handled: the payment covers the store's price, so that approval stands, and the event
    then gives nothing back."""
    p, offer = await dearer_offer(db, client)
    difference = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    r = await client.post(
        f"/api/v1/payments/{difference['id']}/confirm", json=CARD, headers=p.shop.headers
    )
    assert r.json()["status"] == "succeeded"
    again = await approve_dearer(client, p, offer)  # before the relay ran
    assert again["substitutions"][0]["status"] == "approved"
    await drain(db)
    assert await _refunds(db, p.order["id"]) == []
    after = await _order(client, p.shop, p.order["id"])
    assert after["total"] == p.order["total"] + 1_000
    await _audit_ok(db)
