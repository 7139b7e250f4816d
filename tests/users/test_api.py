"""The users service over HTTP: registration, login, rotation, profile, addresses, bad input."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.users.models import Address, RefreshToken, User
from tests.factories import login, make_user, next_phone

pytestmark = pytest.mark.asyncio

ADDRESS = {
    "label": "Home",
    "line1": "Mannerheimintie 1",
    "city": "Helsinki",
    "pincode": "00100",
    "lat": 60.1699,
    "lng": 24.9384,
}


async def register(client: httpx.AsyncClient, phone: str | None = None) -> dict:
    r = await client.post(
        "/api/v1/auth/register",
        json={"phone": phone or next_phone(), "password": "s3cret-pass", "name": "Asha"},
    )
    assert r.status_code == 201, r.text
    return r.json()


async def count(db: Database, model: type) -> int:
    async with db.transaction(write=False) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_register_login_me(client: httpx.AsyncClient) -> None:
    phone = next_phone()
    body = await register(client, phone)
    assert body["user"]["phone"] == phone and body["user"]["roles"] == ["customer"]
    assert body["token_type"] == "bearer"
    r = await client.post("/api/v1/auth/login", json={"phone": phone, "password": "s3cret-pass"})
    assert r.status_code == 200 and r.json()["expires_in"] == 900
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
    )
    assert me.json() == {
        "id": body["user"]["id"],
        "phone": phone,
        "name": "Asha",
        "email": None,
        "roles": ["customer"],
        "store_id": None,
    }


async def test_phone_taken_and_bad_register_write_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    phone = next_phone()
    await register(client, phone)
    r = await client.post(
        "/api/v1/auth/register", json={"phone": phone, "password": "another-pass", "name": "B"}
    )
    assert r.status_code == 409 and r.json()["code"] == "phone_taken"
    assert r.headers["content-type"] == "application/problem+json"
    for bad in (
        {"phone": "98765", "password": "longenough", "name": "x"},
        {"phone": next_phone(), "password": "short", "name": "x"},
        {"phone": next_phone(), "password": "longenough"},
        {"phone": 12345, "password": "longenough", "name": "x"},
        {"phone": next_phone(), "password": "longenough", "name": "x", "role": "admin"},
    ):
        r = await client.post("/api/v1/auth/register", json=bad)
        assert r.status_code == 422, bad
        assert r.json()["code"] == "validation_failed" and r.json()["errors"]
    r = await client.post(
        "/api/v1/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["code"] == "malformed_json"
    assert await count(db, User) == 1


async def test_wrong_password_is_401(client: httpx.AsyncClient) -> None:
    phone = next_phone()
    await register(client, phone)
    for body in (
        {"phone": phone, "password": "wrong-pass"},
        {"phone": next_phone(), "password": "whatever1"},
    ):
        r = await client.post("/api/v1/auth/login", json=body)
        assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"


async def test_refresh_rotates_and_reuse_revokes_family(
    client: httpx.AsyncClient, db: Database
) -> None:
    first = (await register(client))["refresh_token"]
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 200
    second = r.json()["refresh_token"]
    assert second != first
    # The spent token comes back: the whole family dies, including the live second token.
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 401 and r.json()["code"] == "refresh_token_reused"
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": second})
    assert r.status_code == 401 and r.json()["code"] == "invalid_refresh_token"
    async with db.transaction(write=False) as s:
        live = await s.scalar(
            select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
        )
    assert live == 0


async def test_logout_revokes(client: httpx.AsyncClient) -> None:
    token = (await register(client))["refresh_token"]
    assert (
        await client.post("/api/v1/auth/logout", json={"refresh_token": token})
    ).status_code == 204
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert r.status_code == 401


async def test_tokens_missing_forged_expired(client: httpx.AsyncClient, db: Database) -> None:
    r = await client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "token_missing"
    forged = jwt.encode(
        {"sub": "x", "iat": 0, "exp": 9999999999, "typ": "access"}, "not-the-key", algorithm="HS256"
    )
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 401
    headers = await login(client, await make_user(db))
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    clock.advance(timedelta(minutes=16))
    r = await client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


async def test_profile_edit(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db)
    headers = await login(client, user)
    r = await client.patch(
        "/api/v1/me", json={"name": "New Name", "email": "a@example.com"}, headers=headers
    )
    assert (
        r.status_code == 200
        and r.json()["name"] == "New Name"
        and r.json()["email"] == "a@example.com"
    )
    r = await client.patch("/api/v1/me", json={"email": "not-an-email"}, headers=headers)
    assert r.status_code == 422
    r = await client.patch("/api/v1/me", json={"name": None}, headers=headers)
    assert r.status_code == 422
    assert (await client.get("/api/v1/me", headers=headers)).json()["name"] == "New Name"


async def test_addresses_crud_and_isolation(client: httpx.AsyncClient, db: Database) -> None:
    alice = await login(client, await make_user(db))
    bob = await login(client, await make_user(db))
    r = await client.post("/api/v1/me/addresses", json=ADDRESS, headers=alice)
    assert r.status_code == 201
    address = r.json()
    assert {k: address[k] for k in ADDRESS} == ADDRESS
    r = await client.patch(
        f"/api/v1/me/addresses/{address['id']}", json={"label": "Work"}, headers=alice
    )
    assert r.status_code == 200 and r.json()["label"] == "Work"
    # Bob cannot see, edit or delete Alice's address: it is "not found" for him.
    assert (
        await client.get(f"/api/v1/me/addresses/{address['id']}", headers=bob)
    ).status_code == 404
    assert (
        await client.patch(
            f"/api/v1/me/addresses/{address['id']}", json={"label": "X"}, headers=bob
        )
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/me/addresses/{address['id']}", headers=bob)
    ).status_code == 404
    assert (await client.get("/api/v1/me/addresses", headers=bob)).json() == {
        "items": [],
        "next_cursor": None,
    }
    r = await client.get("/api/v1/me/addresses", headers=alice)
    assert [a["label"] for a in r.json()["items"]] == ["Work"]
    assert (
        await client.delete(f"/api/v1/me/addresses/{address['id']}", headers=alice)
    ).status_code == 204
    assert (
        await client.get(f"/api/v1/me/addresses/{address['id']}", headers=alice)
    ).status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {**ADDRESS, "lat": 91},
        {**ADDRESS, "lng": -181},
        {**ADDRESS, "lat": "north"},
        {k: v for k, v in ADDRESS.items() if k != "line1"},
        {**ADDRESS, "pincode": "<script>"},
        {**ADDRESS, "label": ""},
    ],
)
async def test_bad_addresses_write_nothing(
    client: httpx.AsyncClient, db: Database, bad: dict
) -> None:
    headers = await login(client, await make_user(db))
    r = await client.post("/api/v1/me/addresses", json=bad, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"
    assert await count(db, Address) == 0


async def test_patch_address_rejects_nulls_and_ranges(
    client: httpx.AsyncClient, db: Database
) -> None:
    headers = await login(client, await make_user(db))
    aid = (await client.post("/api/v1/me/addresses", json=ADDRESS, headers=headers)).json()["id"]
    for bad in ({"lat": 100}, {"line1": None}, {"unknown": 1}):
        r = await client.patch(f"/api/v1/me/addresses/{aid}", json=bad, headers=headers)
        assert r.status_code == 422, bad
    r = await client.get(f"/api/v1/me/addresses/{aid}", headers=headers)
    assert r.json()["lat"] == ADDRESS["lat"] and r.json()["line1"] == ADDRESS["line1"]
