"""A declined payment is not the end: the customer pays again for the same order (another card,
UPI, or cash) while its payment window lasts, or gets the cart back as it was."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.orders import service
from kirana.orders.jobs import expire_unpaid_orders
from kirana.users.schemas import Principal
from tests.orders.shop import (
    Shop,
    fill_cart,
    make_admin,
    make_shop,
    new_key,
    place,
    settle,
    snapshot,
    stock_of,
)

DECLINED = {"card_number": "4000000000000002"}
GOOD_CARD = {"card_number": "4242424242424242"}


async def _declined_order(
    db: Database, client: httpx.AsyncClient, settings: Settings, shop: Shop
) -> dict[str, Any]:
    """A card order of 3 + 1 whose card was declined, with every event relayed."""
    await fill_cart(client, shop, lines={shop.products[0]: 3, shop.products[1]: 1})
    order: dict[str, Any] = (await place(client, shop, "card")).json()
    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm", json=DECLINED, headers=shop.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "failed", r.text
    await settle(db, settings, client)
    return order


async def _pay_again(
    client: httpx.AsyncClient, shop: Shop, order: dict[str, Any], method: str, **headers: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/orders/{order['id']}/payments",
        json={"payment_method": method},
        headers={**shop.headers, **(headers or new_key())},
    )


async def _audit_ok(db: Database) -> None:
    async with db.transaction(write=False) as session:
        report = await service.audit(session)
    assert report.ok, report.breaches


async def test_declined_card_then_another_card(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    order = await _declined_order(db, client, settings, shop)
    body = (await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)).json()
    assert body["status"] == "pending_payment" and body["payment"]["status"] == "failed"
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 3)  # still held
    # The order says until when it takes another payment: 15 minutes from placing it.
    placed_at = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["pay_by"]) - placed_at == timedelta(minutes=15)

    key = new_key()
    r = await _pay_again(client, shop, order, "card", **key)
    assert r.status_code == 201, r.text
    again = r.json()
    assert again["id"] == order["id"] and again["status"] == "pending_payment"
    assert again["payment"]["id"] != order["payment"]["id"]
    assert again["payment"]["status"] == "pending"
    replay = await _pay_again(client, shop, order, "card", **key)
    assert replay.status_code == 201 and replay.json() == again
    r = await client.post(
        f"/api/v1/payments/{again['payment']['id']}/confirm", json=GOOD_CARD, headers=shop.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    await settle(db, settings, client)
    body = (await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)).json()
    assert body["status"] == "confirmed" and body["payment"]["id"] == again["payment"]["id"]
    assert body["pay_by"] is None  # paid: no window any more
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 3)
    assert (await client.get("/api/v1/cart", headers=shop.headers)).json()["items"] == []
    r = await _pay_again(client, shop, order, "upi")
    assert r.status_code == 409 and r.json()["code"] == "order_not_awaiting_payment"
    await _audit_ok(db)


async def test_declined_card_then_cash_on_delivery(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    order = await _declined_order(db, client, settings, shop)
    r = await _pay_again(client, shop, order, "cod")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "confirmed" and body["payment_method"] == "cod"
    assert body["payment"]["provider"] == "cod" and body["total"] == order["total"]
    await settle(db, settings, client)
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 3)
    await _audit_ok(db)


async def test_declined_and_window_closes_gives_the_cart_back(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    r = await client.post(
        "/api/v1/admin/coupons",
        json={"code": "TENOFF", "kind": "percent", "percent_off": 10},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    await fill_cart(client, shop, lines={shop.products[0]: 3, shop.products[1]: 1})
    r = await client.post("/api/v1/cart/coupon", json={"code": "TENOFF"}, headers=shop.headers)
    assert r.status_code == 200, r.text
    cart_before = r.json()
    order = (await place(client, shop, "card")).json()
    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm", json=DECLINED, headers=shop.headers
    )
    assert r.json()["status"] == "failed"
    await settle(db, settings, client)
    assert (await client.get("/api/v1/cart", headers=shop.headers)).json()["items"] == []

    clock.advance(timedelta(minutes=14))
    assert await expire_unpaid_orders(db, settings) == 0
    clock.advance(timedelta(minutes=2))
    assert await expire_unpaid_orders(db, settings) == 1
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 0)
    assert await stock_of(db, shop.store_id, shop.products[1]) == (20, 0)
    # Read through the service: a token issued on the moved clock is refused (iat ahead).
    owner = Principal(shop.customer["id"], "customer", None)
    async with db.transaction(write=False) as session:
        gone = await service.get_order(session, owner, order["id"])
        cart = await service.get_cart(session, settings, owner.id)
    assert gone.status == "cancelled" and gone.cancel_reason == "payment_timeout"
    assert gone.pay_by is None
    assert [(i.product_id, i.quantity) for i in cart.items] == [
        (i["product_id"], i["quantity"]) for i in cart_before["items"]
    ]
    assert cart.coupon_code == "TENOFF" and cart.discount == cart_before["discount"]
    assert cart.subtotal == cart_before["subtotal"]
    await _audit_ok(db)


async def test_giving_up_gives_the_cart_back(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    order = await _declined_order(db, client, settings, shop)
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", json={}, headers=shop.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    cart = (await client.get("/api/v1/cart", headers=shop.headers)).json()
    assert {i["product_id"]: i["quantity"] for i in cart["items"]} == {
        shop.products[0]: 3,
        shop.products[1]: 1,
    }
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 0)
    r = await _pay_again(client, shop, order, "card")
    assert r.status_code == 409 and r.json()["code"] == "order_not_awaiting_payment"
    await _audit_ok(db)


@pytest.mark.parametrize("method", ["card", "cod"])
async def test_paying_again_refuses_bad_input_and_writes_nothing(
    db: Database, client: httpx.AsyncClient, settings: Settings, method: str
) -> None:
    shop = await make_shop(db, client)
    other = await make_shop(db, client)
    order = await _declined_order(db, client, settings, shop)
    url = f"/api/v1/orders/{order['id']}/payments"
    key = new_key()
    first = await _pay_again(client, shop, order, method, **key)
    assert first.status_code == 201
    before = await snapshot(db)
    cases = [
        (url, {"payment_method": "cheque"}, shop.headers | new_key(), 422, None),
        (url, {}, shop.headers | new_key(), 422, None),
        (url, {"payment_method": "upi", "x": 1}, shop.headers | new_key(), 422, None),
        (url, {"payment_method": "upi"}, shop.headers, 400, "idempotency_key_missing"),
        (url, {"payment_method": "upi"}, shop.headers | key, 422, "idempotency_key_reused"),
        (url, {"payment_method": "upi"}, other.headers | new_key(), 404, "order_not_found"),
        (url, {"payment_method": "upi"}, new_key(), 401, None),
        (
            "/api/v1/orders/nope/payments",
            {"payment_method": "upi"},
            shop.headers | new_key(),
            404,
            "order_not_found",
        ),
    ]
    for path, body, headers, status, code in cases:
        r = await client.post(path, json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        if code:
            assert r.json()["code"] == code, r.text
    assert await snapshot(db) == before


async def test_no_payment_after_the_window(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    order = await _declined_order(db, client, settings, shop)
    before = await snapshot(db)
    clock.advance(timedelta(minutes=15))
    owner = Principal(shop.customer["id"], "customer", None)
    from kirana.kit.errors import Conflict
    from kirana.orders.schemas import PaymentCreate

    with pytest.raises(Conflict) as refused:
        async with db.transaction() as session:
            await service.pay_again(
                session, owner, order["id"], "late-key", PaymentCreate(payment_method="cod")
            )
    assert refused.value.code == "payment_window_closed"
    assert await snapshot(db) == before
