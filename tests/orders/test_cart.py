"""The cart over HTTP: pricing, caps, warnings, store switching, coupons."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from kirana.kit.db import Database
from tests import factories
from tests.orders.shop import fill_cart, make_admin, make_shop, snapshot


async def test_cart_is_priced_from_the_catalog(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    r = await client.get("/api/v1/cart", headers=shop.headers)
    assert r.status_code == 200
    assert r.json()["items"] == [] and r.json()["total"] == 0 and r.json()["store_id"] is None

    cart = await fill_cart(client, shop, lines={shop.products[0]: 2, shop.products[1]: 1})
    assert cart["store_id"] == shop.store_id
    assert cart["subtotal"] == 2 * 4_500 + 12_000
    lines = {i["product_id"]: i for i in cart["items"]}  # type: ignore[union-attr]
    first = lines[shop.products[0]]
    assert first["quantity"] == 2 and first["unit_price"] == 4_500 and first["line_total"] == 9_000
    assert first["mrp"] == 5_000 and first["in_stock"] is True and first["available"] == 20
    fees = {f["code"]: f["amount"] for f in cart["fees"]}  # type: ignore[union-attr]
    assert "delivery" not in fees and fees["handling"] == 400  # 21 000 ships free
    assert cart["total"] == cart["subtotal"] + sum(fees.values()) - cart["discount"]  # type: ignore[operator]
    assert cart["currency"] == "EUR" and cart["warnings"] == []

    # quantity 0 removes the line
    r = await client.put(
        f"/api/v1/cart/items/{shop.products[1]}",
        json={"quantity": 0, "store_id": shop.store_id},
        headers=shop.headers,
    )
    assert r.status_code == 200 and [i["product_id"] for i in r.json()["items"]] == [
        shop.products[0]
    ]
    r = await client.delete("/api/v1/cart", headers=shop.headers)
    assert r.status_code == 204
    assert (await client.get("/api/v1/cart", headers=shop.headers)).json()["items"] == []


async def test_quantity_capped_by_stock_and_limit(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client, on_hand=3, max_per_order=5)
    before = await snapshot(db)
    r = await client.put(
        f"/api/v1/cart/items/{shop.products[0]}",
        json={"quantity": 4, "store_id": shop.store_id},
        headers=shop.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    assert r.json()["lines"] == [
        {
            "product_id": shop.products[0],
            "name": r.json()["lines"][0]["name"],
            "requested": 4,
            "available": 3,
        }
    ]
    r = await client.put(
        f"/api/v1/cart/items/{shop.products[1]}",
        json={"quantity": 6, "store_id": shop.store_id},
        headers=shop.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "over_limit"
    assert r.json()["max_quantity"] == 5
    assert await snapshot(db) == before


async def test_warnings_for_price_change_and_stock_gone(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop, lines={shop.products[0]: 2, shop.products[1]: 1})
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE stock SET price = 4000 WHERE product_id = :p"), {"p": shop.products[0]}
        )
        await session.execute(
            text("UPDATE stock SET on_hand = 0 WHERE product_id = :p"), {"p": shop.products[1]}
        )
    cart = (await client.get("/api/v1/cart", headers=shop.headers)).json()
    codes = {(w["code"], w["product_id"]) for w in cart["warnings"]}
    assert ("price_changed", shop.products[0]) in codes
    assert ("out_of_stock", shop.products[1]) in codes
    lines = {i["product_id"]: i for i in cart["items"]}
    assert lines[shop.products[0]]["unit_price"] == 4_000
    assert (
        lines[shop.products[1]]["in_stock"] is False and lines[shop.products[1]]["available"] == 0
    )


async def test_switching_store_empties_the_cart(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    other = await factories.make_store(db)
    product = await factories.make_product(
        db, shop.category_id, store_id=other, price=1_000, mrp=1_000
    )
    r = await client.put(
        f"/api/v1/cart/items/{product}",
        json={"quantity": 1, "store_id": other},
        headers=shop.headers,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["store_id"] == other
    assert [i["product_id"] for i in body["items"]] == [product]
    assert [w["code"] for w in body["warnings"]] == ["cart_store_changed"]


async def test_coupon_apply_and_remove(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    r = await client.post(
        "/api/v1/admin/coupons",
        json={
            "code": "half",
            "kind": "percent",
            "percent_off": 50,
            "max_discount": 3_000,
            "min_cart": 5_000,
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["code"] == "HALF"
    await fill_cart(client, shop, lines={shop.products[0]: 1})  # 4 500: under the minimum
    r = await client.post("/api/v1/cart/coupon", json={"code": "HALF"}, headers=shop.headers)
    assert r.status_code == 422 and r.json()["code"] == "coupon_min_cart"
    assert (await client.get("/api/v1/cart", headers=shop.headers)).json()["coupon_code"] is None

    await fill_cart(client, shop, lines={shop.products[0]: 4})  # 18 000
    r = await client.post("/api/v1/cart/coupon", json={"code": "half"}, headers=shop.headers)
    assert r.status_code == 200, r.text
    cart = r.json()
    assert cart["coupon_code"] == "HALF" and cart["discount"] == 3_000
    assert cart["total"] == cart["subtotal"] + sum(f["amount"] for f in cart["fees"]) - 3_000

    # Under its cap a percent coupon takes exactly that share: 20 is 20%, not 0.2%.
    r = await client.post(
        "/api/v1/admin/coupons",
        json={"code": "TWENTY", "kind": "percent", "percent_off": 20},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["percent_off"] == 20, r.text
    assert r.json()["amount_off"] is None
    r = await client.post("/api/v1/cart/coupon", json={"code": "TWENTY"}, headers=shop.headers)
    assert r.status_code == 200 and r.json()["discount"] == 3_600, r.text

    r = await client.post("/api/v1/cart/coupon", json={"code": "NOPE"}, headers=shop.headers)
    assert r.status_code == 422 and r.json()["code"] == "coupon_unknown"
    r = await client.delete("/api/v1/cart/coupon", headers=shop.headers)
    assert r.status_code == 200 and r.json()["discount"] == 0 and r.json()["coupon_code"] is None


async def test_cart_bad_input_writes_nothing(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    before = await snapshot(db)
    pid = shop.products[0]
    bad = [
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": -1, "store_id": shop.store_id},
            shop.headers,
            422,
        ),
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": "two", "store_id": shop.store_id},
            shop.headers,
            422,
        ),
        ("put", f"/api/v1/cart/items/{pid}", {"quantity": 1}, shop.headers, 422),
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": 1, "store_id": shop.store_id, "x": 1},
            shop.headers,
            422,
        ),
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": 10**9, "store_id": shop.store_id},
            shop.headers,
            422,
        ),
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": 1, "store_id": "nope"},
            shop.headers,
            404,
        ),
        (
            "put",
            "/api/v1/cart/items/nope",
            {"quantity": 1, "store_id": shop.store_id},
            shop.headers,
            404,
        ),
        ("put", f"/api/v1/cart/items/{pid}", {"quantity": 1, "store_id": shop.store_id}, {}, 401),
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": 1, "store_id": shop.store_id},
            {"Authorization": "Bearer forged.token.here"},
            401,
        ),
        (
            "put",
            f"/api/v1/cart/items/{pid}",
            {"quantity": 1, "store_id": shop.store_id},
            staff,
            403,
        ),
        ("post", "/api/v1/cart/coupon", {"code": ""}, shop.headers, 422),
        ("post", "/api/v1/cart/coupon", {}, shop.headers, 422),
        ("post", "/api/v1/cart/coupon", {"code": "X" * 41}, shop.headers, 422),
        ("post", "/api/v1/cart/coupon", {"code": "NOPE"}, shop.headers, 422),
        ("delete", "/api/v1/cart", None, {}, 401),
        ("delete", "/api/v1/cart/coupon", None, staff, 403),
        ("get", "/api/v1/cart", None, {"Authorization": "Bearer x"}, 401),
    ]
    for method, url, body, headers, status in bad:
        kw = {"json": body} if body is not None else {}
        r = await client.request(method.upper(), url, headers=headers, **kw)
        assert r.status_code == status, (method, url, body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert isinstance(r.json()["code"], str)
    r = await client.put(
        f"/api/v1/cart/items/{pid}",
        content=b"{not json",
        headers={**shop.headers, "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert await snapshot(db) == before
