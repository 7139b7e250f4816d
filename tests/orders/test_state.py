"""The order state machine: every move of the table, who may make it, and nothing else."""

from __future__ import annotations

import httpx
import pytest

from kirana.kit.db import Database
from kirana.kit.transitions import InvalidTransition
from kirana.orders import state
from kirana.orders.state import OrderStatus
from tests import factories
from tests.orders.shop import fill_cart, make_shop, place
from tests.states import assert_schema_enum, assert_table

S = OrderStatus
ROLES = ("customer", "store_staff", "rider", "admin", "system")
EXPECTED = {
    (S.PENDING_PAYMENT, S.CONFIRMED): {"system"},
    (S.CONFIRMED, S.PICKING): {"store_staff", "admin"},
    (S.PICKING, S.PACKED): {"store_staff", "admin"},
    (S.PACKED, S.OUT_FOR_DELIVERY): {"rider", "admin", "system"},
    (S.OUT_FOR_DELIVERY, S.DELIVERED): {"rider", "admin", "system"},
    (S.PENDING_PAYMENT, S.CANCELLED): {"customer", "system", "admin"},
    (S.CONFIRMED, S.CANCELLED): {"customer", "system", "admin"},
    (S.PICKING, S.CANCELLED): {"customer", "system", "admin"},
    (S.PACKED, S.CANCELLED): {"admin"},
}


def test_the_statuses_are_the_public_contracts() -> None:
    assert [s.value for s in OrderStatus] == [
        "pending_payment",
        "confirmed",
        "picking",
        "packed",
        "out_for_delivery",
        "delivered",
        "cancelled",
    ]
    assert {k: set(v) for k, v in state.TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("role", ROLES)
def test_each_role_makes_exactly_its_moves(role: str) -> None:
    mine = {move for move, roles in EXPECTED.items() if role in roles}
    assert_table(OrderStatus, mine, lambda a, b: state.check(a, b, state.Actor("u", role)))


def test_a_refusal_says_who_could_not() -> None:
    with pytest.raises(InvalidTransition) as refused:
        state.check(S.PACKED, S.CANCELLED, state.Actor("u", "customer"))
    assert refused.value.detail == "An order that is packed cannot become cancelled by a customer"
    with pytest.raises(InvalidTransition) as refused:
        state.check(S.DELIVERED, S.CONFIRMED, state.SYSTEM)
    assert refused.value.detail == "An order that is delivered cannot become confirmed"


def test_nothing_leaves_delivered_or_cancelled() -> None:
    for final in (S.DELIVERED, S.CANCELLED):
        assert not any(a == final for a, _ in state.TRANSITIONS)
    assert set(OrderStatus) - {S.DELIVERED, S.CANCELLED} == state.OPEN_STATUSES


def test_openapi_names_the_statuses_as_an_enum() -> None:
    assert_schema_enum(OrderStatus)


async def test_an_illegal_move_answers_409_problem_json(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    staff = await factories.login(
        client, await factories.make_user(db, "store_staff", shop.store_id)
    )
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    assert order["status"] == "confirmed"
    r = await client.post(f"/api/v1/store-ops/orders/{order['id']}/packed", headers=staff)
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "invalid_transition" and body["status"] == 409
    assert (body["status_now"], body["requested"]) == ("confirmed", "packed")
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert r.json()["status"] == "confirmed"
    assert [e["status"] for e in r.json()["timeline"]] == ["pending_payment", "confirmed"]
