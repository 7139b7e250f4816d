"""The seed's whole flow as one black-box test over HTTP, on SQLite and PostgreSQL:
register, address, browse, cart, order, pay, pick, pack, rider picks up, delivers with the OTP."""

from __future__ import annotations

import httpx

from kirana.config import Settings
from kirana.kit.db import Database
from tests import factories
from tests.orders.shop import settle


async def test_browse_to_doorstep(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    # The operator's side: a store with stock, its staff, a rider (made with the factories).
    store_id = await factories.make_store(db, lat=60.17, lng=24.94)
    category = await factories.make_category(db, "Dairy")
    milk = await factories.make_product(
        db, category, store_id=store_id, name="Milk 1 l", price=6_500, mrp=7_000, aisle="C2"
    )
    bread = await factories.make_product(
        db, category, store_id=store_id, name="Rye bread", price=15_000, mrp=15_000, aisle="A1"
    )
    staff = await factories.login(client, await factories.make_user(db, "store_staff", store_id))
    rider_user = await factories.make_user(db, "rider", store_id)
    rider = await factories.login(client, rider_user)
    admin = await factories.login(client, await factories.make_user(db, "admin"))

    # 1. register and add an address
    r = await client.post(
        "/api/v1/auth/register",
        json={"phone": "+919812345678", "password": "a-long-password", "name": "Asha"},
    )
    assert r.status_code == 201, r.text
    me = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await client.post(
        "/api/v1/me/addresses",
        json={
            "label": "home",
            "line1": "Aleksanterinkatu 5",
            "city": "Helsinki",
            "pincode": "00100",
            "lat": 60.169,
            "lng": 24.945,
            "instructions": "3rd floor",
        },
        headers=me,
    )
    assert r.status_code == 201, r.text
    address_id = r.json()["id"]

    # 2. browse: which store serves me, what does it sell
    r = await client.get("/api/v1/serviceability", params={"lat": 60.169, "lng": 24.945})
    assert r.status_code == 200, r.text
    assert r.json()["serviceable"] is True and r.json()["store"]["id"] == store_id
    r = await client.get(f"/api/v1/stores/{store_id}/products")
    assert r.status_code == 200, r.text
    listed = {p["id"]: p for p in r.json()["items"]}
    assert listed[milk]["price"] == 6_500 and listed[bread]["in_stock"] is True

    # 3. cart
    for product, quantity in ((milk, 2), (bread, 1)):
        r = await client.put(
            f"/api/v1/cart/items/{product}",
            json={"quantity": quantity, "store_id": store_id},
            headers=me,
        )
        assert r.status_code == 200, r.text
    cart = r.json()
    assert cart["subtotal"] == 28_000
    assert cart["total"] == 28_000 + sum(f["amount"] for f in cart["fees"])

    # 4. order, 5. pay by card
    r = await client.post(
        "/api/v1/orders",
        json={"address_id": address_id, "payment_method": "card", "tip": 1_000},
        headers={**me, "Idempotency-Key": "flow-1"},
    )
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "pending_payment" and order["total"] == cart["total"] + 1_000
    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm",
        json={"card_number": "4242424242424242"},
        headers=me,
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    await settle(db, settings, client)
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=me)
    assert r.json()["status"] == "confirmed"

    # 6. the store picks (aisle order) and packs
    r = await client.get(f"/api/v1/store-ops/{store_id}/orders", headers=staff)
    assert [e["id"] for e in r.json()["items"]] == [order["id"]]
    r = await client.get(f"/api/v1/store-ops/orders/{order['id']}", headers=staff)
    assert [(ln["aisle"], ln["quantity"]) for ln in r.json()["lines"]] == [("A1", 1), ("C2", 2)]
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/start-picking", headers=staff)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/packed", headers=staff)
    assert r.status_code == 200, r.text
    await settle(db, settings, client)

    # 7. the rider comes online near the store and is assigned automatically
    r = await client.post("/api/v1/rider/shift", json={"online": True}, headers=rider)
    assert r.status_code == 200, r.text
    r = await client.post(
        "/api/v1/rider/location", json={"lat": 60.1701, "lng": 24.9401}, headers=rider
    )
    assert r.status_code == 200, r.text
    await settle(db, settings, client)
    r = await client.get("/api/v1/rider/tasks", headers=rider)
    assert r.status_code == 200, r.text
    (task,) = r.json()["items"]
    assert task["order_id"] == order["id"] and task["order_number"] == order["number"]
    assert task["drop"]["line1"] == "Aleksanterinkatu 5"

    # 8. picks up, the customer sees the rider, 9. delivers with the customer's OTP
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/picked-up", headers=rider
    )
    assert r.status_code == 200, r.text
    await settle(db, settings, client)
    r = await client.get(f"/api/v1/orders/{order['id']}/tracking", headers=me)
    assert r.json()["status"] == "out_for_delivery"
    assert r.json()["rider"] is not None and r.json()["rider"]["lat"] == 60.1701
    wrong = "0000" if order["delivery_otp"] != "0000" else "1111"
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/delivered",
        json={"otp": wrong},
        headers=rider,
    )
    assert r.status_code in (409, 422), r.text
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/delivered",
        json={"otp": order["delivery_otp"]},
        headers=rider,
    )
    assert r.status_code == 200, r.text
    await settle(db, settings, client)

    r = await client.get(f"/api/v1/orders/{order['id']}", headers=me)
    body = r.json()
    assert body["status"] == "delivered"
    assert [t["status"] for t in body["timeline"]] == [
        "pending_payment",
        "confirmed",
        "picking",
        "packed",
        "out_for_delivery",
        "delivered",
    ]
    kinds = [
        n["kind"]
        for n in (await client.get("/api/v1/me/notifications", headers=me)).json()["items"]
    ]
    assert kinds[0] == "order.delivered"
    assert {
        "order.confirmed",
        "order.packed",
        "delivery.assigned",
        "order.out_for_delivery",
    } <= set(kinds)

    r = await client.get("/api/v1/admin/audit", headers=admin)
    assert r.status_code == 200 and r.json() == {"ok": True, "breaches": []}
