"""The in-app inbox, fed by order and payment events."""

from __future__ import annotations

import httpx

from kirana.kit.db import Database
from kirana.kit.outbox import drain, relay_once
from tests import factories
from tests.orders.shop import add_customer, fill_cart, make_shop, place, snapshot


async def test_order_events_reach_the_inbox_once(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    await client.post(f"/api/v1/store-ops/orders/{order['id']}/start-picking", headers=staff)
    await client.post(f"/api/v1/store-ops/orders/{order['id']}/packed", headers=staff)
    await drain(db)
    await relay_once(db)  # nothing left: nothing new
    r = await client.get("/api/v1/me/notifications", headers=shop.headers)
    assert r.status_code == 200
    items = r.json()["items"]
    assert [n["kind"] for n in items] == ["order.packed", "order.confirmed"]
    assert items[0]["data"]["order_id"] == order["id"]
    assert order["number"] in items[0]["body"] and items[0]["read_at"] is None

    r = await client.get("/api/v1/me/notifications?limit=1", headers=shop.headers)
    assert len(r.json()["items"]) == 1 and r.json()["next_cursor"]
    r = await client.get(
        f"/api/v1/me/notifications?limit=1&cursor={r.json()['next_cursor']}", headers=shop.headers
    )
    assert [n["kind"] for n in r.json()["items"]] == ["order.confirmed"]
    assert r.json()["next_cursor"] is None

    r = await client.post(f"/api/v1/me/notifications/{items[0]['id']}/read", headers=shop.headers)
    assert r.status_code == 200 and r.json()["read_at"] is not None
    r = await client.get("/api/v1/me/notifications?unread=true", headers=shop.headers)
    assert [n["kind"] for n in r.json()["items"]] == ["order.confirmed"]

    # another user's notification is not found; bad input writes nothing
    _, other, _ = await add_customer(db, client)
    before = await snapshot(db)
    for url, headers, status in [
        (f"/api/v1/me/notifications/{items[1]['id']}/read", other, 404),
        ("/api/v1/me/notifications/nope/read", shop.headers, 404),
        (f"/api/v1/me/notifications/{items[1]['id']}/read", {}, 401),
        (f"/api/v1/me/notifications/{items[1]['id']}/read", {"Authorization": "Bearer x.y.z"}, 401),
    ]:
        r = await client.post(url, headers=headers)
        assert r.status_code == status and r.json()["code"], (url, r.text)
    assert (await client.get("/api/v1/me/notifications", headers=other)).json()["items"] == []
    for query in ("limit=0", "limit=101", "limit=x", "cursor=%%%", "unread=maybe"):
        r = await client.get(f"/api/v1/me/notifications?{query}", headers=shop.headers)
        assert r.status_code in (400, 422), query
    assert await snapshot(db) == before


async def test_the_inbox_speaks_the_customers_language(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    r = await client.patch(
        "/api/v1/me/notification-preferences", json={"language": "hi"}, headers=shop.headers
    )
    assert r.status_code == 200
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    await drain(db)
    (item,) = (await client.get("/api/v1/me/notifications", headers=shop.headers)).json()["items"]
    assert item["kind"] == "order.confirmed"
    assert item["title"] == "ऑर्डर पक्का हुआ" and order["number"] in item["body"]
