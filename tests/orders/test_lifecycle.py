"""After checkout: payment outcomes, expiry, cancellation, store operations, admin, privacy."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.errors import Conflict
from kirana.kit.outbox import drain
from kirana.orders import service, state
from kirana.orders.jobs import expire_unpaid_orders
from kirana.users.schemas import Principal
from tests import factories
from tests.orders.shop import (
    add_customer,
    fill_cart,
    make_admin,
    make_shop,
    place,
    settle,
    stock_of,
)


async def _pay(
    client: httpx.AsyncClient, order: dict, headers: dict[str, str], **instrument: str
) -> None:
    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm", json=instrument, headers=headers
    )
    assert r.status_code == 200, r.text


async def _status(client: httpx.AsyncClient, order: dict, headers: dict[str, str]) -> str:
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=headers)
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


@pytest.mark.parametrize(
    ("method", "instrument"),
    [("card", {"card_number": "4000000000000002"}), ("upi", {"upi_vpa": "failure@upi"})],
)
async def test_failed_payment_keeps_the_order_open_and_the_stock_held(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    method: str,
    instrument: dict[str, str],
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop, lines={shop.products[0]: 3})
    order = (await place(client, shop, method)).json()
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 3)
    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm", json=instrument, headers=shop.headers
    )
    assert r.status_code == 200, r.text
    await settle(db, settings, client)
    body = (await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)).json()
    assert body["status"] == "pending_payment" and body["payment"]["status"] == "failed"
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 3)  # until the window ends
    async with db.transaction(write=False) as session:
        assert (await service.audit(session)).ok


async def test_unpaid_orders_expire_after_15_minutes(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    order = (await place(client, shop, "card")).json()
    clock.advance(timedelta(minutes=14))
    assert await expire_unpaid_orders(db, settings) == 0
    assert await _status(client, order, shop.headers) == "pending_payment"
    clock.advance(timedelta(minutes=2))
    assert await expire_unpaid_orders(db, settings) == 1
    # Read through the service: a token issued on the moved clock is refused by PyJWT's
    # own "iat in the future" check (kit.security), so HTTP is not usable past this point.
    owner = Principal(shop.customer["id"], "customer", None)
    async with db.transaction(write=False) as session:
        body = (await service.get_order(session, owner, order["id"])).model_dump()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "payment_timeout"
    assert body["timeline"][-1]["actor"] == "system"
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 0)
    # a late success leaves it cancelled (payments refunds it)
    await drain(db)
    assert await expire_unpaid_orders(db, settings) == 0
    async with db.transaction() as session:
        from kirana.orders import lifecycle

        await lifecycle.on_payment_succeeded(session, order["id"])
    async with db.transaction(write=False) as session:
        assert (await service.get_order(session, owner, order["id"])).status == "cancelled"


async def test_store_ops_pick_pack_and_cancel_rules(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    other_store = await factories.make_store(db)
    stranger = await factories.login(
        client, await factories.make_user(db, "store_staff", other_store)
    )
    await fill_cart(client, shop, lines={shop.products[1]: 1, shop.products[0]: 2})
    order = (await place(client, shop)).json()
    assert order["status"] == "confirmed"

    r = await client.get(f"/api/v1/store-ops/{shop.store_id}/orders", headers=staff)
    assert r.status_code == 200
    (entry,) = r.json()["items"]
    assert entry["id"] == order["id"] and entry["item_count"] == 3
    assert entry["minutes_since_confirmed"] == 0
    r = await client.get(f"/api/v1/store-ops/{shop.store_id}/orders", headers=stranger)
    assert r.status_code == 404
    r = await client.get(f"/api/v1/store-ops/orders/{order['id']}", headers=stranger)
    assert r.status_code == 404
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/start-picking", headers=stranger)
    assert r.status_code == 404
    r = await client.post(
        f"/api/v1/store-ops/orders/{order['id']}/start-picking", headers=shop.headers
    )
    assert r.status_code == 403
    r = await client.get(f"/api/v1/store-ops/orders/{order['id']}", headers=staff)
    assert [ln["aisle"] for ln in r.json()["lines"]] == ["B0", "B1"]

    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/packed", headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/start-picking", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "picking"
    r = await client.get(f"/api/v1/store-ops/{shop.store_id}/orders?status=picking", headers=staff)
    assert [e["id"] for e in r.json()["items"]] == [order["id"]]
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/packed", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "packed"

    r = await client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        json={"reason": "changed my mind"},
        headers=shop.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert await _status(client, order, shop.headers) == "packed"
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 2)

    # logistics' calls
    async with db.transaction() as session:
        info = await service.delivery_info(session, order["id"])
        assert info.delivery_otp == order["delivery_otp"] and info.item_count == 3
        assert info.drop.line1 == "Mannerheimintie 1"
    async with db.transaction() as session:
        with pytest.raises(Conflict):
            await service.mark_delivered(session, order["id"], rider_user_id="r1")
    async with db.transaction() as session:
        await service.mark_out_for_delivery(session, order["id"], rider_user_id="r1")
    async with db.transaction() as session:
        with pytest.raises(Conflict):
            await service.mark_out_for_delivery(session, order["id"], rider_user_id="r1")
    async with db.transaction() as session:
        await service.mark_delivered(session, order["id"], rider_user_id="r1")
    assert await stock_of(db, shop.store_id, shop.products[0]) == (18, 0)
    body = (await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)).json()
    assert [t["status"] for t in body["timeline"]] == [
        "pending_payment",
        "confirmed",
        "picking",
        "packed",
        "out_for_delivery",
        "delivered",
    ]
    assert body["timeline"][2]["actor_role"] == "store_staff"
    assert body["timeline"][4]["actor"] == "r1"
    await drain(db)
    async with db.transaction(write=False) as session:
        report = await service.audit(session)
    # Delivered behind logistics' back: no rider recorded the cash, and the auditor says so.
    assert [(b.kind, b.data["order_id"], b.data["collected"]) for b in report.breaches] == [
        ("cash_collected_mismatch", order["id"], None)
    ]


async def test_customer_cancel_releases_stock_and_others_get_404(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    _, intruder, _ = await add_customer(db, client)
    await fill_cart(client, shop, lines={shop.products[0]: 4})
    order = (await place(client, shop, "card")).json()
    await _pay(client, order, shop.headers, card_number="4242424242424242")
    await drain(db)
    for method, url in [
        ("GET", f"/api/v1/orders/{order['id']}"),
        ("GET", f"/api/v1/orders/{order['id']}/tracking"),
        ("POST", f"/api/v1/orders/{order['id']}/cancel"),
        ("GET", "/api/v1/orders/nope"),
        ("POST", "/api/v1/orders/nope/cancel"),
    ]:
        r = await client.request(
            method, url, headers=intruder, json={} if method == "POST" else None
        )
        assert r.status_code == 404 and r.json()["code"] == "order_not_found", (method, url)
    assert (await client.get("/api/v1/orders", headers=intruder)).json()["items"] == []
    r = await client.get(f"/api/v1/orders/{order['id']}/tracking", headers=shop.headers)
    assert r.status_code == 200
    assert r.json()["status"] == "confirmed" and r.json()["rider"] is None
    assert [p["status"] for p in r.json()["timeline"]] == ["pending_payment", "confirmed"]

    r = await client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "too slow"}, headers=shop.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancel_reason"] == "too slow"
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 0)
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=shop.headers)
    assert r.status_code == 409
    await drain(db)
    body = (await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)).json()
    assert body["payment"]["status"] in ("refunded", "succeeded")
    async with db.transaction(write=False) as session:
        report = await service.audit(session)
    assert report.ok, report.breaches


async def test_admin_lists_filters_and_cancels(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    ids = []
    for _ in range(3):
        await fill_cart(client, shop)
        ids.append((await place(client, shop, "card")).json()["id"])
    await fill_cart(client, shop)
    cod = (await place(client, shop)).json()["id"]
    r = await client.get("/api/v1/admin/orders?limit=2", headers=admin)
    page1 = r.json()
    assert [o["id"] for o in page1["items"]] == [cod, ids[2]]
    r = await client.get(
        f"/api/v1/admin/orders?limit=2&cursor={page1['next_cursor']}", headers=admin
    )
    assert [o["id"] for o in r.json()["items"]] == [ids[1], ids[0]] and r.json()[
        "next_cursor"
    ] is None
    r = await client.get(
        f"/api/v1/admin/orders?status=confirmed&store_id={shop.store_id}", headers=admin
    )
    assert [o["id"] for o in r.json()["items"]] == [cod]
    r = await client.get("/api/v1/admin/orders?status=lost", headers=admin)
    assert r.status_code == 422
    r = await client.get("/api/v1/admin/orders?cursor=%%%", headers=admin)
    assert r.status_code == 400
    r = await client.get("/api/v1/admin/orders", headers=shop.headers)
    assert r.status_code == 403
    r = await client.get(f"/api/v1/admin/orders/{cod}", headers=admin)
    assert r.status_code == 200 and r.json()["delivery_otp"] is None
    r = await client.post(
        f"/api/v1/admin/orders/{cod}/cancel", json={"reason": "fraud"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["timeline"][-1]["actor_role"] == "admin"
    r = await client.post("/api/v1/admin/orders/nope/cancel", headers=admin)
    assert r.status_code == 404
    # customer pagination
    r = await client.get("/api/v1/orders?limit=3", headers=shop.headers)
    assert len(r.json()["items"]) == 3 and r.json()["next_cursor"]
    r = await client.get("/api/v1/orders?limit=0", headers=shop.headers)
    assert r.status_code == 422


def test_state_machine() -> None:
    customer = state.Actor("u", "customer")
    assert state.allowed("pending_payment", "cancelled", "customer")
    assert state.allowed("picking", "cancelled", "customer")
    assert not state.allowed("packed", "cancelled", "customer")
    assert state.allowed("packed", "cancelled", "admin")
    assert not state.allowed("delivered", "cancelled", "admin")
    assert not state.allowed("confirmed", "picking", "customer")
    assert not state.allowed("cancelled", "confirmed", "system")
    with pytest.raises(Conflict) as info:
        state.check("packed", "cancelled", customer)
    assert info.value.code == "invalid_transition"
