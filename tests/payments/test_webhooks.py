"""The webhook endpoint: signatures, duplicates, and the signing scheme itself."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.errors import BadRequest
from kirana.payments import webhooks
from tests.factories import make_user
from tests.payments.helpers import (
    WEBHOOK_URL,
    counts,
    events,
    gateway_event,
    make_intent,
    post_webhook,
    signed,
    status_of,
)

SECRET = "test-secret"


async def test_duplicated_webhook_changes_nothing(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    event = gateway_event(payment, webhooks.SUCCEEDED)
    first = await post_webhook(client, settings, event)
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    before = await counts(db)
    for _ in range(3):
        again = await post_webhook(client, settings, event)
        assert again.status_code == 200
        assert again.json() == {"received": True, "duplicate": True}
    assert await counts(db) == before
    assert await status_of(db, payment.id) == ("succeeded", 12_345, 0)
    assert len(await events(db, "payment.succeeded", payment.id)) == 1

    # A later, different event for the same payment does not move a settled payment either.
    late = gateway_event(payment, webhooks.FAILED, failure_reason="card_declined")
    assert (await post_webhook(client, settings, late)).status_code == 200
    assert await status_of(db, payment.id) == ("succeeded", 12_345, 0)
    assert await events(db, "payment.failed", payment.id) == []


def _tamper(body: bytes) -> bytes:
    return body.replace(b"12345", b"99999")


async def test_bad_signatures_get_400_and_write_nothing(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    event = gateway_event(payment, webhooks.SUCCEEDED)
    body, headers = signed(settings, event)
    sig = headers[webhooks.SIGNATURE_HEADER]
    old_body, old_headers = signed(settings, event, at=clock.now() - timedelta(minutes=6))
    future_body, future_headers = signed(settings, event, at=clock.now() + timedelta(minutes=6))
    wrong_secret = webhooks.signature_header("not-the-secret", body, clock.now())
    cases: list[tuple[bytes, dict[str, str]]] = [
        (body, {"Content-Type": "application/json"}),  # missing
        (body, {webhooks.SIGNATURE_HEADER: ""}),
        (body, {webhooks.SIGNATURE_HEADER: "garbage"}),
        (body, {webhooks.SIGNATURE_HEADER: sig.split(",")[0]}),  # no v1
        (body, {webhooks.SIGNATURE_HEADER: sig.split(",")[1]}),  # no t
        (body, {webhooks.SIGNATURE_HEADER: wrong_secret}),
        (_tamper(body), headers),
        (old_body, old_headers),  # expired
        (future_body, future_headers),
        (b"", headers),
        (body, {webhooks.SIGNATURE_HEADER: "t=99999999999999999999,v1=" + "0" * 64}),
    ]
    before = await counts(db)
    for content, hdrs in cases:
        r = await client.post(WEBHOOK_URL, content=content, headers=hdrs)
        assert r.status_code == 400, (hdrs, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "invalid_signature"
    assert await counts(db) == before
    assert await status_of(db, payment.id) == ("pending", 0, 0)


async def test_signed_but_malformed_payloads_get_400(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    before = await counts(db)
    for raw in (b"not json", b"[]", b"{}", b'{"id": "evt_1", "type": "x", "data": []}'):
        header = webhooks.signature_header(settings.payment_webhook_secret, raw, clock.now())
        r = await client.post(WEBHOOK_URL, content=raw, headers={webhooks.SIGNATURE_HEADER: header})
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "invalid_payload"
    assert await counts(db) == before


async def test_unknown_provider_is_404_and_unknown_payment_is_acknowledged(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    body, headers = signed(
        settings,
        webhooks.build_event(
            webhooks.SUCCEEDED,
            payment_id="01ARZ3NDEKTSV4RRFFQ69G5FAV",
            order_id="o",
            amount=1,
            currency="INR",
        ),
    )
    r = await client.post("/api/v1/payments/webhooks/stripe", content=body, headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "unknown_provider"
    r = await client.post(WEBHOOK_URL, content=body, headers=headers)
    assert r.status_code == 200  # another environment's event: acknowledged so it stops
    assert (await counts(db))["payment_intents"] == 0


@given(body=st.binary(max_size=300), flip=st.integers(min_value=0))
def test_a_signature_covers_every_byte_of_the_body(body: bytes, flip: int) -> None:
    now = clock.now()
    header = webhooks.signature_header(SECRET, body, now)
    webhooks.verify(SECRET, header, body, now)
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]
        with pytest.raises(BadRequest):
            webhooks.verify(SECRET, header, changed, now)
    with pytest.raises(BadRequest):
        webhooks.verify(SECRET, header, body + b" ", now)


@given(skew=st.integers(min_value=-3600, max_value=3600))
def test_the_timestamp_tolerance_is_five_minutes(skew: int) -> None:
    now = clock.now()
    header = webhooks.signature_header(SECRET, b"{}", now + timedelta(seconds=skew))
    if abs(skew) <= webhooks.TOLERANCE_SECONDS:
        webhooks.verify(SECRET, header, b"{}", now)
    else:
        with pytest.raises(BadRequest):
            webhooks.verify(SECRET, header, b"{}", now)


@pytest.mark.parametrize(("method", "provider"), [("cod", "sandbox"), ("card", "cod")])
async def test_a_webhook_from_another_provider_is_refused(
    db: Database, client: httpx.AsyncClient, settings: Settings, method: str, provider: str
) -> None:
    """A signed event may only speak of a payment made with the provider it came from."""
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"], method=method)
    assert payment.provider != provider
    before = await counts(db)
    body, headers = signed(settings, gateway_event(payment, webhooks.SUCCEEDED))
    r = await client.post(f"/api/v1/payments/webhooks/{provider}", content=body, headers=headers)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "webhook_provider_mismatch"
    assert await counts(db) == before
    assert (await status_of(db, payment.id))[0] == "pending"
    assert await events(db, "payment.succeeded", payment.id) == []
