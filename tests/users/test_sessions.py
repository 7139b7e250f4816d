"""Changing the password needs the current one and ends every other session; a changed role or
store counts at once, whatever the access token says."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update

from kirana.kit.db import Database
from kirana.users.models import RefreshToken, User
from tests.factories import PASSWORD, make_store, make_user

NEW = "a-brand-new-password"


async def _login(client: httpx.AsyncClient, phone: str, password: str = PASSWORD) -> dict[str, str]:
    r = await client.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _account(db: Database, user_id: str) -> tuple[str, str, int, int]:
    async with db.transaction(write=False) as session:
        user = await session.get(User, user_id)
        assert user is not None
        revoked = await session.scalars(
            select(RefreshToken.id).where(
                RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_not(None)
            )
        )
        return user.password_hash, user.name, user.token_version, len(list(revoked))


async def test_a_new_password_needs_the_current_one(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db)
    tokens = await _login(client, user["phone"])
    before = await _account(db, user["id"])
    for body, code in [
        ({"password": NEW, "name": "Mallory"}, "current_password_required"),
        (
            {"password": NEW, "current_password": "not-it", "name": "Mallory"},
            "current_password_wrong",
        ),
    ]:
        r = await client.patch("/api/v1/me", json=body, headers=_bearer(tokens))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == code
        assert r.json()["errors"][0]["field"] == "current_password"
        assert await _account(db, user["id"]) == before  # nothing written, not even the name
    assert (await client.get("/api/v1/me", headers=_bearer(tokens))).status_code == 200
    await _login(client, user["phone"])  # the old password still works


async def test_changing_the_password_ends_every_other_session(
    client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db)
    mine = await _login(client, user["phone"])
    other = await _login(client, user["phone"])  # another device
    r = await client.patch(
        "/api/v1/me",
        json={"password": NEW, "current_password": PASSWORD},
        headers=_bearer(mine),
    )
    assert r.status_code == 200, r.text
    # Access tokens issued before the change are refused at their next use, both devices'.
    for tokens in (mine, other):
        r = await client.get("/api/v1/me", headers=_bearer(tokens))
        assert r.status_code == 401 and r.json()["code"] == "token_revoked", r.text
    # The other device's session is over; the caller's own refreshes and carries on.
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert r.status_code == 401
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": mine["refresh_token"]})
    assert r.status_code == 200, r.text
    assert (await client.get("/api/v1/me", headers=_bearer(r.json()))).status_code == 200
    # The new password signs in, the old one does not.
    await _login(client, user["phone"], NEW)
    r = await client.post("/api/v1/auth/login", json={"phone": user["phone"], "password": PASSWORD})
    assert r.status_code == 401


async def test_a_changed_role_or_store_counts_at_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    store = await make_store(db)
    elsewhere = await make_store(db)
    staff = await make_user(db, "store_staff", store_id=store)
    headers = _bearer(await _login(client, staff["phone"]))
    queue = f"/api/v1/store-ops/{store}/orders"
    assert (await client.get(queue, headers=headers)).status_code == 200
    async with db.transaction() as session:  # moved to another store
        await session.execute(update(User).where(User.id == staff["id"]).values(store_id=elsewhere))
    r = await client.get(queue, headers=headers)
    assert r.status_code == 404, r.text  # the old store's queue is no longer theirs to see
    async with db.transaction() as session:  # no longer staff at all
        await session.execute(
            update(User).where(User.id == staff["id"]).values(role="customer", store_id=None)
        )
    r = await client.get(f"/api/v1/store-ops/{elsewhere}/orders", headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "role_required", r.text
    async with db.transaction() as session:  # the account is closed
        await session.execute(update(User).where(User.id == staff["id"]).values(is_active=False))
    r = await client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "account_inactive"
