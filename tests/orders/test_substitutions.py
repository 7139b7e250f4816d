"""While picking: lines the store cannot fill, substitutes proposed, approved, declined and
lapsed, with the bill, the stock, the payment and the auditor following; refusals change
nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.orders import service
from kirana.orders.jobs import lapse_substitutions
from kirana.users.schemas import Principal
from tests import factories
from tests.orders.shop import Shop, fill_cart, make_admin, make_shop, place, stock_of
from tests.orders.shop import snapshot as shop_snapshot

CARD = {"card_number": "4242424242424242"}


@dataclass
class Picking:
    shop: Shop
    staff: dict[str, str]
    order: dict[str, Any]
    # products of the shop's category besides the two ordered: cheaper, dearer; and one of
    # another category
    cheaper: str
    dearer: str
    elsewhere: str

    def line(self, product_id: str) -> dict[str, Any]:
        return next(i for i in self.order["items"] if i["product_id"] == product_id)

    @property
    def ops(self) -> str:
        return f"/api/v1/store-ops/orders/{self.order['id']}"


async def _picking(
    db: Database,
    client: httpx.AsyncClient,
    method: str = "card",
    lines: dict[int, int] | None = None,
    coupon: str | None = None,
    pay: Callable[[Shop, dict[str, Any]], Awaitable[None]] | None = None,
) -> Picking:
    """An order of products[0] x2 and products[1] x1 (4,500 and 12,000), paid (with the
    sandbox's test card, or by ``pay``), being picked."""
    shop = await make_shop(db, client)
    cheaper = await factories.make_product(
        db, shop.category_id, store_id=shop.store_id, on_hand=20, price=4_000, mrp=4_500, aisle="C1"
    )
    dearer = await factories.make_product(
        db, shop.category_id, store_id=shop.store_id, on_hand=20, price=5_000, mrp=5_500, aisle="C2"
    )
    other_category = await factories.make_category(db)
    elsewhere = await factories.make_product(
        db, other_category, store_id=shop.store_id, price=4_400, mrp=4_500
    )
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    wanted = lines or {0: 2, 1: 1}
    await fill_cart(client, shop, lines={shop.products[i]: q for i, q in wanted.items()})
    if coupon:
        r = await client.post("/api/v1/cart/coupon", json={"code": coupon}, headers=shop.headers)
        assert r.status_code == 200, r.text
    r = await place(client, shop, method)
    assert r.status_code == 201, r.text
    order = r.json()
    if pay is not None:
        await pay(shop, order)
    elif method != "cod":
        r = await client.post(
            f"/api/v1/payments/{order['payment']['id']}/confirm", json=CARD, headers=shop.headers
        )
        assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    await drain(db)
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/start-picking", headers=staff)
    assert r.status_code == 200, r.text
    order = await _order(client, shop, order["id"])
    return Picking(shop, staff, order, cheaper, dearer, elsewhere)


async def snapshot(db: Database) -> dict[str, object]:
    """The shop's tables, and what payments and substitutions hold."""
    found = await shop_snapshot(db)
    async with db.transaction(write=False) as session:
        for name, sql in {
            "intents": "SELECT id, status, amount, captured_amount, refunded_amount"
            " FROM payment_intents ORDER BY id",
            "refunds": "SELECT id, amount FROM payment_refunds ORDER BY id",
            "substitutions": "SELECT id, status FROM order_substitutions ORDER BY id",
            "lines": "SELECT id, status, unit_price, line_total FROM order_items ORDER BY id",
            "totals": "SELECT id, subtotal, discount, total, item_count FROM orders ORDER BY id",
        }.items():
            found[name] = [tuple(r) for r in await session.execute(text(sql))]
    return found


async def _order(client: httpx.AsyncClient, shop: Shop, order_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=shop.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _propose(
    client: httpx.AsyncClient, p: Picking, line: dict[str, Any], product_id: str, quantity: int
) -> dict[str, Any]:
    r = await client.post(
        f"{p.ops}/lines/{line['id']}/substitutions",
        json={"product_id": product_id, "quantity": quantity},
        headers=p.staff,
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _audit_ok(db: Database) -> None:
    await drain(db)
    async with db.transaction(write=False) as session:
        report = await service.audit(session)
    assert report.ok, report.breaches


def _adds_up(order: dict[str, Any]) -> None:
    billed = [i for i in order["items"] if i["status"] in ("ordered", "picked")]
    assert order["subtotal"] == sum(i["line_total"] for i in billed)
    assert order["item_count"] == sum(i["quantity"] for i in billed)
    assert order["total"] == (
        order["subtotal"] + order["fees_total"] - order["discount"] + order["tip"]
    )


async def _refunds(db: Database, order_id: str) -> list[tuple[int, str]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text(
                "SELECT r.amount, r.idempotency_key FROM payment_refunds r"
                " JOIN payment_intents i ON i.id = r.intent_id WHERE i.order_id = :o"
                " ORDER BY r.created_at"
            ),
            {"o": order_id},
        )
        return [(int(r[0]), str(r[1])) for r in rows]


async def test_a_line_the_store_cannot_fill_is_refunded(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)
    before = p.order
    milk = p.line(p.shop.products[1])
    assert milk["status"] == "ordered" and milk["line_total"] == 12_000
    assert await stock_of(db, p.shop.store_id, p.shop.products[1]) == (20, 1)

    r = await client.post(f"{p.ops}/lines/{milk['id']}/unavailable", headers=p.staff)
    assert r.status_code == 200, r.text
    lines = {line["line_id"]: line for line in r.json()["lines"]}
    assert lines[milk["id"]]["status"] == "unavailable"

    after = await _order(client, p.shop, p.order["id"])
    _adds_up(after)
    assert after["subtotal"] == 9_000 and after["item_count"] == 2
    assert after["total"] == before["total"] - 12_000
    assert after["payment"]["refunded"] == 12_000
    assert await _refunds(db, p.order["id"]) == [(12_000, f"line-unavailable:{milk['id']}")]
    assert await stock_of(db, p.shop.store_id, p.shop.products[1]) == (20, 0)
    await _audit_ok(db)

    # again: the line has left already; nothing changes
    snap = await snapshot(db)
    r = await client.post(f"{p.ops}/lines/{milk['id']}/unavailable", headers=p.staff)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert await snapshot(db) == snap

    # packing works, and the rider delivers what is left
    r = await client.post(f"{p.ops}/packed", headers=p.staff)
    assert r.status_code == 200, r.text
    await _audit_ok(db)


async def test_candidates_are_of_the_category_in_stock_cheaper_first(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)
    bread = p.line(p.shop.products[0])
    r = await client.get(f"{p.ops}/lines/{bread['id']}/substitutes", headers=p.staff)
    assert r.status_code == 200, r.text
    found = r.json()["items"]
    # not the line's own product, nor the order's other line, nor another category's
    assert [c["product_id"] for c in found] == [p.cheaper, p.dearer]
    assert [c["dearer"] for c in found] == [False, True]
    # the dearer one costs the customer what the original did, for the line of two
    assert [c["charged_unit_price"] for c in found] == [4_000, 4_500]
    assert found[0]["available"] == 20 and found[0]["aisle"] == "C1"
    # out of stock: not offered
    admin = await make_admin(db, client)
    r = await client.put(
        f"/api/v1/admin/stores/{p.shop.store_id}/stock/{p.cheaper}",
        json={"on_hand": 0},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    r = await client.get(f"{p.ops}/lines/{bread['id']}/substitutes?limit=5", headers=p.staff)
    assert [c["product_id"] for c in r.json()["items"]] == [p.dearer]


async def test_a_dearer_substitute_approved_costs_what_the_original_did(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)
    bread = p.line(p.shop.products[0])
    r = await client.post(
        f"{p.ops}/lines/{bread['id']}/substitutions",
        json={"product_id": p.dearer, "quantity": 2},
        headers=p.staff,
    )
    assert r.status_code == 201, r.text
    offer = r.json()
    assert offer["status"] == "proposed" and offer["dearer"] is True
    assert (offer["unit_price"], offer["charged_unit_price"]) == (5_000, 4_500)
    assert offer["replaces"] == bread["name"]
    assert await stock_of(db, p.shop.store_id, p.dearer) == (20, 2)
    # not packed while the customer has not answered
    r = await client.post(f"{p.ops}/packed", headers=p.staff)
    assert r.status_code == 409 and r.json()["code"] == "substitution_open"
    # the customer sees it on the order; staff on the pick list
    seen = await _order(client, p.shop, p.order["id"])
    assert [s["id"] for s in seen["substitutions"]] == [offer["id"]]
    r = await client.get(p.ops, headers=p.staff)
    assert r.json()["substitutions"][0]["status"] == "proposed"

    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    after = r.json()
    _adds_up(after)
    assert after["total"] == p.order["total"] and after["payment"]["refunded"] == 0
    lines = {i["id"]: i for i in after["items"]}
    assert lines[bread["id"]]["status"] == "substituted"
    (new,) = [i for i in after["items"] if i["substitute_for"] == bread["id"]]
    assert (new["product_id"], new["quantity"], new["unit_price"], new["line_total"]) == (
        p.dearer,
        2,
        4_500,
        9_000,
    )
    assert after["substitutions"][0]["status"] == "approved"
    assert await stock_of(db, p.shop.store_id, p.shop.products[0]) == (20, 0)
    assert await stock_of(db, p.shop.store_id, p.dearer) == (20, 2)
    r = await client.post(f"{p.ops}/packed", headers=p.staff)
    assert r.status_code == 200, r.text
    await _audit_ok(db)


async def test_a_cheaper_substitute_refunds_the_difference(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)
    bread = p.line(p.shop.products[0])
    r = await client.post(
        f"{p.ops}/lines/{bread['id']}/substitutions",
        json={"product_id": p.cheaper, "quantity": 2},
        headers=p.staff,
    )
    offer = r.json()
    assert offer["charged_unit_price"] == 4_000 and offer["dearer"] is False
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        json={"pay_difference": False},
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    after = r.json()
    _adds_up(after)
    assert after["total"] == p.order["total"] - 1_000
    assert after["payment"]["refunded"] == 1_000
    assert await _refunds(db, p.order["id"]) == [(1_000, f"substitution:{offer['id']}")]
    await _audit_ok(db)


@pytest.mark.parametrize("answer", ["decline", "lapse"])
async def test_a_substitute_declined_or_lapsed_takes_the_line_off_the_bill(
    db: Database, client: httpx.AsyncClient, settings: Settings, answer: str
) -> None:
    p = await _picking(db, client)
    milk = p.line(p.shop.products[1])
    r = await client.post(
        f"{p.ops}/lines/{milk['id']}/substitutions",
        json={"product_id": p.cheaper, "quantity": 1},
        headers=p.staff,
    )
    offer = r.json()
    assert offer["charged_unit_price"] == 4_000
    if answer == "decline":
        r = await client.post(
            f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/decline",
            headers=p.shop.headers,
        )
        assert r.status_code == 200, r.text
    else:
        clock.advance(timedelta(minutes=4, seconds=59))
        assert await lapse_substitutions(db, settings) == 0
        clock.advance(timedelta(seconds=2))
        # the customer is too late
        snap = await snapshot(db)
        r = await client.post(
            f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
            headers=p.shop.headers,
        )
        assert r.status_code == 409 and r.json()["code"] == "substitution_expired"
        assert await snapshot(db) == snap
        assert await lapse_substitutions(db, settings) == 1
        assert await lapse_substitutions(db, settings) == 0
    after = await _order(client, p.shop, p.order["id"])
    _adds_up(after)
    status = "declined" if answer == "decline" else "lapsed"
    assert after["substitutions"][0]["status"] == status
    assert {i["id"]: i["status"] for i in after["items"]}[milk["id"]] == "unavailable"
    assert after["total"] == p.order["total"] - 12_000
    assert after["payment"]["refunded"] == 12_000
    assert await stock_of(db, p.shop.store_id, p.cheaper) == (20, 0)
    assert await stock_of(db, p.shop.store_id, p.shop.products[1]) == (20, 0)
    # answered once only
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        headers=p.shop.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    await _audit_ok(db)


async def test_a_cash_orders_due_follows_and_may_grow_when_the_customer_agrees(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client, method="cod")
    bread, milk = p.line(p.shop.products[0]), p.line(p.shop.products[1])
    r = await client.post(f"{p.ops}/lines/{milk['id']}/unavailable", headers=p.staff)
    assert r.status_code == 200, r.text
    r = await client.post(
        f"{p.ops}/lines/{bread['id']}/substitutions",
        json={"product_id": p.dearer, "quantity": 2},
        headers=p.staff,
    )
    offer = r.json()
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        json={"pay_difference": True},
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    after = r.json()
    _adds_up(after)
    assert after["subtotal"] == 10_000  # 2 x 5,000: the store's price, agreed
    assert after["substitutions"][0]["paid_difference"] is True
    r = await client.get(f"/api/v1/payments/{after['payment']['id']}", headers=p.shop.headers)
    assert r.json()["amount"] == after["total"] and after["payment"]["refunded"] == 0
    assert await _refunds(db, p.order["id"]) == []
    await _audit_ok(db)


async def test_the_coupon_is_worked_out_again_on_the_new_subtotal(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await factories.login(client, await factories.make_user(db, "admin"))
    r = await client.post(
        "/api/v1/admin/coupons",
        json={"code": "TENOFF", "kind": "percent", "percent_off": 10},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    p = await _picking(db, client, coupon="TENOFF")
    assert p.order["discount"] == 2_100  # 10% of 21,000
    milk = p.line(p.shop.products[1])
    r = await client.post(f"{p.ops}/lines/{milk['id']}/unavailable", headers=p.staff)
    assert r.status_code == 200, r.text
    after = await _order(client, p.shop, p.order["id"])
    _adds_up(after)
    assert after["discount"] == 900  # 10% of 9,000
    assert after["payment"]["refunded"] == p.order["total"] - after["total"] == 12_000 - 1_200
    await _audit_ok(db)


async def test_nothing_left_to_deliver_cancels_the_order_and_refunds_all(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client, lines={0: 1})
    (bread,) = p.order["items"]
    r = await client.post(
        f"{p.ops}/lines/{bread['id']}/substitutions",
        json={"product_id": p.cheaper, "quantity": 1},
        headers=p.staff,
    )
    offer = r.json()
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/decline",
        headers=p.shop.headers,
    )
    assert r.status_code == 200, r.text
    await drain(db)
    after = await _order(client, p.shop, p.order["id"])
    assert after["status"] == "cancelled" and after["cancel_reason"] == "nothing_left_to_deliver"
    assert after["payment"]["refunded"] == p.order["total"]
    assert await stock_of(db, p.shop.store_id, p.shop.products[0]) == (20, 0)
    await _audit_ok(db)


async def test_cancelling_closes_the_open_proposals(
    db: Database, client: httpx.AsyncClient
) -> None:
    p = await _picking(db, client)
    bread = p.line(p.shop.products[0])
    offer = await _propose(client, p, bread, p.cheaper, 2)
    r = await client.post(f"/api/v1/orders/{p.order['id']}/cancel", headers=p.shop.headers)
    assert r.status_code == 200, r.text
    assert r.json()["substitutions"][0]["status"] == "lapsed"
    assert await stock_of(db, p.shop.store_id, p.cheaper) == (20, 0)
    r = await client.post(
        f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}/approve",
        headers=p.shop.headers,
    )
    assert r.status_code == 409
    await _audit_ok(db)


async def test_proposals_and_answers_reach_the_inbox_and_the_live_channels(
    db: Database, client: httpx.AsyncClient
) -> None:
    from sqlalchemy import select

    from kirana.kit.outbox import Event, OutboxEvent
    from kirana.live.channels import messages_for

    p = await _picking(db, client)
    bread = p.line(p.shop.products[0])
    offer = await _propose(client, p, bread, p.cheaper, 2)
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(OutboxEvent).where(OutboxEvent.type == "order.substitution_proposed")
            )
        ).scalar_one()
        event = Event(id=row.id, type=row.type, payload=row.payload, created_at=clock.now())
    assert event.payload["substitution_id"] == offer["id"] and event.payload["substitute_name"]
    pairs = messages_for(event)
    assert [c for c, _ in pairs] == [f"order:{p.order['id']}", f"store:{p.shop.store_id}"]
    assert {m.type for _, m in pairs} == {"order.substitution"}
    await drain(db)
    r = await client.get("/api/v1/me/notifications", headers=p.shop.headers)
    kinds = [n["kind"] for n in r.json()["items"]]
    assert kinds[0] == "order.substitution_proposed"
    assert r.json()["items"][0]["title"] == "Approve a substitute?"


async def test_refusals_change_nothing(db: Database, client: httpx.AsyncClient) -> None:
    p = await _picking(db, client)
    bread = p.line(p.shop.products[0])
    other_store = await factories.make_store(db)
    stranger = await factories.login(
        client, await factories.make_user(db, "store_staff", other_store)
    )
    outsider = await factories.login(client, await factories.make_user(db, "customer"))
    snap = await snapshot(db)
    line_url = f"{p.ops}/lines/{bread['id']}"
    cases: list[tuple[str, str, dict[str, str], object, int, str]] = [
        ("POST", f"{line_url}/unavailable", stranger, None, 404, "order_not_found"),
        ("POST", f"{p.ops}/lines/01ARZ3NDEKTSV4RRFFQ69G5FAV/unavailable", p.staff, None, 404,
         "line_not_found"),
        ("GET", f"{line_url}/substitutes", stranger, None, 404, "order_not_found"),
        ("POST", f"{line_url}/unavailable", p.shop.headers, None, 403, "role_required"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.elsewhere, "quantity": 1}, 422, "substitute_not_same_category"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.shop.products[0], "quantity": 1}, 422, "substitute_is_the_original"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.shop.products[1], "quantity": 1}, 409, "product_in_order"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "quantity": 1}, 404, "product_not_found"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.cheaper, "quantity": 21}, 409, "insufficient_stock"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.cheaper, "quantity": 0}, 422, "validation_failed"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.cheaper, "quantity": 1, "price": 1}, 422, "validation_failed"),
        ("POST", f"/api/v1/orders/{p.order['id']}/substitutions/01ARZ3NDEKTSV4RRFFQ69G5FAV/approve",
         p.shop.headers, None, 404, "substitution_not_found"),
    ]  # fmt: skip
    for method, url, headers, body, status, code in cases:
        r = await client.request(method, url, headers=headers, json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), (url, body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert await snapshot(db) == snap

    offer = (
        await client.post(
            f"{line_url}/substitutions",
            json={"product_id": p.cheaper, "quantity": 2},
            headers=p.staff,
        )
    ).json()
    snap = await snapshot(db)
    answer_url = f"/api/v1/orders/{p.order['id']}/substitutions/{offer['id']}"
    for method, url, headers, body, status, code in [
        ("POST", f"{answer_url}/approve", outsider, None, 404, "order_not_found"),
        ("POST", f"{answer_url}/approve", p.shop.headers, {"pay_difference": "maybe"}, 422,
         "validation_failed"),
        ("POST", f"{line_url}/substitutions", p.staff,
         {"product_id": p.dearer, "quantity": 1}, 409, "substitution_open"),
        ("POST", f"{line_url}/unavailable", p.staff, None, 409, "substitution_open"),
        ("POST", f"{p.ops}/packed", p.staff, None, 409, "substitution_open"),
    ]:  # fmt: skip
        r = await client.request(method, url, headers=headers, json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), (url, body, r.text)
    assert await snapshot(db) == snap


async def test_lines_change_only_while_picking(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()  # cash: confirmed, not yet picking
    (line,) = order["items"]
    snap = await snapshot(db)
    r = await client.post(
        f"/api/v1/store-ops/orders/{order['id']}/lines/{line['id']}/unavailable", headers=staff
    )
    assert r.status_code == 409 and r.json()["code"] == "order_not_picking"
    assert await snapshot(db) == snap
    owner = Principal(shop.customer["id"], "customer", None)
    async with db.transaction(write=False) as session:
        read = await service.get_order(session, owner, order["id"])
    assert read.items[0].status == "ordered" and read.substitutions == []
