"""Admins onboard pickers and riders from the panel: the person signs in with a phone code and
has the role and store given; moving or deactivating someone counts at once; bad input is a
clear 4xx that writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kirana.config import Settings
from kirana.kit.db import Database
from tests import factories
from tests.logistics.fleet import add_rider, delivery_of, order, shift
from tests.orders.shop import make_admin, make_shop
from tests.users.test_otp import REQUEST, VERIFY, sent_code
from tests.users.test_otp import counts as user_counts

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
TEAM = "/api/v1/admin/team"


async def _sign_in_by_code(
    db: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    phone: str,
) -> dict[str, Any]:
    r = await client.post(REQUEST, json={"phone": phone})
    assert r.status_code == 202, r.text
    code = await sent_code(db, settings, caplog, phone)
    r = await client.post(VERIFY, json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _rider_row(
    client: httpx.AsyncClient, admin: dict[str, str], user_id: str
) -> dict[str, Any]:
    """The rider as the admin riders list shows it."""
    riders = (await client.get("/api/v1/admin/riders", params={"limit": 100}, headers=admin)).json()
    found = [r for r in riders["items"] if r["user_id"] == user_id]
    assert found, user_id
    return found[0]


async def test_an_onboarded_rider_and_picker_sign_in_by_code_with_their_role_and_store(
    db: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = await make_admin(db, client)
    store_id = await factories.make_store(db)
    r = await client.post(
        TEAM,
        json={
            "role": "rider",
            "phone": "+358 40 123 4567",
            "name": "Aino Rider",
            "store_id": store_id,
            "vehicle": "bicycle",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    rider = r.json()
    assert rider["phone"] == "+358401234567"  # stored in E.164
    assert (rider["role"], rider["store_id"], rider["vehicle"]) == ("rider", store_id, "bicycle")
    assert rider["rider_id"] and rider["is_online"] is False and rider["is_active"] is True
    r = await client.post(
        TEAM,
        json={
            "role": "store_staff",
            "phone": "+358401234568",
            "name": "Eero",
            "store_id": store_id,
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    picker = r.json()
    assert picker["rider_id"] is None and picker["vehicle"] is None

    # No password anyone knows: they sign in with a code, as who the admin said.
    tokens = await _sign_in_by_code(db, settings, client, caplog, rider["phone"])
    assert tokens["new_account"] is False and tokens["user"]["roles"] == ["rider"]
    as_rider = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = await client.get("/api/v1/rider/tasks", headers=as_rider)
    assert r.status_code == 200, r.text
    me = await _rider_row(client, admin, rider["user_id"])
    assert (me["store_id"], me["vehicle"], me["name"]) == (store_id, "bicycle", "Aino Rider")
    tokens = await _sign_in_by_code(db, settings, client, caplog, picker["phone"])
    as_picker = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = await client.get(f"/api/v1/store-ops/{store_id}/orders", headers=as_picker)
    assert r.status_code == 200, r.text

    # The list: newest first, by role and by store.
    listed = (await client.get(TEAM, params={"store_id": store_id}, headers=admin)).json()
    assert [m["user_id"] for m in listed["items"]] == [picker["user_id"], rider["user_id"]]
    riders = (await client.get(TEAM, params={"role": "rider"}, headers=admin)).json()
    assert rider["user_id"] in {m["user_id"] for m in riders["items"]}
    assert all(m["role"] == "rider" for m in riders["items"])
    page = (await client.get(TEAM, params={"store_id": store_id, "limit": 1}, headers=admin)).json()
    rest = (
        await client.get(
            TEAM,
            params={"store_id": store_id, "limit": 1, "cursor": page["next_cursor"]},
            headers=admin,
        )
    ).json()
    assert [m["user_id"] for m in page["items"] + rest["items"]] == [
        picker["user_id"],
        rider["user_id"],
    ]
    assert rest["next_cursor"] is None


async def test_moving_or_deactivating_counts_at_once_and_ends_the_shift(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    store_id = await factories.make_store(db)
    other = await factories.make_store(db)
    rider = await add_rider(db, client, store_id)
    await shift(client, rider, True)

    r = await client.patch(
        f"{TEAM}/{rider.user_id}", json={"store_id": other, "vehicle": "motorbike"}, headers=admin
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert (moved["store_id"], moved["vehicle"], moved["is_online"]) == (other, "motorbike", False)
    me = await _rider_row(client, admin, rider.user_id)
    assert (me["store_id"], me["is_online"], me["vehicle"]) == (other, False, "motorbike")

    r = await client.patch(f"{TEAM}/{rider.user_id}", json={"is_active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = await client.get("/api/v1/rider/tasks", headers=rider.headers)
    assert r.status_code == 401 and r.json()["code"] == "account_inactive"
    r = await client.patch(f"{TEAM}/{rider.user_id}", json={"is_active": True}, headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is True


async def test_a_rider_on_a_delivery_is_neither_moved_nor_deactivated(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True, at=(60.171, 24.94))
    placed = await order(db, client, shop)  # dispatch gives it to the one rider on shift
    assert (await delivery_of(db, placed["id"]))["rider_user_id"] == rider.user_id
    other = await factories.make_store(db)
    for body in ({"store_id": other}, {"is_active": False}):
        r = await client.patch(f"{TEAM}/{rider.user_id}", json=body, headers=admin)
        assert r.status_code == 409 and r.json()["code"] == "delivery_in_progress", r.text
    me = await _rider_row(client, admin, rider.user_id)
    assert me["store_id"] == shop.store_id and me["is_online"] is True
    # a rename is fine
    r = await client.patch(f"{TEAM}/{rider.user_id}", json={"name": "New Name"}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "New Name"


async def test_bad_team_input_is_refused_and_writes_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    store_id = await factories.make_store(db)
    taken = await factories.make_user(db, "customer")
    customer_headers = await factories.login(client, taken)
    good = {"role": "rider", "phone": "+358401112223", "name": "R", "store_id": store_id}
    before = await user_counts(db)
    cases: list[tuple[dict[str, Any], dict[str, str], int, str]] = [
        ({**good, "phone": taken["phone"]}, admin, 409, "phone_taken"),
        ({**good, "store_id": UNKNOWN_ID}, admin, 404, "store_not_found"),
        ({**good, "role": "admin"}, admin, 422, "validation_failed"),
        ({**good, "role": "customer"}, admin, 422, "validation_failed"),
        ({**good, "phone": "12"}, admin, 422, "validation_failed"),
        ({**good, "phone": "not a phone"}, admin, 422, "validation_failed"),
        ({**good, "name": ""}, admin, 422, "validation_failed"),
        ({**good, "name": "x" * 121}, admin, 422, "validation_failed"),
        ({**good, "vehicle": "rocket"}, admin, 422, "validation_failed"),
        (
            {**good, "role": "store_staff", "vehicle": "bicycle"},
            admin,
            422,
            "vehicle_for_rider_only",
        ),
        ({**good, "password": "secret123"}, admin, 422, "validation_failed"),
        ({k: v for k, v in good.items() if k != "store_id"}, admin, 422, "validation_failed"),
        (good, {}, 401, "token_missing"),
        (good, customer_headers, 403, "role_required"),
    ]
    for body, headers, status, code in cases:
        r = await client.post(TEAM, json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == code, (body, r.text)
    assert await user_counts(db) == before

    picker = (await client.post(TEAM, json={**good, "role": "store_staff"}, headers=admin)).json()
    before = await user_counts(db)
    patches: list[tuple[str, dict[str, Any], dict[str, str], int, str]] = [
        (picker["user_id"], {}, admin, 422, "nothing_to_change"),
        (picker["user_id"], {"name": None}, admin, 422, "nothing_to_change"),
        (picker["user_id"], {"vehicle": "bicycle"}, admin, 422, "vehicle_for_rider_only"),
        (picker["user_id"], {"store_id": UNKNOWN_ID}, admin, 404, "store_not_found"),
        (picker["user_id"], {"role": "admin"}, admin, 422, "validation_failed"),
        (picker["user_id"], {"is_active": "maybe"}, admin, 422, "validation_failed"),
        (taken["id"], {"name": "x"}, admin, 404, "team_member_not_found"),
        (UNKNOWN_ID, {"name": "x"}, admin, 404, "team_member_not_found"),
        (picker["user_id"], {"name": "x"}, customer_headers, 403, "role_required"),
    ]
    for user_id, body, headers, status, code in patches:
        r = await client.patch(f"{TEAM}/{user_id}", json=body, headers=headers)
        assert r.status_code == status, (user_id, body, r.text)
        assert r.json()["code"] == code, (body, r.text)
    assert await user_counts(db) == before
    listed = (await client.get(TEAM, params={"store_id": store_id}, headers=admin)).json()
    assert [(m["name"], m["store_id"]) for m in listed["items"]] == [("R", store_id)]
    for params in ({"role": "admin"}, {"limit": 0}, {"store_id": ""}, {"cursor": "x" * 300}):
        r = await client.get(TEAM, params=params, headers=admin)
        assert r.status_code == 422, (params, r.text)
