"""One customer, or one address, cannot hold a product's stock in unpaid orders over and over."""

from __future__ import annotations

import httpx
import pytest

from kirana.config import Settings
from kirana.kit.db import Database
from tests.orders.shop import add_customer, fill_cart, make_shop, new_key, place, snapshot


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"unpaid_orders_per_customer": 2, "unpaid_orders_per_address": 3}
    )


async def test_a_customer_may_hold_only_so_many_unpaid_orders(
    client: httpx.AsyncClient, db: Database
) -> None:
    shop = await make_shop(db, client, on_hand=50)
    for _ in range(2):
        await fill_cart(client, shop, lines={shop.products[0]: 10})
        r = await place(client, shop, "card")
        assert r.status_code == 201, r.text
    await fill_cart(client, shop, lines={shop.products[0]: 10})
    before = await snapshot(db)
    r = await place(client, shop, "card")
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "too_many_unpaid_orders"
    assert "waiting for payment" in problem["detail"]
    assert problem["limit"] == 2 and problem["unpaid"] == 2
    assert await snapshot(db) == before  # nothing written, the cart kept
    # Cash on delivery is not waiting for a payment: it goes through.
    assert (await place(client, shop, "cod")).status_code == 201


async def test_a_retry_of_a_placed_order_still_replays(
    client: httpx.AsyncClient, db: Database
) -> None:
    shop = await make_shop(db, client, on_hand=50)
    key = new_key()
    body = {"address_id": shop.address_id, "payment_method": "card"}
    await fill_cart(client, shop)
    first = await client.post("/api/v1/orders", json=body, headers={**shop.headers, **key})
    await fill_cart(client, shop)
    assert (await place(client, shop, "card")).status_code == 201  # the second: at the limit
    again = await client.post("/api/v1/orders", json=body, headers={**shop.headers, **key})
    assert (again.status_code, again.json()) == (first.status_code, first.json())


async def test_fresh_accounts_ordering_to_one_door_are_limited_too(
    client: httpx.AsyncClient, db: Database
) -> None:
    shop = await make_shop(db, client, on_hand=50)
    codes = []
    for i in range(4):  # four fresh accounts, a metre or so apart
        _, headers, address_id = await add_customer(db, client, lat=60.171 + i * 1e-5)
        await fill_cart(client, shop, headers=headers, lines={shop.products[0]: 5})
        r = await place(client, shop, "upi", headers=headers, address_id=address_id)
        codes.append(r.status_code)
    assert codes == [201, 201, 201, 409], codes
    assert r.json()["code"] == "too_many_unpaid_orders_here"
    # Somewhere else entirely is not affected.
    _, headers, address_id = await add_customer(db, client, lat=60.18)
    await fill_cart(client, shop, headers=headers, lines={shop.products[0]: 5})
    r = await place(client, shop, "upi", headers=headers, address_id=address_id)
    assert r.status_code == 201, r.text
