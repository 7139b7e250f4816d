"""Cash on delivery that adds up: the rider records the cash at the hand-over, the ledger and
the cash held follow, admins settle it (never more than held, once when raced)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests.logistics.fleet import RiderLogin, add_rider, delivery_of, order, pack
from tests.orders.shop import Shop, make_admin, make_shop

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def _out_for_delivery(
    db: Database, client: httpx.AsyncClient, shop: Shop, rider: RiderLogin, method: str = "cod"
) -> tuple[dict[str, Any], str]:
    placed = await order(db, client, shop, method=method)
    await pack(db, client, shop, placed["id"])
    delivery_id = (await delivery_of(db, placed["id"]))["id"]
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery_id}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text
    return placed, delivery_id


async def _deliver(
    client: httpx.AsyncClient, rider: RiderLogin, delivery_id: str, otp: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/rider/deliveries/{delivery_id}/delivered",
        json={"otp": otp, **body},
        headers=rider.headers,
    )


async def _cash_rows(db: Database) -> list[tuple[Any, ...]]:
    async with db.transaction(write=False) as session:
        entries = [
            tuple(r)
            for r in await session.execute(
                text(
                    "SELECT rider_id, kind, amount, tendered, change_given, held_after"
                    " FROM rider_cash_entries ORDER BY id"
                )
            )
        ]
        held = [
            tuple(r)
            for r in await session.execute(text("SELECT id, cash_held FROM riders ORDER BY id"))
        ]
    return entries + held


async def _rider_id(db: Database, rider: RiderLogin) -> str:
    async with db.transaction(write=False) as session:
        return str(
            (
                await session.execute(
                    text("SELECT id FROM riders WHERE user_id = :u"), {"u": rider.user_id}
                )
            ).scalar_one()
        )


async def _rider_holding_cash(
    db: Database, client: httpx.AsyncClient
) -> tuple[dict[str, str], dict[str, Any], str]:
    """An admin, and a rider who delivered a cash order (exact cash): (admin, order, rider id)."""
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    placed, delivery_id = await _out_for_delivery(db, client, shop, rider)
    assert (await _deliver(client, rider, delivery_id, placed["delivery_otp"])).status_code == 200
    return admin, placed, await _rider_id(db, rider)


async def _audit(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    r = await client.get("/api/v1/admin/audit", headers=admin)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_cash_with_change_is_held_then_settled(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    placed, delivery_id = await _out_for_delivery(db, client, shop, rider)
    due = placed["total"]
    [task] = (await client.get("/api/v1/rider/tasks", headers=rider.headers)).json()["items"]
    assert task["amount_to_collect"] == due

    tendered = (due // 50_000 + 1) * 50_000  # a larger note; the rest is change
    r = await _deliver(
        client, rider, delivery_id, placed["delivery_otp"], cash={"tendered": tendered}
    )
    assert r.status_code == 200, r.text
    await drain(db)

    r = await client.get("/api/v1/rider/cash", headers=rider.headers)
    assert r.status_code == 200, r.text
    ledger = r.json()
    assert (ledger["cash_held"], ledger["collected_total"], ledger["settled_total"]) == (
        due,
        due,
        0,
    )
    [entry] = ledger["items"]
    assert (entry["kind"], entry["amount"], entry["tendered"], entry["change"]) == (
        "collected",
        due,
        tendered,
        tendered - due,
    )
    assert entry["order_id"] == placed["id"] and entry["held_after"] == due

    rider_id = await _rider_id(db, rider)
    r = await client.get("/api/v1/admin/riders?holding_cash=true", headers=admin)
    assert [(x["id"], x["cash_held"]) for x in r.json()["items"]] == [(rider_id, due)]
    assert (await _audit(client, admin))["ok"] is True

    settle = f"/api/v1/admin/riders/{rider_id}/cash/settlements"
    before = await _cash_rows(db)
    r = await client.post(settle, json={"amount": due + 1}, headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "cash_exceeds_held", r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["cash_held"] == due
    assert await _cash_rows(db) == before

    r = await client.post(settle, json={"amount": 1_000, "note": "part"}, headers=admin)
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["amount"], r.json()["held_after"]) == (
        "settled",
        -1_000,
        due - 1_000,
    )
    r = await client.post(settle, json={"amount": due - 1_000}, headers=admin)
    assert r.status_code == 201, r.text
    admin_id = (await client.get("/api/v1/me", headers=admin)).json()["id"]
    assert r.json()["by_id"] == admin_id and r.json()["at"]

    r = await client.get(f"/api/v1/admin/riders/{rider_id}/cash", headers=admin)
    ledger = r.json()
    assert (ledger["cash_held"], ledger["collected_total"], ledger["settled_total"]) == (
        0,
        due,
        due,
    )
    assert [e["kind"] for e in ledger["items"]] == ["settled", "settled", "collected"]
    r = await client.get("/api/v1/admin/riders?holding_cash=true", headers=admin)
    assert r.json()["items"] == []
    assert (await _audit(client, admin))["ok"] is True


async def test_exact_cash_and_an_omitted_body_both_collect_the_amount_due(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    first, d1 = await _out_for_delivery(db, client, shop, rider)
    r = await _deliver(
        client, rider, d1, first["delivery_otp"], cash={"tendered": first["total"], "change": 0}
    )
    assert r.status_code == 200, r.text
    second, d2 = await _out_for_delivery(db, client, shop, rider)
    r = await _deliver(client, rider, d2, second["delivery_otp"])  # the API.md body: exact cash
    assert r.status_code == 200, r.text
    await drain(db)
    ledger = (await client.get("/api/v1/rider/cash", headers=rider.headers)).json()
    assert ledger["cash_held"] == first["total"] + second["total"]
    assert [(e["tendered"], e["change"]) for e in ledger["items"]] == [
        (second["total"], 0),
        (first["total"], 0),
    ]
    assert (await _audit(client, admin))["ok"] is True


@pytest.mark.parametrize(
    ("cash", "status", "code"),
    [
        ({"tendered": 1}, 422, "cash_mismatch"),  # less than due
        ({"tendered": 10_000_000, "change": 0}, 422, "cash_mismatch"),  # change not given
        ({"tendered": 10_000_000, "change": 10_000_001}, 422, "validation_failed"),
        ({"tendered": -5}, 422, "validation_failed"),
        ({"tendered": "lots"}, 422, "validation_failed"),
        ({"tendered": 100, "coins": 1}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ],
)
async def test_cash_that_does_not_add_up_is_refused_and_nothing_is_written(
    db: Database, client: httpx.AsyncClient, cash: dict[str, Any], status: int, code: str
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    placed, delivery_id = await _out_for_delivery(db, client, shop, rider)
    before = (await _cash_rows(db), await delivery_of(db, placed["id"]))
    r = await _deliver(client, rider, delivery_id, placed["delivery_otp"], cash=cash)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "\n" not in r.json()["detail"]
    assert (await _cash_rows(db), await delivery_of(db, placed["id"])) == before


async def test_cash_for_an_order_paid_online_is_refused(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    placed = await order(db, client, shop, method="card")
    r = await client.post(
        f"/api/v1/payments/{placed['payment']['id']}/confirm",
        json={"card_number": "4242424242424242"},
        headers=shop.headers,
    )
    assert r.status_code == 200, r.text
    await drain(db)
    await pack(db, client, shop, placed["id"])
    delivery_id = (await delivery_of(db, placed["id"]))["id"]
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery_id}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text
    before = await _cash_rows(db)
    r = await _deliver(
        client, rider, delivery_id, placed["delivery_otp"], cash={"tendered": placed["total"]}
    )
    assert r.status_code == 422 and r.json()["code"] == "cash_not_due", r.text
    assert await _cash_rows(db) == before
    r = await _deliver(client, rider, delivery_id, placed["delivery_otp"])
    assert r.status_code == 200, r.text
    assert await _cash_rows(db) == before  # nothing collected for a card order


async def test_another_riders_delivery_and_ledger_are_not_theirs(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    admin = await make_admin(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    other = await add_rider(db, client, shop.store_id)
    placed, delivery_id = await _out_for_delivery(db, client, shop, rider)
    before = await _cash_rows(db)
    r = await _deliver(
        client, other, delivery_id, placed["delivery_otp"], cash={"tendered": placed["total"]}
    )
    assert r.status_code == 404 and r.json()["code"] == "delivery_not_found"
    assert await _cash_rows(db) == before
    r = await _deliver(client, rider, delivery_id, placed["delivery_otp"])
    assert r.status_code == 200
    ledger = (await client.get("/api/v1/rider/cash", headers=other.headers)).json()
    assert (ledger["cash_held"], ledger["items"]) == (0, [])
    rider_id = await _rider_id(db, rider)
    for path, method in (
        (f"/api/v1/admin/riders/{rider_id}/cash", "GET"),
        (f"/api/v1/admin/riders/{rider_id}/cash/settlements", "POST"),
    ):
        r = await client.request(method, path, json={"amount": 1}, headers=other.headers)
        assert r.status_code == 403, r.text
        r = await client.request(method, path, json={"amount": 1}, headers=shop.headers)
        assert r.status_code == 403, r.text
    # A customer is not a rider: the rider's own ledger is "not found" for them.
    r = await client.get("/api/v1/rider/cash", headers=shop.headers)
    assert r.status_code in (403, 404)
    r = await client.get(f"/api/v1/admin/riders/{UNKNOWN_ID}/cash", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "rider_not_found"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("settlements", {"amount": 0}, "validation_failed"),
        ("settlements", {"amount": -100}, "validation_failed"),
        ("settlements", {"amount": 1.5}, "validation_failed"),
        ("settlements", {}, "validation_failed"),
        ("settlements", {"amount": 100, "by": "me"}, "validation_failed"),
        ("settlements", {"amount": 100, "note": "x" * 201}, "validation_failed"),
        ("adjustments", {"amount": 0, "note": "miscount"}, "invalid_amount"),
        ("adjustments", {"amount": 100}, "validation_failed"),
        ("adjustments", {"amount": -1_000_000, "note": "miscount"}, "cash_exceeds_held"),
    ],
)
async def test_bad_settlements_are_refused_and_write_nothing(
    db: Database, client: httpx.AsyncClient, path: str, body: dict[str, Any], code: str
) -> None:
    admin, _, rider_id = await _rider_holding_cash(db, client)
    before = await _cash_rows(db)
    r = await client.post(f"/api/v1/admin/riders/{rider_id}/cash/{path}", json=body, headers=admin)
    assert 400 <= r.status_code < 500 and r.json()["code"] == code, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await _cash_rows(db) == before
    r = await client.post(
        f"/api/v1/admin/riders/{UNKNOWN_ID}/cash/{path}",
        json={"amount": 100, "note": "miscount"},
        headers=admin,
    )
    assert r.status_code == 404 and r.json()["code"] == "rider_not_found"
    assert await _cash_rows(db) == before


async def test_an_adjustment_moves_the_cash_held_with_its_reason(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin, placed, rider_id = await _rider_holding_cash(db, client)
    r = await client.post(
        f"/api/v1/admin/riders/{rider_id}/cash/adjustments",
        json={"amount": -500, "note": "torn note"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    ledger = (await client.get(f"/api/v1/admin/riders/{rider_id}/cash", headers=admin)).json()
    assert ledger["cash_held"] == placed["total"] - 500
    assert ledger["adjustments_total"] == -500 and ledger["items"][0]["note"] == "torn note"
    await drain(db)
    assert (await _audit(client, admin))["ok"] is True


async def test_two_settlements_raced_for_the_cash_held_settle_once(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin, placed, rider_id = await _rider_holding_cash(db, client)
    settle = f"/api/v1/admin/riders/{rider_id}/cash/settlements"
    held = placed["total"]

    answers = await asyncio.gather(
        *(client.post(settle, json={"amount": held}, headers=admin) for _ in range(4))
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409], [r.text for r in answers]
    # With one Idempotency-Key, racing requests are one settlement, each told of it.
    r = await client.post(
        f"/api/v1/admin/riders/{rider_id}/cash/adjustments",
        json={"amount": held, "note": "found in the bag"},
        headers=admin,
    )
    assert r.status_code == 201
    keyed = await asyncio.gather(
        *(
            client.post(
                settle, json={"amount": held}, headers={**admin, "Idempotency-Key": "deposit-1"}
            )
            for _ in range(3)
        )
    )
    assert [r.status_code for r in keyed] == [201, 201, 201], [r.text for r in keyed]
    assert len({r.json()["id"] for r in keyed}) == 1
    r = await client.post(
        settle, json={"amount": 1}, headers={**admin, "Idempotency-Key": "deposit-1"}
    )
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"

    ledger = (await client.get(f"/api/v1/admin/riders/{rider_id}/cash", headers=admin)).json()
    assert ledger["cash_held"] == 0
    assert [e["kind"] for e in ledger["items"]] == ["settled", "adjustment", "settled", "collected"]
    await drain(db)
    assert (await _audit(client, admin))["ok"] is True


async def test_the_auditor_finds_cash_held_that_the_ledger_does_not_explain(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin, _, _ = await _rider_holding_cash(db, client)
    await drain(db)
    async with db.transaction() as session:
        await session.execute(text("UPDATE riders SET cash_held = cash_held + 7"))
        await session.execute(
            text(
                "UPDATE rider_cash_entries SET amount = amount - 1, change_given = change_given + 1"
            )
        )
    kinds = {b["kind"] for b in (await _audit(client, admin))["breaches"]}
    assert kinds == {"cash_held_mismatch", "cash_collected_mismatch"}
