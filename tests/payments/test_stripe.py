"""Stripe through its SDK, faked only at the HTTP boundary (respx on the SDK's httpx client),
with request and response bodies as Stripe's API reference gives them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.errors import Conflict
from kirana.payments import service
from kirana.payments.jobs import reconcile_payments, send_refunds
from tests.factories import login, make_user
from tests.payments.helpers import counts, events, make_intent, set_gateway_ref, status_of

API = "https://api.stripe.com"
SK = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc" * 4
PK = "pk_test_" + "TYooMQauvdEDq54NiTphI7jx" * 4
WHSEC = "whsec_" + "a" * 32
PI = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
WEBHOOK = "/api/v1/payments/webhooks/stripe"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with Stripe's test-mode keys: cards go to Stripe."""
    return Settings(
        **settings.model_dump(exclude_unset=True),
        stripe_secret_key=SK,
        stripe_publishable_key=PK,
        stripe_webhook_secret=WHSEC,
    )


def payment_intent(payment: Any, **over: Any) -> dict[str, Any]:
    """A PaymentIntent object as Stripe's API reference shows it."""
    return {
        "id": PI,
        "object": "payment_intent",
        "amount": payment.amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "capture_method": "automatic_async",
        "client_secret": f"{PI}_secret_YrKJUKribcBjcG8HVhfZluoGH",
        "confirmation_method": "automatic",
        "created": 1680800504,
        "currency": payment.currency.lower(),
        "description": f"Kirana order {payment.order_id}",
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": {"payment_id": payment.id, "order_id": payment.order_id},
        "payment_method": None,
        "payment_method_types": ["card"],
        "status": "requires_payment_method",
        **over,
    }


def succeeded(payment: Any) -> dict[str, Any]:
    return payment_intent(
        payment,
        status="succeeded",
        amount_received=payment.amount,
        latest_charge="ch_3MtwBwLkdIwHu7ix28Avjwc8",
        payment_method="pm_1MtwBwLkdIwHu7ixZ7C7fIyl",
    )


def declined(payment: Any) -> dict[str, Any]:
    return payment_intent(
        payment,
        last_payment_error={
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
            "type": "card_error",
        },
    )


def event(obj: dict[str, Any], kind: str, event_id: str = "evt_3MtwBwLkdIwHu7ix0Zc5U1vE") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": 1680800560,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
    ).encode()


def stripe_signature(body: bytes, *, secret: str = WHSEC, at: int | None = None) -> str:
    """The Stripe-Signature header as Stripe makes it: t, and v1 = HMAC-SHA256("t.body")."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


async def post_event(client: httpx.AsyncClient, body: bytes, **sig: Any) -> httpx.Response:
    return await client.post(
        WEBHOOK,
        content=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature(body, **sig),
        },
    )


def form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


async def paid(db: Database, client: httpx.AsyncClient, amount: int = 10_000) -> Any:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"], amount=amount)
    await set_gateway_ref(db, payment.id, PI)
    r = await post_event(client, event(succeeded(payment), "payment_intent.succeeded"))
    assert r.status_code == 200, r.text
    return payment


async def test_checkout_creates_one_payment_intent_with_what_we_owe(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    headers = await login(client, user)
    payment = await make_intent(db, user["id"], amount=12_345)
    assert payment.provider == "stripe"
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        create = stripe_api.post("/v1/payment_intents").respond(200, json=payment_intent(payment))
        fetch = stripe_api.get(f"/v1/payment_intents/{PI}").respond(
            200, json=payment_intent(payment)
        )
        r = await client.post(f"/api/v1/payments/{payment.id}/checkout", headers=headers)
        assert r.status_code == 200, r.text
        again = await client.post(f"/api/v1/payments/{payment.id}/checkout", headers=headers)
    assert (
        r.json()
        == again.json()
        == {
            "payment_id": payment.id,
            "provider": "stripe",
            "public_key": PK,
            "script_url": "https://js.stripe.com/v3/",
            "amount": 12_345,
            "currency": "INR",
            "client_secret": f"{PI}_secret_YrKJUKribcBjcG8HVhfZluoGH",
            "provider_order_id": None,
        }
    )
    assert create.call_count == 1 and fetch.call_count == 1  # the second asks, makes none
    sent = create.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {SK}"
    assert sent.headers["Idempotency-Key"] == f"kirana-intent-{payment.id}"
    assert form(sent) == {
        "amount": "12345",
        "currency": "inr",
        "allowed_payment_method_types[0]": "card",
        "description": f"Kirana order {payment.order_id}",
        "metadata[payment_id]": payment.id,
        "metadata[order_id]": payment.order_id,
    }
    r = await client.post(
        f"/api/v1/payments/{payment.id}/confirm",
        json={"card_number": "4242424242424242"},
        headers=headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "client_confirmation_required"


async def test_stripe_down_at_checkout_is_503_and_records_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    with respx.mock(base_url=API) as stripe_api:
        stripe_api.post("/v1/payment_intents").respond(
            500, json={"error": {"type": "api_error", "message": "Something went wrong"}}
        )
        r = await client.post(
            f"/api/v1/payments/{payment.id}/checkout", headers=await login(client, user)
        )
    assert r.status_code == 503 and r.json()["code"] == "provider_unavailable"
    assert r.headers["content-type"] == "application/problem+json"
    async with db.transaction(write=False) as session:
        ref = await session.scalar(
            text("SELECT gateway_ref FROM payment_intents WHERE id = :id"), {"id": payment.id}
        )
    assert ref is None


async def test_succeeded_webhook_settles_once_and_a_duplicate_changes_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    payment = await paid(db, client)
    assert await status_of(db, payment.id) == ("succeeded", 10_000, 0)
    assert len(await events(db, "payment.succeeded", payment.id)) == 1
    before = await counts(db)
    r = await post_event(client, event(succeeded(payment), "payment_intent.succeeded"))
    assert r.status_code == 200 and r.json() == {"received": True, "duplicate": True}
    assert await counts(db) == before
    async with db.transaction(write=False) as session:
        ref = await session.scalar(
            text("SELECT gateway_payment_ref FROM payment_intents WHERE id = :id"),
            {"id": payment.id},
        )
    assert ref == "ch_3MtwBwLkdIwHu7ix28Avjwc8"


async def test_payment_failed_webhook_fails_the_payment(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    r = await post_event(client, event(declined(payment), "payment_intent.payment_failed"))
    assert r.status_code == 200
    assert await status_of(db, payment.id) == ("failed", 0, 0)
    assert (await events(db, "payment.failed", payment.id))[0]["reason"] == "insufficient_funds"


async def test_a_capture_of_another_amount_settles_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"], amount=5_000)
    obj = succeeded(payment) | {"amount_received": 4_999}
    assert (await post_event(client, event(obj, "payment_intent.succeeded"))).status_code == 200
    assert await status_of(db, payment.id) == ("pending", 0, 0)


async def test_forged_replayed_and_expired_signatures_are_refused(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    body = event(succeeded(payment), "payment_intent.succeeded")
    now = int(time.time())
    good = stripe_signature(body)
    t_part, v1_part = good.split(",")
    cases = {
        "missing": None,
        "garbage": "garbage",
        "forged with another secret": stripe_signature(body, secret="whsec_" + "b" * 32),
        "forged body": good,  # sent with a changed body below
        "replayed: an old signature with a new timestamp": f"t={now + 1},{v1_part}",
        "expired: outside the 5 minute tolerance": stripe_signature(body, at=now - 301),
        "no v1": t_part,
    }
    before = await counts(db)
    for name, header in cases.items():
        content = body.replace(b"succeeded", b"succeedeD") if name == "forged body" else body
        headers = {"Content-Type": "application/json"}
        if header is not None:
            headers["Stripe-Signature"] = header
        r = await client.post(WEBHOOK, content=content, headers=headers)
        assert r.status_code == 400, (name, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "invalid_signature", name
    assert await counts(db) == before
    assert await status_of(db, payment.id) == ("pending", 0, 0)
    for raw in (b"not json", b"{}", b'{"id": "evt_1", "type": "x", "data": []}'):
        r = await post_event(client, raw)
        assert r.status_code == 400 and r.json()["code"] == "invalid_payload", raw
    assert await counts(db) == before


async def test_partial_then_full_refund_sent_once_with_our_idempotency_keys(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    payment = await paid(db, client)
    async with db.transaction() as session:
        await service.refund(session, payment.id, 4_000, "damaged", idempotency_key="r1")
    async with db.transaction() as session:
        await service.refund(session, payment.id, 6_000, "rest", idempotency_key="r2")
    assert await status_of(db, payment.id) == ("refunded", 10_000, 10_000)

    def refund_object(request: httpx.Request) -> httpx.Response:
        sent = form(request)
        return httpx.Response(
            200,
            json={
                "id": f"re_1Nispe2eZvKYlo2Cd31jOCg{sent['amount'][0]}",
                "object": "refund",
                "amount": int(sent["amount"]),
                "balance_transaction": "txn_1Nispe2eZvKYlo2CYezqFhEx",
                "charge": "ch_3MtwBwLkdIwHu7ix28Avjwc8",
                "created": 1692942318,
                "currency": "inr",
                "metadata": {k[9:-1]: v for k, v in sent.items() if k.startswith("metadata[")},
                "payment_intent": sent["payment_intent"],
                "reason": None,
                "receipt_number": None,
                "status": "succeeded",
            },
        )

    with respx.mock(base_url=API) as stripe_api:
        route = stripe_api.post("/v1/refunds").mock(side_effect=refund_object)
        assert await send_refunds(db, settings) == 2
        assert await send_refunds(db, settings) == 0  # nothing left to send
    assert route.call_count == 2
    sent = sorted(
        ((form(c.request), c.request.headers["Idempotency-Key"]) for c in route.calls),
        key=lambda s: s[1],
    )
    refund_ids = await _refund_ids(db, payment.id)
    assert [s[1] for s in sent] == [
        f"kirana-refund-{payment.id}-r1",
        f"kirana-refund-{payment.id}-r2",
    ]
    assert [s[0] for s in sent] == [
        {
            "payment_intent": PI,
            "amount": amount,
            "metadata[payment_id]": payment.id,
            "metadata[order_id]": payment.order_id,
            "metadata[refund_id]": refund_ids[key],
        }
        for amount, key in (("4000", "r1"), ("6000", "r2"))
    ]
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(
                text("SELECT status, gateway_ref FROM payment_refunds ORDER BY amount")
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("sent", "re_1Nispe2eZvKYlo2Cd31jOCg4"),
        ("sent", "re_1Nispe2eZvKYlo2Cd31jOCg6"),
    ]


async def _refund_ids(db: Database, payment_id: str) -> dict[str, str]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text("SELECT idempotency_key, id FROM payment_refunds WHERE intent_id = :id"),
            {"id": payment_id},
        )
        return {k: v for k, v in rows.all()}


async def test_two_refunds_raced_for_one_payment_refund_once(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    payment = await paid(db, client)

    async def cancel(key: str) -> object:
        try:
            async with db.transaction() as session:
                return await service.refund(
                    session, payment.id, 10_000, "order cancelled", idempotency_key=key
                )
        except Conflict as exc:
            return exc.code

    same = await asyncio.gather(cancel("cancel"), cancel("cancel"))
    assert same[0] == same[1]  # the same refund, twice told
    other = await cancel("cancel-again")
    assert other == "refund_exceeds_captured"
    with respx.mock(base_url=API) as stripe_api:
        route = stripe_api.post("/v1/refunds").respond(
            200, json={"id": "re_1", "object": "refund", "amount": 10_000, "status": "succeeded"}
        )
        await send_refunds(db, settings)
        await send_refunds(db, settings)
    assert route.call_count == 1
    assert await status_of(db, payment.id) == ("refunded", 10_000, 10_000)


async def test_a_refund_stripe_refuses_is_retried_then_left_failed(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    payment = await paid(db, client)
    async with db.transaction() as session:
        await service.refund(session, payment.id, 1_000, "short", idempotency_key="k")
    with respx.mock(base_url=API) as stripe_api:
        route = stripe_api.post("/v1/refunds").respond(
            500, json={"error": {"type": "api_error", "message": "Something went wrong"}}
        )
        for _ in range(settings.payment_refund_max_attempts):
            assert await send_refunds(db, settings) == 0
            clock.advance(timedelta(hours=1))
    assert route.call_count == settings.payment_refund_max_attempts
    async with db.transaction(write=False) as session:
        status, attempts, error = (
            await session.execute(text("SELECT status, attempts, last_error FROM payment_refunds"))
        ).one()
    assert (status, attempts) == ("failed", settings.payment_refund_max_attempts)
    assert "Something went wrong" in error


async def test_reconciliation_settles_stuck_payments_once(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user = await make_user(db, "customer")
    won, lost, waiting = [await make_intent(db, user["id"]) for _ in range(3)]
    refs = {won.id: "pi_won", lost.id: "pi_lost", waiting.id: "pi_waiting"}
    async with db.transaction() as session:
        for pid, ref in refs.items():
            await session.execute(
                text("UPDATE payment_intents SET gateway_ref = :r WHERE id = :id"),
                {"r": ref, "id": pid},
            )
    with respx.mock(base_url=API) as stripe_api:
        stripe_api.get("/v1/payment_intents/pi_won").respond(
            200, json=succeeded(won) | {"id": "pi_won"}
        )
        stripe_api.get("/v1/payment_intents/pi_lost").respond(
            200, json=declined(lost) | {"id": "pi_lost"}
        )
        stripe_api.get("/v1/payment_intents/pi_waiting").respond(
            200, json=payment_intent(waiting, id="pi_waiting", status="processing")
        )
        assert await reconcile_payments(db, settings) == 0  # not stuck yet: nobody asked
        assert len(stripe_api.calls) == 0
        clock.advance(timedelta(seconds=settings.payment_reconcile_after_seconds + 1))
        assert await reconcile_payments(db, settings) == 2
        assert len(stripe_api.calls) == 3
        assert await reconcile_payments(db, settings) == 0  # the waiting one is asked later
        assert len(stripe_api.calls) == 3
    assert await status_of(db, won.id) == ("succeeded", won.amount, 0)
    assert await status_of(db, lost.id) == ("failed", 0, 0)
    assert await status_of(db, waiting.id) == ("pending", 0, 0)
    assert len(await events(db, "payment.succeeded", won.id)) == 1
    # A webhook arriving after the reconciliation changes nothing more.
    r = await post_event(
        client, event(succeeded(won) | {"id": "pi_won"}, "payment_intent.succeeded")
    )
    assert r.status_code == 200
    assert len(await events(db, "payment.succeeded", won.id)) == 1


async def test_the_web_app_may_load_stripe_js_and_nothing_else(client: httpx.AsyncClient) -> None:
    policy = (await client.get("/")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["script-src"] == "'self' https://js.stripe.com"
    # Stripe.js frames 3-D Secure challenges from hooks.stripe.com.
    assert directives["frame-src"] == (
        "'self' https://js.stripe.com https://api.stripe.com https://hooks.stripe.com"
    )
    assert "razorpay" not in policy
