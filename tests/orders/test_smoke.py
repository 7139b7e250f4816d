from __future__ import annotations

import httpx

from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests.orders.shop import fill_cart, make_shop, place


async def test_cod_order_is_confirmed_at_once(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    cart = await fill_cart(client, shop)
    assert cart["subtotal"] == 9_000
    r = await place(client, shop)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "confirmed"
    await drain(db)
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert r.status_code == 200, r.text
    print(r.json())
