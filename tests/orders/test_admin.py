"""Admin: coupons, fee rules, the auditor; with their bad input."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests import factories
from tests.orders.shop import fill_cart, make_admin, make_shop, place, snapshot


async def test_coupon_crud_and_bad_input(db: Database, client: httpx.AsyncClient) -> None:
    admin = await make_admin(db, client)
    customer = await factories.login(client, await factories.make_user(db))
    ok = {"code": "WELCOME", "kind": "flat", "amount_off": 10_000, "first_order_only": True}
    r = await client.post("/api/v1/admin/coupons", json=ok, headers=admin)
    assert r.status_code == 201, r.text
    coupon = r.json()
    before = await snapshot(db)
    cases = [
        (ok, admin, 409),
        ({**ok, "code": "BAD CODE"}, admin, 422),
        ({**ok, "code": "P1", "kind": "percent", "percent_off": 101}, admin, 422),
        ({**ok, "code": "P1B", "kind": "percent", "percent_off": 0}, admin, 422),
        ({**ok, "code": "P1C", "kind": "percent"}, admin, 422),  # amount_off on a percent one
        ({"code": "P1D", "kind": "percent", "percent_off": 10, "amount_off": 10}, admin, 422),
        ({"code": "P1E", "kind": "flat", "percent_off": 10}, admin, 422),
        ({"code": "P1F", "kind": "percent", "value": 5_000}, admin, 422),  # the old field
        ({**ok, "code": "P2", "kind": "bogus"}, admin, 422),
        ({**ok, "code": "P3", "amount_off": 0}, admin, 422),
        ({**ok, "code": "P4", "amount_off": "ten"}, admin, 422),
        (
            {
                **ok,
                "code": "P5",
                "starts_at": "2026-12-01T00:00:00Z",
                "ends_at": "2026-11-01T00:00:00Z",
            },
            admin,
            422,
        ),
        ({**ok, "code": "P6", "starts_at": "2026-12-01T00:00:00"}, admin, 422),
        ({**ok, "code": "P7", "unknown": 1}, admin, 422),
        ({"kind": "flat", "amount_off": 1}, admin, 422),
        ({**ok, "code": "P8"}, customer, 403),
        ({**ok, "code": "P9"}, {}, 401),
    ]
    for body, headers, status in cases:
        r = await client.post("/api/v1/admin/coupons", json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    for body, status in [
        ({"min_cart": -1}, 422),
        ({"is_active": None}, 422),
        ({"starts_at": "2027-01-02T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}, 422),
        ({"code": "RENAME"}, 422),
    ]:
        r = await client.patch(f"/api/v1/admin/coupons/{coupon['id']}", json=body, headers=admin)
        assert r.status_code == status, (body, r.text)
    r = await client.patch("/api/v1/admin/coupons/nope", json={"min_cart": 5}, headers=admin)
    assert r.status_code == 404
    r = await client.delete("/api/v1/admin/coupons/nope", headers=admin)
    assert r.status_code == 404
    assert await snapshot(db) == before

    r = await client.patch(
        f"/api/v1/admin/coupons/{coupon['id']}", json={"min_cart": 5_000}, headers=admin
    )
    assert r.status_code == 200 and r.json()["min_cart"] == 5_000
    r = await client.get("/api/v1/admin/coupons", headers=admin)
    assert [c["code"] for c in r.json()["items"]] == ["WELCOME"]
    r = await client.delete(f"/api/v1/admin/coupons/{coupon['id']}", headers=admin)
    assert r.status_code == 204
    assert (await client.get(f"/api/v1/admin/coupons/{coupon['id']}", headers=admin)).json()[
        "is_active"
    ] is False


async def test_fee_rules_are_editable_and_shown_in_the_cart(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    r = await client.get("/api/v1/admin/fee-rules", headers=admin)
    assert [f["code"] for f in r.json()["items"]] == [
        "delivery",
        "small_cart",
        "handling",
        "late_night",
        "surge",
    ]
    before = await snapshot(db)
    for code, body, status in [
        ("nope", {"amount": 1}, 404),
        ("handling", {"amount": -5}, 422),
        ("handling", {"amount": None}, 422),
        ("handling", {"params": {"bogus": 1}}, 422),
        ("handling", {"colour": "red"}, 422),
        ("late_night", {"params": {"start": "25:00"}}, 422),
        ("late_night", {"params": {"timezone": "Mars/Olympus"}}, 422),
        ("delivery", {"params": {"free_above": -1}}, 422),
        ("delivery", {"params": {"free_above": "lots"}}, 422),
        ("surge", {"params": {"orders_per_rider": 0}}, 422),
    ]:
        r = await client.patch(f"/api/v1/admin/fee-rules/{code}", json=body, headers=admin)
        assert r.status_code == status, (code, body, r.text)
    r = await client.patch(
        "/api/v1/admin/fee-rules/handling", json={"amount": 900}, headers=shop.headers
    )
    assert r.status_code == 403
    assert await snapshot(db) == before

    r = await client.patch(
        "/api/v1/admin/fee-rules/handling", json={"amount": 900, "label": "Packing"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["amount"] == 900
    r = await client.patch(
        "/api/v1/admin/fee-rules/delivery", json={"params": {"free_above": 100}}, headers=admin
    )
    assert r.json()["params"] == {"free_above": 100}
    cart = await fill_cart(client, shop)
    fees = {f["code"]: f for f in cart["fees"]}  # type: ignore[union-attr]
    assert fees["handling"] == {"code": "handling", "label": "Packing", "amount": 900}
    assert "delivery" not in fees
    order = (await place(client, shop)).json()
    assert {"code": "handling", "label": "Packing", "amount": 900} in order["fees"]


async def test_auditor_reports_every_breach(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    await drain(db)
    r = await client.get("/api/v1/admin/audit", headers=admin)
    assert r.json() == {"ok": True, "breaches": []}
    assert (await client.get("/api/v1/admin/audit", headers=shop.headers)).status_code == 403
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE orders SET total = total + 100 WHERE id = :o"), {"o": order["id"]}
        )
        await session.execute(
            text("UPDATE stock SET reserved = reserved + 1 WHERE product_id = :p"),
            {"p": shop.products[1]},
        )
    r = await client.get("/api/v1/admin/audit", headers=admin)
    body = r.json()
    assert body["ok"] is False
    assert sorted(b["kind"] for b in body["breaches"]) == ["order_total_mismatch", "stock"]
