"""The itemised receipt of an order that changed while picking: a cheaper substitute, a dearer
one the customer agreed to pay for (a difference payment), a line the store had none of (a
partial refund), and a cash order with change; its money adds up exactly and matches the
auditor. Another customer's order, an unknown id and a malformed one are refused as
problem+json."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests.logistics.fleet import add_rider, delivery_of
from tests.orders.shop import add_customer, fill_cart, make_admin, make_shop, place
from tests.orders.test_substitution_difference import approve_dearer
from tests.orders.test_substitutions import (
    CARD,
    Picking,
    _audit_ok,
    _order,
    _picking,
    _propose,
    snapshot,
)

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def receipt_of(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str, *, admin: bool = False
) -> dict[str, Any]:
    prefix = "/api/v1/admin" if admin else "/api/v1"
    r = await client.get(f"{prefix}/orders/{order_id}/receipt", headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def adds_up(receipt: dict[str, Any]) -> None:
    """Every sum on the receipt, exactly, in minor units."""
    assert receipt["subtotal"] == sum(line["line_total"] for line in receipt["lines"])
    for line in receipt["lines"] + receipt["removed"]:
        assert line["line_total"] == line["quantity"] * line["unit_price"]
    assert receipt["item_count"] == sum(line["quantity"] for line in receipt["lines"])
    assert receipt["fees_total"] == sum(f["amount"] for f in receipt["fees"])
    assert receipt["total"] == (
        receipt["subtotal"] + receipt["fees_total"] - receipt["discount"] + receipt["tip"]
    )
    assert receipt["paid"] == sum(p["amount"] for p in receipt["payments"])
    assert receipt["refunded"] == sum(r["amount"] for r in receipt["refunds"])
    assert receipt["net_paid"] == receipt["paid"] - receipt["refunded"]
    if receipt["status"] != "cancelled":
        assert receipt["balance_due"] == receipt["total"] - receipt["net_paid"]


async def _net_by_intent(db: Database, order_id: str) -> dict[str, tuple[int, int]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text(
                "SELECT id, captured_amount, refunded_amount FROM payment_intents"
                " WHERE order_id = :o AND captured_amount > 0"
            ),
            {"o": order_id},
        )
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


def _by_intent(receipt: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {
        p["payment_id"]: (
            p["amount"],
            sum(r["amount"] for r in receipt["refunds"] if r["payment_id"] == p["payment_id"]),
        )
        for p in receipt["payments"]
    }


async def _approve(client: httpx.AsyncClient, p: Picking, offer: dict[str, Any]) -> None:
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text


async def test_a_dearer_substitute_paid_for_and_a_line_left_out_by_card(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)  # 2 x 4,500 and 1 x 12,000, paid by card
    placed_total = p.order["total"]
    bread, milk = p.line(p.shop.products[0]), p.line(p.shop.products[1])

    offer = await _propose(client, p, bread, p.dearer, 2)  # 2 x 5,000
    difference = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    r = await client.post(
        f"/api/v1/payments/{difference['id']}/confirm", json=CARD, headers=p.shop.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    await drain(db)
    r = await client.post(f"{p.ops}/lines/{milk['id']}/unavailable", headers=p.staff)
    assert r.status_code == 200, r.text

    order = await _order(client, p.shop, p.order["id"])
    receipt = await receipt_of(client, p.shop.headers, p.order["id"])
    adds_up(receipt)
    [line] = receipt["lines"]
    assert (line["product_id"], line["quantity"], line["unit_price"], line["line_total"]) == (
        p.dearer,
        2,
        5_000,
        10_000,
    )
    assert line["store_unit_price"] == 5_000 and line["paid_difference"] is True
    assert line["replaces"] == {
        "line_id": bread["id"],
        "name": bread["name"],
        "unit": bread["unit"],
        "quantity": 2,
        "unit_price": 4_500,
        "line_total": 9_000,
    }
    [gone] = receipt["removed"]
    assert (gone["line_id"], gone["line_total"], gone["removed_because"]) == (
        milk["id"],
        12_000,
        "out_of_stock",
    )
    assert (receipt["subtotal"], receipt["total"]) == (10_000, order["total"])
    assert receipt["total"] == placed_total + 1_000 - 12_000

    # Two captures (the order's and the difference), the 12,000 given back from the
    # difference first, then from the order's payment.
    assert [(x["kind"], x["amount"]) for x in receipt["payments"]] == [
        ("order", placed_total),
        ("difference", 1_000),
    ]
    assert receipt["payments"][1]["payment_id"] == difference["id"]
    refunds = {x["payment_id"]: x["amount"] for x in receipt["refunds"]}
    assert refunds == {difference["id"]: 1_000, order["payment"]["id"]: 11_000}
    assert all(x["status"] == "sent" for x in receipt["refunds"])  # the sandbox's at once
    assert (receipt["paid"], receipt["refunded"]) == (placed_total + 1_000, 12_000)
    assert receipt["net_paid"] == receipt["total"] and receipt["balance_due"] == 0
    assert receipt["cash"] is None
    # The receipt's figures are the payments' own, and the auditor's.
    assert _by_intent(receipt) == await _net_by_intent(db, p.order["id"])
    await _audit_ok(db)

    # The admin reads the same receipt.
    admin = await make_admin(db, client)
    assert await receipt_of(client, admin, p.order["id"], admin=True) == receipt
    assert await receipt_of(client, admin, p.order["id"]) == receipt


async def test_a_cheaper_substitute_refunds_its_difference_on_the_receipt(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    r = await client.post(
        "/api/v1/admin/coupons",
        json={"code": "TENOFF", "kind": "percent", "percent_off": 10},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    p = await _picking(db, client, coupon="TENOFF")
    assert p.order["discount"] == 2_100  # 10% of 21,000
    bread = p.line(p.shop.products[0])
    offer = await _propose(client, p, bread, p.cheaper, 2)  # 2 x 4,000 for 2 x 4,500
    await _approve(client, p, offer)

    receipt = await receipt_of(client, p.shop.headers, p.order["id"])
    adds_up(receipt)
    by_product = {line["product_id"]: line for line in receipt["lines"]}
    assert set(by_product) == {p.cheaper, p.shop.products[1]}
    sub = by_product[p.cheaper]
    assert (sub["unit_price"], sub["line_total"], sub["store_unit_price"]) == (4_000, 8_000, 4_000)
    assert sub["replaces"]["line_id"] == bread["id"] and sub["paid_difference"] is False
    assert by_product[p.shop.products[1]]["replaces"] is None
    assert receipt["removed"] == []
    # The coupon is worked out again on the new subtotal: 10% of 20,000.
    assert (receipt["coupon_code"], receipt["subtotal"], receipt["discount"]) == (
        "TENOFF",
        20_000,
        2_000,
    )
    assert [x["amount"] for x in receipt["refunds"]] == [1_000 - 100]
    assert receipt["total"] == p.order["total"] - 900 == receipt["net_paid"]
    assert receipt["balance_due"] == 0
    await _audit_ok(db)


async def test_a_cash_order_shows_the_cash_tendered_and_the_change(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client, method="cod")
    rider = await add_rider(db, client, p.shop.store_id, online=True)
    bread, milk = p.line(p.shop.products[0]), p.line(p.shop.products[1])
    # A dearer substitute at the store's price (the cash due grows), and a declined one.
    offer = await _propose(client, p, bread, p.dearer, 2)
    await approve_dearer(client, p, offer)
    declined = await _propose(client, p, milk, p.cheaper, 1)
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{declined['id']}/decline",
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text

    before = await receipt_of(client, p.shop.headers, p.order["id"])
    adds_up(before)
    due = before["total"]
    assert due == p.order["total"] + 1_000 - 12_000
    assert (before["payments"], before["refunds"], before["cash"]) == ([], [], None)
    assert before["balance_due"] == due  # nothing is paid before the hand-over
    [line] = before["lines"]
    assert (line["unit_price"], line["paid_difference"]) == (5_000, True)
    [gone] = before["removed"]
    assert (gone["line_id"], gone["removed_because"]) == (milk["id"], "substitute_declined")

    r = await client.post(f"{p.ops}/packed", headers=p.staff)
    assert r.status_code == 200, r.text
    await drain(db)
    delivery_id = (await delivery_of(db, p.order["id"]))["id"]
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery_id}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text
    tendered = (due // 50_000 + 1) * 50_000
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery_id}/delivered",
        json={"otp": p.order["delivery_otp"], "cash": {"tendered": tendered}},
        headers=rider.headers,
    )
    assert r.status_code == 200, r.text
    await drain(db)

    receipt = await receipt_of(client, p.shop.headers, p.order["id"])
    adds_up(receipt)
    assert receipt["status"] == "delivered" and receipt["delivered_at"] is not None
    assert [(x["kind"], x["method"], x["amount"]) for x in receipt["payments"]] == [
        ("order", "cod", due)
    ]
    cash = receipt["cash"]
    assert (cash["amount"], cash["tendered"], cash["change"]) == (due, tendered, tendered - due)
    assert cash["tendered"] - cash["change"] == receipt["net_paid"] == receipt["total"]
    assert cash["rider_name"]
    assert receipt["balance_due"] == 0
    await _audit_ok(db)


async def test_someone_elses_unknown_and_malformed_orders_are_refused(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)
    _, stranger, _ = await add_customer(db, client)
    snap = await snapshot(db)

    # Another customer's order answers as the order itself does: not found.
    theirs = await client.get(f"/api/v1/orders/{p.order['id']}/receipt", headers=stranger)
    order = await client.get(f"/api/v1/orders/{p.order['id']}", headers=stranger)
    unknown = await client.get(f"/api/v1/orders/{UNKNOWN_ID}/receipt", headers=stranger)
    for r in (theirs, order, unknown):
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert theirs.json() == order.json() == unknown.json()
    assert theirs.json()["code"] == "order_not_found"

    admin = await make_admin(db, client)
    r = await client.get(f"/api/v1/admin/orders/{UNKNOWN_ID}/receipt", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "order_not_found"
    r = await client.get(f"/api/v1/orders/{'x' * 27}/receipt", headers=p.shop.headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"]
    # A customer is no admin; no token is no one.
    r = await client.get(f"/api/v1/admin/orders/{p.order['id']}/receipt", headers=p.shop.headers)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem")
    r = await client.get(f"/api/v1/orders/{p.order['id']}/receipt")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem")
    assert await snapshot(db) == snap


async def test_a_cancelled_order_shows_its_payment_given_back_and_nothing_due(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    r = await place(client, shop, "card")
    assert r.status_code == 201, r.text
    order = r.json()
    r = await client.post(
        f"/api/v1/payments/{order['payment']['id']}/confirm", json=CARD, headers=shop.headers
    )
    assert r.json()["status"] == "succeeded", r.text
    await drain(db)
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=shop.headers)
    assert r.status_code == 200, r.text
    await drain(db)  # the payments consumer gives it back

    receipt = await receipt_of(client, shop.headers, order["id"])
    adds_up(receipt)
    assert receipt["status"] == "cancelled"
    assert [(x["kind"], x["amount"]) for x in receipt["payments"]] == [("order", order["total"])]
    assert [x["amount"] for x in receipt["refunds"]] == [order["total"]]
    assert (receipt["net_paid"], receipt["balance_due"]) == (0, 0)
    await _audit_ok(db)
