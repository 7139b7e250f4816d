"""The delivery state machine: every move of the table and nothing else."""

from __future__ import annotations

import httpx

from kirana.kit.db import Database
from kirana.logistics.state import DELIVERY, FINAL_STATUSES, DeliveryStatus, sources
from tests.logistics.fleet import add_rider, delivery_of, order, pack
from tests.orders.shop import make_shop
from tests.states import assert_schema_enum, assert_table

S = DeliveryStatus
EXPECTED = {
    (S.WAITING, S.ASSIGNED),
    (S.WAITING, S.CANCELLED),
    (S.ASSIGNED, S.PICKED_UP),
    (S.ASSIGNED, S.CANCELLED),
    (S.ASSIGNED, S.WAITING),
    (S.PICKED_UP, S.DELIVERED),
    (S.PICKED_UP, S.CANCELLED),
}


def test_the_table_allows_exactly_these_moves() -> None:
    assert DELIVERY.pairs() == EXPECTED
    assert_table(DeliveryStatus, EXPECTED, DELIVERY.check)


def test_conditional_updates_start_from_the_table() -> None:
    assert sources(S.ASSIGNED) == (S.WAITING,)
    assert sources(S.PICKED_UP) == (S.ASSIGNED,)
    assert sources(S.DELIVERED) == (S.PICKED_UP,)
    assert sources(S.CANCELLED) == (S.WAITING, S.ASSIGNED, S.PICKED_UP)
    assert sources(S.WAITING) == (S.ASSIGNED,)
    assert not any(a in FINAL_STATUSES for a, _ in DELIVERY.pairs())


def test_openapi_names_the_statuses_as_an_enum() -> None:
    assert_schema_enum(DeliveryStatus)


async def test_an_illegal_move_answers_409_problem_json(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    placed = await order(db, client, shop)
    await pack(db, client, shop, placed["id"])
    delivery = await delivery_of(db, placed["id"])
    assert delivery["status"] == "assigned"
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery['id']}/delivered",
        json={"otp": placed["delivery_otp"]},
        headers=rider.headers,
    )
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "invalid_transition"
    assert (body["status_now"], body["requested"]) == ("assigned", "delivered")
    assert (await delivery_of(db, placed["id"]))["status"] == "assigned"
