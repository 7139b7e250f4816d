"""Checkout over HTTP: the answer, idempotency, refusals that change nothing, coupons."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.orders import repository as repo
from tests import factories
from tests.conftest import QueryCounter
from tests.orders.shop import (
    add_customer,
    fill_cart,
    make_admin,
    make_shop,
    new_key,
    place,
    snapshot,
    stock_of,
)


async def test_card_order_waits_for_payment(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    cart = await fill_cart(client, shop, lines={shop.products[0]: 2, shop.products[1]: 1})
    r = await place(client, shop, "card", tip=2_000, delivery_instructions="Ring twice")
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "pending_payment"
    assert order["number"].startswith("KR-") and len(order["number"]) == 11
    assert len(order["delivery_otp"]) == 4 and order["delivery_otp"].isdigit()
    assert order["payment"]["status"] == "pending" and order["payment"]["id"]
    assert order["subtotal"] == cart["subtotal"] and order["tip"] == 2_000
    assert order["total"] == order["subtotal"] + order["fees_total"] - order["discount"] + 2_000
    assert order["eta_minutes"] > 0 and order["currency"] == "EUR"
    assert order["address"]["line1"] == "Mannerheimintie 1"
    assert order["delivery_instructions"] == "Ring twice"
    items = {i["product_id"]: i for i in order["items"]}
    assert items[shop.products[0]]["quantity"] == 2 and items[shop.products[0]]["aisle"] == "B0"
    assert [t["status"] for t in order["timeline"]] == ["pending_payment"]
    # stock held, cart emptied
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 2)
    assert (await client.get("/api/v1/cart", headers=shop.headers)).json()["items"] == []
    # the customer sees it
    r = await client.get("/api/v1/orders", headers=shop.headers)
    assert [o["id"] for o in r.json()["items"]] == [order["id"]]
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert r.json()["delivery_otp"] == order["delivery_otp"]

    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm",
        json={"card_number": "4242424242424242"},
        headers=shop.headers,
    )
    assert r.status_code == 200, r.text
    await drain(db)
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert r.json()["status"] == "confirmed"
    assert [t["status"] for t in r.json()["timeline"]] == ["pending_payment", "confirmed"]
    assert r.json()["timeline"][1]["actor"] == "system"


async def test_idempotent_replay_and_reused_key(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    key = new_key()
    body = {"address_id": shop.address_id, "payment_method": "card"}
    first = await client.post("/api/v1/orders", json=body, headers={**shop.headers, **key})
    assert first.status_code == 201
    again = await client.post("/api/v1/orders", json=body, headers={**shop.headers, **key})
    assert again.status_code == 201 and again.json() == first.json()
    before = await snapshot(db)
    other = await client.post(
        "/api/v1/orders", json={**body, "tip": 100}, headers={**shop.headers, **key}
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert await snapshot(db) == before
    # the same key from another customer is that customer's own key
    _, headers2, address2 = await add_customer(db, client)
    r = await client.post(
        "/api/v1/orders", json={**body, "address_id": address2}, headers={**headers2, **key}
    )
    assert r.status_code == 422 and r.json()["code"] == "cart_empty"


async def test_concurrent_requests_with_one_key_make_one_order(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    key = new_key()
    body = {"address_id": shop.address_id, "payment_method": "cod"}
    answers = await asyncio.gather(
        *[
            client.post("/api/v1/orders", json=body, headers={**shop.headers, **key})
            for _ in range(6)
        ]
    )
    assert {r.status_code for r in answers} <= {201, 409}
    created = [r.json() for r in answers if r.status_code == 201]
    assert created and all(c == created[0] for c in created)
    snap = await snapshot(db)
    assert snap["orders"] == 1 and snap["idempotency_keys"] == 1
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 2)


async def test_refusals_change_nothing(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client, on_hand=3)
    body = {"address_id": shop.address_id, "payment_method": "cod"}
    before = await snapshot(db)
    r = await client.post("/api/v1/orders", json=body, headers={**shop.headers, **new_key()})
    assert r.status_code == 422 and r.json()["code"] == "cart_empty"
    assert await snapshot(db) == before

    await fill_cart(client, shop, lines={shop.products[0]: 3, shop.products[1]: 2})
    before = await snapshot(db)
    r = await client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    r = await client.post(
        "/api/v1/orders", json=body, headers={**shop.headers, "Idempotency-Key": "k" * 101}
    )
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_invalid"

    # another customer's address: not found
    _, _, foreign_address = await add_customer(db, client)
    before = await snapshot(db)
    r = await place(client, shop, address_id=foreign_address)
    assert r.status_code == 404 and r.json()["code"] == "address_not_found"
    # an address outside the store's area
    far = await client.post(
        "/api/v1/me/addresses",
        json={
            "label": "far",
            "line1": "x",
            "city": "Tampere",
            "pincode": "33100",
            "lat": 61.5,
            "lng": 23.76,
        },
        headers=shop.headers,
    )
    before = await snapshot(db)
    r = await place(client, shop, address_id=far.json()["id"])
    assert r.status_code == 422 and r.json()["code"] == "address_not_serviceable"
    assert await snapshot(db) == before

    # stock ran out for both lines after they were put in the cart: one 409 naming each
    async with db.transaction() as session:
        from sqlalchemy import text

        await session.execute(
            text("UPDATE stock SET on_hand = 1 WHERE store_id = :s"), {"s": shop.store_id}
        )
    before = await snapshot(db)
    r = await place(client, shop)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    assert sorted(
        (ln["product_id"], ln["requested"], ln["available"]) for ln in r.json()["lines"]
    ) == sorted([(shop.products[0], 3, 1), (shop.products[1], 2, 1)])
    assert await snapshot(db) == before


async def test_checkout_bad_input(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    before = await snapshot(db)
    ok = {"address_id": shop.address_id, "payment_method": "cod"}
    cases = [
        ({**ok, "payment_method": "bitcoin"}, shop.headers, 422),
        ({**ok, "tip": -1}, shop.headers, 422),
        ({**ok, "tip": 10**9}, shop.headers, 422),
        ({**ok, "tip": "lots"}, shop.headers, 422),
        ({"payment_method": "cod"}, shop.headers, 422),
        ({**ok, "extra": True}, shop.headers, 422),
        ({**ok, "address_id": "nope"}, shop.headers, 404),
        ({**ok, "delivery_instructions": "x" * 501}, shop.headers, 422),
        (ok, {}, 401),
        (ok, {"Authorization": "Bearer abc.def.ghi"}, 401),
        (ok, staff, 403),
    ]
    for body, headers, status in cases:
        r = await client.post("/api/v1/orders", json=body, headers={**headers, **new_key()})
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post(
        "/api/v1/orders",
        content=b"[",
        headers={**shop.headers, **new_key(), "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert await snapshot(db) == before


async def test_coupon_is_redeemed_once_per_user(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    r = await client.post(
        "/api/v1/admin/coupons",
        json={
            "code": "FLAT50",
            "kind": "flat",
            "amount_off": 5_000,
            "per_user_limit": 1,
            "global_limit": 10,
        },
        headers=admin,
    )
    coupon = r.json()
    await fill_cart(client, shop, lines={shop.products[0]: 3})
    r = await client.post("/api/v1/cart/coupon", json={"code": "FLAT50"}, headers=shop.headers)
    assert r.json()["discount"] == 5_000
    order = (await place(client, shop)).json()
    assert order["discount"] == 5_000 and order["coupon_code"] == "FLAT50"
    assert order["total"] == order["subtotal"] + order["fees_total"] - 5_000
    r = await client.get(f"/api/v1/admin/coupons/{coupon['id']}", headers=admin)
    assert r.json()["redeemed_count"] == 1
    await fill_cart(client, shop, lines={shop.products[0]: 3})
    r = await client.post("/api/v1/cart/coupon", json={"code": "FLAT50"}, headers=shop.headers)
    assert r.status_code == 422 and r.json()["code"] == "coupon_user_limit"
    # cancelling gives the use back
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", json={}, headers=shop.headers)
    assert r.status_code == 200
    r = await client.post("/api/v1/cart/coupon", json={"code": "FLAT50"}, headers=shop.headers)
    assert r.status_code == 200 and r.json()["discount"] == 5_000
    assert (await client.get(f"/api/v1/admin/coupons/{coupon['id']}", headers=admin)).json()[
        "redeemed_count"
    ] == 0


# A card checkout of two lines, statement by statement (BEGIN and COMMIT not counted, nor the
# caller's account that every signed-in request reads): the reads (the cart with the key's first
# use, the address, the customer's and the address's unpaid orders (one statement), the sale
# lines; then the
# store list, the fee rules and the store's load, which later checkouts take from the caches),
# the key, the cart, the payment, the order's three tables, its event, the stock hold and its
# reservation rows.
CARD_CHECKOUT_READS = 4
CARD_CHECKOUT_WRITES = 10
# The store list, the fee rules and the store's load (for the surge fee and the delivery
# promise: orders in progress and being picked, riders, deliveries waiting for one), which
# production reuses for a second and the tests read every time.
CACHED_READS = (
    "FROM stores",
    "FROM fee_rules",
    "orders.store_id =",
    "FROM riders",
    "FROM deliveries",
)


async def test_checkout_is_a_few_statements_reads_first(
    db: Database, client: httpx.AsyncClient, count_queries: QueryCounter
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop, lines={shop.products[0]: 2, shop.products[1]: 1})
    count_queries.statements.clear()
    r = await place(client, shop, "card")
    assert r.status_code == 201, r.text
    statements = [s for s in count_queries.statements if not s.lstrip().startswith("PRAGMA")]
    # PostgreSQL: one NOTIFY for the transaction's events (it wakes the relays at commit).
    notify = [s for s in statements if s.startswith("NOTIFY")]
    assert len(notify) == (0 if db.is_sqlite else 1), notify
    statements = [s for s in statements if s not in notify]
    caller = [s for s in statements if s.startswith("SELECT") and "FROM users" in s]
    # None: the caller's account was read by the cart's requests, and its standing is kept
    # until a write to it commits (users.authenticate).
    assert caller == []
    statements = [s for s in statements if s not in caller]
    cached = [s for s in statements if any(t in s for t in CACHED_READS) and s.startswith("SELECT")]
    ordinary = [s for s in statements if s not in cached]
    reads = [s for s in ordinary if s.lstrip().startswith("SELECT")]
    writes = [s for s in ordinary if s not in reads]
    assert len(reads) == CARD_CHECKOUT_READS, reads
    assert len(writes) == CARD_CHECKOUT_WRITES, writes
    assert ordinary[: len(reads)] == reads  # every read before the first write
    assert writes[-2].lstrip().startswith(("WITH", "UPDATE")) and "stock" in writes[-2]
    assert writes[-1].startswith("INSERT INTO stock_reservations")  # the stock last
    snap = await snapshot(db)
    assert snap["orders"] == 1 and snap["idempotency_keys"] == 1
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 2)


@pytest.mark.parametrize("payment", ["card", "cod"])
async def test_checkout_is_one_transaction(
    app: FastAPI,
    db: Database,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    payment: str,
) -> None:
    """A failure after the order's rows are written (its event, here) leaves nothing of the
    checkout behind: no key, no payment, no order, the cart and the stock as they were."""
    shop = await make_shop(db, client)
    await fill_cart(client, shop, lines={shop.products[0]: 2, shop.products[1]: 1})
    before = await snapshot(db)
    written: list[str] = []
    insert_order_rows = repo.insert_order_rows

    async def then_fail(session: Any, *args: Any, **kwargs: Any) -> None:
        await insert_order_rows(session, *args, **kwargs)
        written.append("order")
        raise RuntimeError("the database went away after the order was written")

    monkeypatch.setattr(repo, "insert_order_rows", then_fail)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as failing:
        r = await place(failing, shop, payment)
    assert written == ["order"]
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await snapshot(db) == before
    monkeypatch.setattr(repo, "insert_order_rows", insert_order_rows)
    r = await place(client, shop, payment)  # the same cart, evaluated afresh
    assert r.status_code == 201, r.text


async def _cart_as_checkout_reads_it(db: Database, user_id: str) -> repo.CartToCheckOut | None:
    async with db.transaction() as session:
        return await repo.cart_to_check_out(session, user_id, "k")


async def _checked_out_is_refused(db: Database, seen: repo.CartToCheckOut | None) -> None:
    """Emptying the cart as ``seen`` is refused: it changed since."""
    assert seen is not None
    async with db.transaction() as session:
        assert not await repo.check_out(session, seen)


async def test_a_cart_changed_in_the_same_instant_is_still_seen_as_changed(
    db: Database, client: httpx.AsyncClient
) -> None:
    """The cart's version, not its timestamp, says it changed: with the clock held still (as
    the simulator and tests can), a change between checkout's read and write is still seen."""
    shop = await make_shop(db, client)
    still = datetime.now(UTC)
    clock.set_source(lambda: still)
    try:
        await fill_cart(client, shop, lines={shop.products[0]: 2})
        seen = await _cart_as_checkout_reads_it(db, shop.customer["id"])
        await fill_cart(client, shop, lines={shop.products[0]: 3})
        await _checked_out_is_refused(db, seen)
    finally:
        clock.set_source(lambda: datetime.now(UTC))
    cart = (await client.get("/api/v1/cart", headers=shop.headers)).json()
    assert [i["quantity"] for i in cart["items"]] == [3]


async def test_a_cart_changed_after_it_was_read_is_not_checked_out(
    db: Database, client: httpx.AsyncClient
) -> None:
    """Checkout reads the cart without locking it; its writes go only if the cart is still as
    read. A line changed in between (another tab) refuses them all."""
    shop = await make_shop(db, client)
    await fill_cart(client, shop, lines={shop.products[0]: 2})
    user_id = shop.customer["id"]
    seen = await _cart_as_checkout_reads_it(db, user_id)
    assert seen is not None and [i.quantity for i in seen.items] == [2]
    await fill_cart(client, shop, lines={shop.products[0]: 1})  # changed in another request
    await _checked_out_is_refused(db, seen)
    cart = (await client.get("/api/v1/cart", headers=shop.headers)).json()
    assert [i["quantity"] for i in cart["items"]] == [1]  # nothing was emptied
    # removing a line moves the cart on too
    seen = await _cart_as_checkout_reads_it(db, user_id)
    await fill_cart(client, shop, lines={shop.products[0]: 0})
    await _checked_out_is_refused(db, seen)
