"""Access tokens: PyJWT checks them, only verified ones are cached, a malformed claim is a 401."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from kirana.kit import security
from kirana.kit.db import Database
from tests.factories import login, make_user


def _sign(app: FastAPI, **claims: Any) -> str:
    return jwt.encode(claims, app.state.settings.secret_key, algorithm="HS256")


def _base(user_id: str) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": user_id, "iat": now, "exp": now + 600, "typ": "access", "role": "customer"}


async def test_a_malformed_claim_is_a_401_never_a_500(
    app: FastAPI, client: httpx.AsyncClient, db: Database
) -> None:
    user = await make_user(db)
    good = _base(user["id"])
    bad: list[dict[str, Any]] = [
        {**good, "exp": "soon"},
        {**good, "exp": True},
        {**good, "exp": 1.5e12},
        {**good, "iat": "now"},
        {k: v for k, v in good.items() if k != "sub"},
        {**good, "sub": 42},
        {**good, "sub": ""},
        {**good, "sub": ["a"]},
        {**good, "role": ["admin"]},
        {**good, "store_id": {"id": "x"}},
        {**good, "typ": "refresh"},
        {k: v for k, v in good.items() if k != "typ"},
    ]
    for claims in bad:
        token = _sign(app, **claims)
        r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, (claims, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "invalid_token"
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {_sign(app, **good)}"})
    assert r.status_code == 200, r.text


async def test_only_verified_tokens_are_cached(
    app: FastAPI, client: httpx.AsyncClient, db: Database
) -> None:
    security.verified_tokens.clear()
    user = await make_user(db)
    headers = await login(client, user)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert len(security.verified_tokens) == 1
    held = security.verified_tokens.bytes
    forged = jwt.encode(_base(user["id"]), "not-our-secret-not-our-secret-xx", algorithm="HS256")
    for i in range(300):
        for token in (f"{forged}{i}", f"garbage-{i}-" + "x" * 2000, f"{forged[:-4]}{i:04d}"):
            r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401
    assert len(security.verified_tokens) == 1
    assert security.verified_tokens.bytes == held


def test_the_cache_is_bounded_by_bytes_and_entries() -> None:
    cache = security.TokenCache(max_entries=1000, max_bytes=20_000)
    for i in range(200):
        cache.put("s", f"{i:04d}" + "t" * 400, {"sub": str(i)})
        assert cache.bytes <= 20_000
    assert 0 < len(cache) < 200
    assert cache.get("s", "0199" + "t" * 400) == {"sub": "199"}  # the newest stay
    assert cache.get("s", "0000" + "t" * 400) is None
    cache.put("s", "x" * (security.LARGEST_KEPT + 1), {"sub": "big"})
    assert cache.get("s", "x" * (security.LARGEST_KEPT + 1)) is None
    few = security.TokenCache(max_entries=3, max_bytes=10**9)
    for i in range(10):
        few.put("s", str(i), {})
    assert len(few) == 3


@pytest.mark.parametrize("secret", ["another-secret-another-secret-xx"])
def test_a_token_is_checked_against_the_secret_it_is_used_with(secret: str) -> None:
    token, _ = security.create_access_token("u1", "the-first-secret-the-first-secret", 15)
    assert security.decode_access_token(token, "the-first-secret-the-first-secret") is not None
    assert security.decode_access_token(token, secret) is None
    none = jwt.encode({"sub": "u1", "iat": 1, "exp": 2**40, "typ": "access"}, None, "none")
    assert security.decode_access_token(none, secret) is None
