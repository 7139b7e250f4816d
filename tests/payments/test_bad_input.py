"""Bad input to the payments endpoints: the right 4xx with a stable code, nothing written."""

from __future__ import annotations

from typing import Any

import httpx

from kirana.kit.db import Database
from tests.factories import login, make_user
from tests.payments.helpers import counts, make_intent, status_of

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def test_confirm_refuses_bad_input_and_writes_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    owner = await make_user(db, "customer")
    other = await make_user(db, "customer")
    headers, other_headers = await login(client, owner), await login(client, other)
    card = await make_intent(db, owner["id"])
    upi = await make_intent(db, owner["id"], method="upi")
    url = f"/api/v1/payments/{card.id}/confirm"
    good = {"card_number": "4242424242424242"}

    cases: list[tuple[str, Any, dict[str, str], int, str]] = [
        (url, good, {}, 401, "token_missing"),
        (url, good, {"Authorization": "Bearer forged.token.here"}, 401, ""),
        (url, good, other_headers, 404, "payment_not_found"),
        (f"/api/v1/payments/{UNKNOWN_ID}/confirm", good, headers, 404, "payment_not_found"),
        (f"/api/v1/payments/{'x' * 40}/confirm", good, headers, 422, "validation_failed"),
        (url, {}, headers, 422, "validation_failed"),
        (url, {"card_number": 4242424242424242}, headers, 422, "validation_failed"),
        (url, {"card_number": "4242"}, headers, 422, "validation_failed"),
        (url, {"card_number": "4242-abcd-4242-4242"}, headers, 422, "validation_failed"),
        (url, {"card_number": None}, headers, 422, "validation_failed"),
        (url, {**good, "upi_vpa": "success@upi"}, headers, 422, "validation_failed"),
        (url, {**good, "cvv": "123"}, headers, 422, "validation_failed"),
        (url, {"upi_vpa": "success@upi"}, headers, 422, "instrument_mismatch"),
        (url, {"card_number": "5555555555554444"}, headers, 422, "unknown_test_instrument"),
        (url, [good], headers, 422, "validation_failed"),
        (
            f"/api/v1/payments/{upi.id}/confirm",
            {"upi_vpa": "someone@okbank"},
            headers,
            422,
            "unknown_test_instrument",
        ),
        (
            f"/api/v1/payments/{upi.id}/confirm",
            {"upi_vpa": "no-at-sign"},
            headers,
            422,
            "validation_failed",
        ),
        (url, good, {**headers, "Idempotency-Key": "k" * 101}, 422, "validation_failed"),
    ]
    before = await counts(db)
    for path, body, hdrs, status, code in cases:
        r = await client.post(path, json=body, headers=hdrs)
        assert r.status_code == status, (body, hdrs, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        if code:
            assert r.json()["code"] == code, r.text
    r = await client.post(
        url, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["code"] == "malformed_json"
    assert await counts(db) == before
    assert await status_of(db, card.id) == ("pending", 0, 0)


async def test_reading_a_payment_is_for_its_owner(db: Database, client: httpx.AsyncClient) -> None:
    owner = await make_user(db, "customer")
    other = await make_user(db, "customer")
    payment = await make_intent(db, owner["id"])
    r = await client.get(f"/api/v1/payments/{payment.id}", headers=await login(client, other))
    assert r.status_code == 404 and r.json()["code"] == "payment_not_found"
    r = await client.get(f"/api/v1/payments/{payment.id}")
    assert r.status_code == 401
    r = await client.get(f"/api/v1/payments/{payment.id}", headers=await login(client, owner))
    assert r.status_code == 200
    assert r.json() == {
        "id": payment.id,
        "status": "pending",
        "provider": "sandbox",
        "amount": 12_345,
        "currency": "INR",
        "order_id": payment.order_id,
        "method": "card",
        "captured_amount": 0,
        "refunded_amount": 0,
    }
