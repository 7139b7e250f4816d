"""Phone code login: the code goes out by SMS after the request commits, works once, expires,
allows only so many wrong tries, and is asked for only so often per phone and per address."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.main import create_app
from kirana.notifications import dispatch
from kirana.notifications.channels import build_channels
from tests import factories

REQUEST, VERIFY = "/api/v1/auth/otp/request", "/api/v1/auth/otp/verify"
TABLES = ("users", "login_codes", "notification_deliveries", "refresh_tokens")


async def counts(db: Database) -> dict[str, int]:
    async with db.transaction(write=False) as session:
        return {
            t: (await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in TABLES
        }


async def sent_code(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture, phone: str
) -> str:
    """Run the sender once and read the code the console SMS channel logged for ``phone``."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kirana.sms"):
        await dispatch.send_due(db, settings, build_channels(settings))
    lines = [r.getMessage() for r in caplog.records if r.name == "kirana.sms"]
    found = [m for m in lines if m.startswith(f"SMS to {phone}:")]
    assert found, lines
    match = re.search(r"\b(\d{6}) is your Kirana login code", found[-1])
    assert match, found[-1]
    return match[1]


async def test_first_verify_registers_the_phone_and_the_code_works_once(
    db: Database, client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    phone = factories.next_phone()
    r = await client.post(REQUEST, json={"phone": phone})
    assert r.status_code == 202, r.text
    assert r.json() == {"expires_in": settings.otp_ttl_seconds}
    code = await sent_code(db, settings, caplog, phone)
    async with db.transaction(write=False) as session:
        stored = (await session.execute(text("SELECT code_hash FROM login_codes"))).scalar_one()
        body = (
            await session.execute(text("SELECT body FROM notification_deliveries"))
        ).scalar_one()
    assert code not in stored and len(stored) == 64  # only an HMAC at rest
    assert code not in body  # the SMS text is blanked once sent

    r = await client.post(VERIFY, json={"phone": phone, "code": code, "name": "Meera"})
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["new_account"] is True and tokens["user"]["phone"] == phone
    assert tokens["user"]["name"] == "Meera"
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200 and me.json()["phone"] == phone

    # single use
    r = await client.post(VERIFY, json={"phone": phone, "code": code})
    assert r.status_code == 401 and r.json()["code"] == "invalid_code"

    # a second login with a new code finds the same account
    await client.post(REQUEST, json={"phone": phone})
    code = await sent_code(db, settings, caplog, phone)
    r = await client.post(VERIFY, json={"phone": phone, "code": code})
    assert r.status_code == 200 and r.json()["new_account"] is False
    assert r.json()["user"]["id"] == tokens["user"]["id"]


async def test_an_existing_password_account_signs_in_with_a_code(
    db: Database, client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    user = await factories.make_user(db, "customer")
    await client.post(REQUEST, json={"phone": user["phone"]})
    code = await sent_code(db, settings, caplog, user["phone"])
    r = await client.post(VERIFY, json={"phone": user["phone"], "code": code})
    assert r.status_code == 200 and r.json()["user"]["id"] == user["id"]
    assert r.json()["new_account"] is False


async def test_codes_expire_and_a_new_code_replaces_the_old(
    db: Database, client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    phone = factories.next_phone()
    await client.post(REQUEST, json={"phone": phone})
    code = await sent_code(db, settings, caplog, phone)
    clock.advance(timedelta(seconds=settings.otp_ttl_seconds + 1))
    r = await client.post(VERIFY, json={"phone": phone, "code": code})
    assert r.status_code == 401 and r.json()["code"] == "invalid_code"
    assert "expired" in r.json()["detail"]

    await client.post(REQUEST, json={"phone": phone})
    first = await sent_code(db, settings, caplog, phone)
    await client.post(REQUEST, json={"phone": phone})
    second = await sent_code(db, settings, caplog, phone)
    if first != second:
        r = await client.post(VERIFY, json={"phone": phone, "code": first})
        assert r.status_code == 401
    r = await client.post(VERIFY, json={"phone": phone, "code": second})
    assert r.status_code == 200


async def test_wrong_tries_are_counted_and_the_last_spends_the_code(
    db: Database, client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    phone = factories.next_phone()
    await client.post(REQUEST, json={"phone": phone})
    code = await sent_code(db, settings, caplog, phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    left = []
    for _ in range(settings.otp_max_attempts):
        r = await client.post(VERIFY, json={"phone": phone, "code": wrong})
        assert r.status_code == 401 and r.json()["code"] == "invalid_code"
        left.append(r.json()["attempts_left"])
    assert left == list(range(settings.otp_max_attempts - 1, -1, -1))
    r = await client.post(VERIFY, json={"phone": phone, "code": code})
    assert r.status_code == 401  # the right code no longer works
    assert (await counts(db))["users"] == 0


@pytest.fixture
async def limited(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    tight = settings.model_copy(update={"otp_requests_per_phone": 2, "otp_requests_per_address": 4})
    app = create_app(tight)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def test_requests_are_limited_per_phone_and_per_address(
    limited: httpx.AsyncClient,
) -> None:
    phone = factories.next_phone()
    assert [(await limited.post(REQUEST, json={"phone": phone})).status_code for _ in range(3)] == [
        202,
        202,
        429,
    ]
    r = await limited.post(REQUEST, json={"phone": factories.next_phone()})
    assert r.status_code == 202  # another phone: the address's fourth request
    r = await limited.post(REQUEST, json={"phone": phone})
    assert r.json()["code"] == "otp_rate_limited" and "from this address" in r.json()["detail"]
    assert int(r.headers.get("retry-after", r.json()["retry_after"])) > 0


async def test_a_phone_is_limited_whatever_the_address(settings: Settings) -> None:
    tight = settings.model_copy(update={"otp_requests_per_phone": 1})
    app = create_app(tight)
    phone = factories.next_phone()
    async with LifespanManager(app):
        statuses = []
        for address in ("10.0.0.1", "10.0.0.2"):
            transport = httpx.ASGITransport(app=app, client=(address, 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                r = await c.post(REQUEST, json={"phone": phone})
                statuses.append(r.status_code)
    assert statuses == [202, 429]
    assert "for this phone number" in r.json()["detail"]


async def test_bad_input_writes_nothing(db: Database, client: httpx.AsyncClient) -> None:
    before = await counts(db)
    phone = factories.next_phone()
    for url, body in [
        (REQUEST, {}),
        (REQUEST, {"phone": "12"}),
        (REQUEST, {"phone": phone, "extra": 1}),
        (REQUEST, {"phone": None}),
        (VERIFY, {"phone": phone}),
        (VERIFY, {"phone": phone, "code": "12ab56"}),
        (VERIFY, {"phone": phone, "code": "1234567"}),
        (VERIFY, {"phone": "nope", "code": "123456"}),
        (VERIFY, {"phone": phone, "code": "123456", "name": ""}),
    ]:
        r = await client.post(url, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post(VERIFY, json={"phone": phone, "code": "123456"})
    assert r.status_code == 401  # no code was ever sent
    assert await counts(db) == before


async def test_no_sms_provider_no_code_login(settings: Settings, db_url: str) -> None:
    off = settings.model_copy(update={"sms_provider": "none"})
    app = create_app(off)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        r = await c.post(REQUEST, json={"phone": factories.next_phone()})
    assert r.status_code == 503 and r.json()["code"] == "otp_unavailable"


async def test_two_verifies_of_one_code_sign_in_once(
    db: Database, client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    phone = factories.next_phone()
    await client.post(REQUEST, json={"phone": phone})
    code = await sent_code(db, settings, caplog, phone)
    answers = await asyncio.gather(
        *(client.post(VERIFY, json={"phone": phone, "code": code}) for _ in range(3))
    )
    assert sorted(r.status_code for r in answers) == [200, 401, 401]
    assert (await counts(db))["users"] == 1
