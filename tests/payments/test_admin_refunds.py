"""Admins see the refunds a provider never took (failed after the last try) and send one again
now: GET /api/v1/admin/refunds?status=failed, POST /api/v1/admin/refunds/{id}/retry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.pagination import encode_cursor
from kirana.payments import service
from kirana.payments.jobs import send_refunds
from tests.factories import login, make_user
from tests.payments.helpers import TABLES, counts, status_of
from tests.payments.test_stripe import API, paid
from tests.payments.test_stripe import settings as stripe_settings

LIST = "/api/v1/admin/refunds"
STRIPE_DOWN = {"error": {"type": "api_error", "message": "Something went wrong"}}


@pytest.fixture
def settings(stripe_settings: Settings) -> Settings:
    """Stripe's test keys, and three tries before a refund is left failed."""
    return stripe_settings.model_copy(update={"payment_refund_max_attempts": 3})


__all__ = ["stripe_settings"]  # the fixture above builds on it


async def _admin(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, await make_user(db, "admin"))


async def _refund(db: Database, payment: Any, amount: int, key: str) -> str:
    async with db.transaction() as session:
        return (
            await service.refund(session, payment.id, amount, "short pick", idempotency_key=key)
        ).id


async def _send_until_given_up(db: Database, settings: Settings) -> None:
    for _ in range(settings.payment_refund_max_attempts):
        assert await send_refunds(db, settings) == 0
        clock.advance(timedelta(hours=1))


async def test_failed_refunds_are_listed_with_their_error_and_sent_again_on_retry(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    payment = await paid(db, client)
    first = await _refund(db, payment, 1_000, "line-1")
    second = await _refund(db, payment, 2_000, "line-2")
    with respx.mock(base_url=API) as stripe_api:
        down = stripe_api.post("/v1/refunds").respond(500, json=STRIPE_DOWN)
        await _send_until_given_up(db, settings)
    assert down.call_count == 2 * settings.payment_refund_max_attempts
    keys = {c.request.headers["Idempotency-Key"] for c in down.calls}
    assert keys == {
        f"kirana-refund-{payment.id}-line-1",
        f"kirana-refund-{payment.id}-line-2",
    }
    # A third refund still waiting for its next try is not among the failed ones.
    waiting = await _refund(db, payment, 500, "line-3")
    admin = await _admin(db, client)  # signed in now: the tries took hours of the clock

    r = await client.get(LIST, params={"status": "failed"}, headers=admin)
    assert r.status_code == 200, r.text
    page = r.json()
    assert [i["id"] for i in page["items"]] == sorted([first, second], reverse=True)
    row = page["items"][0]
    assert row["status"] == "failed" and row["attempts"] == settings.payment_refund_max_attempts
    assert "Something went wrong" in row["last_error"]
    assert row["payment_id"] == payment.id and row["order_id"] == payment.order_id
    assert row["provider"] == "stripe" and row["currency"] == payment.currency
    assert row["next_attempt_at"] is None and row["sent_at"] is None
    everything = (await client.get(LIST, headers=admin)).json()["items"]
    assert {i["id"]: i["status"] for i in everything} == {
        first: "failed",
        second: "failed",
        waiting: "pending",
    }

    # Paginated like the other admin lists: a cursor to the next page, then no more.
    one = (await client.get(LIST, params={"status": "failed", "limit": 1}, headers=admin)).json()
    assert len(one["items"]) == 1 and one["next_cursor"]
    rest = (
        await client.get(
            LIST,
            params={"status": "failed", "limit": 1, "cursor": one["next_cursor"]},
            headers=admin,
        )
    ).json()
    assert [i["id"] for i in one["items"] + rest["items"]] == [i["id"] for i in page["items"]]
    assert rest["next_cursor"] is None

    r = await client.post(f"{LIST}/{first}/retry", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending" and r.json()["attempts"] == 0
    with respx.mock(base_url=API) as stripe_api:
        up = stripe_api.post("/v1/refunds").respond(
            200,
            json={"id": "re_3MtwBw", "object": "refund", "amount": 1_000, "status": "succeeded"},
        )
        assert await send_refunds(db, settings) == 2  # the retried one, and the one waiting
    sent = [c.request for c in up.calls]
    assert {r.headers["Idempotency-Key"] for r in sent} == {
        f"kirana-refund-{payment.id}-line-1",  # the same key as its failed tries
        f"kirana-refund-{payment.id}-line-3",
    }
    failed = (await client.get(LIST, params={"status": "failed"}, headers=admin)).json()["items"]
    assert [i["id"] for i in failed] == [second]
    assert (await status_of(db, payment.id))[2] == 3_500  # counted once, when it was decided


async def test_bad_input_is_refused_with_a_problem_and_writes_nothing(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await _admin(db, client)
    customer = await login(client, await make_user(db, "customer"))
    payment = await paid(db, client)
    pending = await _refund(db, payment, 1_000, "k")
    before = await counts(db, TABLES)
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    cases: list[tuple[str, str, dict[str, Any], dict[str, str], int, str | None]] = [
        ("GET", LIST, {"status": "lost"}, admin, 422, None),
        ("GET", LIST, {"limit": 0}, admin, 422, None),
        ("GET", LIST, {"limit": 101}, admin, 422, None),
        ("GET", LIST, {"limit": "many"}, admin, 422, None),
        ("GET", LIST, {"cursor": "not a cursor!"}, admin, 400, "invalid_cursor"),
        ("GET", LIST, {"cursor": encode_cursor([7])}, admin, 400, "invalid_cursor"),
        ("GET", LIST, {"cursor": encode_cursor(["a", "b"])}, admin, 400, "invalid_cursor"),
        ("GET", LIST, {}, customer, 403, None),
        ("GET", LIST, {}, {}, 401, None),
        ("POST", f"{LIST}/{unknown}/retry", {}, admin, 404, "refund_not_found"),
        ("POST", f"{LIST}/{pending}/retry", {}, admin, 409, "refund_not_failed"),
        ("POST", f"{LIST}/{'x' * 27}/retry", {}, admin, 422, None),
        ("POST", f"{LIST}/{pending}/retry", {}, customer, 403, None),
    ]
    for method, url, params, headers, status, code in cases:
        r = await client.request(method, url, params=params, headers=headers)
        assert r.status_code == status, (method, url, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
        if code:
            assert r.json()["code"] == code, r.text
    assert await counts(db, TABLES) == before
