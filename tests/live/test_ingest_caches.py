"""A location report over HTTP reads the account and the rider's state from caches and opens
no transaction unless one is needed (a cache miss reads, a due sample writes); what it is
checked against still changes at once: a shift ended, an account deactivated, a token
revoked or expired."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.users import service as users
from tests import factories
from tests.conftest import QueryCounter
from tests.logistics.fleet import STORE_LAT, STORE_LNG, RiderLogin, add_rider
from tests.orders.shop import make_shop

URL = "/api/v1/rider/location"
SPOT = {"lat": STORE_LAT, "lng": STORE_LNG}


async def test_a_report_touches_the_database_only_for_a_due_sample(
    db: Database, client: httpx.AsyncClient, count_queries: QueryCounter
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    assert (await client.post(URL, json=SPOT, headers=rider.headers)).status_code == 200
    count_queries.statements.clear()
    for _ in range(3):  # the account and the state cached, no sample due
        r = await client.post(URL, json=SPOT, headers=rider.headers)
        assert r.status_code == 200, r.text
    assert count_queries.statements == []
    clock.advance(timedelta(seconds=16))  # a sample is due: one write, nothing read
    r = await client.post(URL, json=SPOT, headers=rider.headers)
    assert r.status_code == 200, r.text
    assert [s.split(None, 1)[0] for s in count_queries.statements] == ["UPDATE"]
    assert r.json()["last_seen_at"] is not None


async def test_a_cached_rider_is_refused_at_once_when_its_standing_changes(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)

    async def reporting() -> RiderLogin:
        rider = await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
        for _ in range(2):  # the second one from the caches
            assert (await client.post(URL, json=SPOT, headers=rider.headers)).status_code == 200
        return rider

    async def refused(rider: RiderLogin) -> tuple[int, str]:
        r = await client.post(URL, json=SPOT, headers=rider.headers)
        return r.status_code, r.json()["code"]

    # The shift ended.
    rider = await reporting()
    r = await client.post("/api/v1/rider/shift", json={"online": False}, headers=rider.headers)
    assert r.status_code == 200, r.text
    assert await refused(rider) == (409, "rider_off_shift")

    # The account deactivated.
    rider = await reporting()
    async with db.transaction() as session:
        user = await users.find_user(session, rider.user_id)
        assert user is not None
        await users.set_active(session, user, False)
    assert await refused(rider) == (401, "account_inactive")

    # The password changed: tokens issued before it are revoked.
    rider = await reporting()
    r = await client.patch(
        "/api/v1/me",
        json={"password": "another-password-1", "current_password": factories.PASSWORD},
        headers=rider.headers,
    )
    assert r.status_code == 200, r.text
    assert await refused(rider) == (401, "token_revoked")

    # The token expired (its signature was checked once; its expiry is checked every time).
    rider = await reporting()
    clock.advance(timedelta(minutes=16))
    assert await refused(rider) == (401, "invalid_token")
