"""Razorpay through its SDK, faked only at the HTTP boundary: a small server on loopback (the
SDK speaks requests), with bodies and signatures as Razorpay's API documentation gives them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.payments import service
from kirana.payments.jobs import reconcile_payments, send_refunds, void_at_providers
from tests.factories import login, make_user
from tests.payments.fake_razorpay import FakeRazorpay, fake_razorpay
from tests.payments.helpers import counts, events, make_intent, status_of

KEY_ID = "rzp_test_1DP5mmOlF5G5ag"
KEY_SECRET = "thisisasupersecret000000"
WEBHOOK_SECRET = "webhook-secret-typed-in-dashboard"
ORDER = "order_IluGWxBm9U8zJ8"
PAY = "pay_G8VQzjPLoAvm6D"
WEBHOOK = "/api/v1/payments/webhooks/razorpay"


@pytest.fixture
def razorpay() -> Iterator[FakeRazorpay]:
    with fake_razorpay(KEY_ID, KEY_SECRET) as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, razorpay: FakeRazorpay) -> Settings:
    """The suite's settings with Razorpay's test-mode keys: cards and UPI go to Razorpay."""
    return Settings(
        **settings.model_dump(exclude_unset=True),
        razorpay_key_id=KEY_ID,
        razorpay_key_secret=KEY_SECRET,
        razorpay_webhook_secret=WEBHOOK_SECRET,
        razorpay_base_url=razorpay.url,
    )


def order_entity(payment: Any, **over: Any) -> dict[str, Any]:
    return {
        "id": ORDER,
        "entity": "order",
        "amount": payment.amount,
        "amount_paid": 0,
        "amount_due": payment.amount,
        "currency": payment.currency,
        "receipt": payment.id,
        "offer_id": None,
        "status": "created",
        "attempts": 0,
        "notes": {"payment_id": payment.id, "order_id": payment.order_id},
        "created_at": 1642662092,
        **over,
    }


def payment_entity(payment: Any, status: str = "captured", **over: Any) -> dict[str, Any]:
    failed = status == "failed"
    return {
        "id": PAY,
        "entity": "payment",
        "amount": payment.amount,
        "currency": payment.currency,
        "status": status,
        "order_id": ORDER,
        "invoice_id": None,
        "international": False,
        "method": "upi",
        "amount_refunded": 0,
        "refund_status": None,
        "captured": status == "captured",
        "description": "Kirana order",
        "card_id": None,
        "bank": None,
        "wallet": None,
        "vpa": "gaurav.kumar@exampleupi",
        "email": "gaurav.kumar@example.com",
        "contact": "+919000090000",
        "notes": [],
        "fee": 24 if not failed else None,
        "tax": 4 if not failed else None,
        "error_code": "BAD_REQUEST_ERROR" if failed else None,
        "error_description": "Payment failed" if failed else None,
        "error_source": "customer" if failed else None,
        "error_step": "payment_authorization" if failed else None,
        "error_reason": "payment_failed" if failed else None,
        "acquirer_data": {"rrn": "033814379298"},
        "created_at": 1606985209,
        **over,
    }


def webhook(event: str, entity: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": event,
            "contains": ["payment"],
            "payload": {"payment": {"entity": entity}},
            "created_at": 1567674606,
        }
    ).encode()


def sign(message: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def post_webhook(
    client: httpx.AsyncClient, body: bytes, event_id: str = "KmxkEDbfgPc1x1", **headers: str
) -> httpx.Response:
    return await client.post(
        WEBHOOK,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Razorpay-Event-Id": event_id,
            "X-Razorpay-Signature": sign(body, WEBHOOK_SECRET),
            **headers,
        },
    )


async def with_order(db: Database, user: dict[str, str], **kw: Any) -> Any:
    payment = await make_intent(db, user["id"], **kw)
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE payment_intents SET gateway_ref = :o WHERE id = :id"),
            {"o": ORDER, "id": payment.id},
        )
    return payment


async def test_checkout_creates_one_razorpay_order(
    db: Database, client: httpx.AsyncClient, razorpay: FakeRazorpay
) -> None:
    user = await make_user(db, "customer")
    headers = await login(client, user)
    payment = await make_intent(db, user["id"], method="upi", amount=12_345)
    assert payment.provider == "razorpay"
    razorpay.on("POST", "/v1/orders", lambda body: (200, order_entity(payment)))
    r = await client.post(f"/api/v1/payments/{payment.id}/checkout", headers=headers)
    again = await client.post(f"/api/v1/payments/{payment.id}/checkout", headers=headers)
    assert r.status_code == 200, r.text
    assert (
        r.json()
        == again.json()
        == {
            "payment_id": payment.id,
            "provider": "razorpay",
            "public_key": KEY_ID,
            "script_url": "https://checkout.razorpay.com/v1/checkout.js",
            "amount": 12_345,
            "currency": "INR",
            "client_secret": None,
            "provider_order_id": ORDER,
        }
    )
    [sent] = razorpay.calls("POST", "/v1/orders")  # the second call made none
    assert sent.body == {
        "amount": 12_345,
        "currency": "INR",
        "receipt": payment.id,
        "notes": {"payment_id": payment.id, "order_id": payment.order_id},
    }
    assert sent.headers["content-type"] == "application/json"


async def test_a_signed_callback_settles_once(
    db: Database, client: httpx.AsyncClient, razorpay: FakeRazorpay
) -> None:
    user = await make_user(db, "customer")
    payment = await with_order(db, user, amount=5_000)
    razorpay.on("GET", f"/v1/payments/{PAY}", (200, payment_entity(payment)))
    body = {
        "razorpay_payment_id": PAY,
        "razorpay_order_id": ORDER,
        "razorpay_signature": sign(f"{ORDER}|{PAY}".encode(), KEY_SECRET),
    }
    url = f"/api/v1/payments/{payment.id}/razorpay-callback"
    headers = await login(client, user)
    r = await client.post(url, json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    assert await status_of(db, payment.id) == ("succeeded", 5_000, 0)
    again = await client.post(url, json=body, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "payment_closed"
    assert len(await events(db, "payment.succeeded", payment.id)) == 1
    assert len(razorpay.calls("GET", f"/v1/payments/{PAY}")) == 1


async def test_forged_callbacks_are_refused_and_change_nothing(
    db: Database, client: httpx.AsyncClient, razorpay: FakeRazorpay
) -> None:
    user = await make_user(db, "customer")
    payment = await with_order(db, user)
    razorpay.on("GET", f"/v1/payments/{PAY}", (200, payment_entity(payment)))
    headers = await login(client, user)
    url = f"/api/v1/payments/{payment.id}/razorpay-callback"
    good = sign(f"{ORDER}|{PAY}".encode(), KEY_SECRET)
    refused = {
        "another secret": (ORDER, PAY, sign(f"{ORDER}|{PAY}".encode(), "x" * 24), 400),
        "another payment": (ORDER, "pay_Other000000001", good, 400),
        "another order": (
            "order_Other0000001",
            PAY,
            sign(f"order_Other0000001|{PAY}".encode(), KEY_SECRET),
            400,
        ),
        "not hex": (ORDER, PAY, "z" * 64, 422),
        "short": (ORDER, PAY, good[:10], 422),
    }
    before = await counts(db)
    for name, (order_id, pay_id, signature, status) in refused.items():
        r = await client.post(
            url,
            json={
                "razorpay_order_id": order_id,
                "razorpay_payment_id": pay_id,
                "razorpay_signature": signature,
            },
            headers=headers,
        )
        assert r.status_code == status, (name, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert await counts(db) == before
    assert razorpay.seen == []  # nothing was asked of Razorpay for a forgery
    other = await make_user(db, "customer")
    r = await client.post(
        url,
        json={"razorpay_order_id": ORDER, "razorpay_payment_id": PAY, "razorpay_signature": good},
        headers=await login(client, other),
    )
    assert r.status_code == 404  # not their payment
    assert await status_of(db, payment.id) == ("pending", 0, 0)


async def test_webhooks_settle_once_and_forgeries_are_refused(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    payment = await with_order(db, user)
    body = webhook("payment.captured", payment_entity(payment))
    before = await counts(db)
    forged = {
        "missing signature": {"X-Razorpay-Signature": ""},
        "another secret": {"X-Razorpay-Signature": sign(body, "another-webhook-secret-00")},
        "key secret instead": {"X-Razorpay-Signature": sign(body, KEY_SECRET)},
    }
    for name, extra in forged.items():
        r = await post_webhook(client, body, **extra)
        assert r.status_code == 400, (name, r.text)
        assert r.json()["code"] == "invalid_signature"
        assert r.headers["content-type"] == "application/problem+json"
    tampered = body.replace(b'"captured"', b'"Captured"', 1)
    r = await client.post(
        WEBHOOK,
        content=tampered,
        headers={"X-Razorpay-Event-Id": "e1", "X-Razorpay-Signature": sign(body, WEBHOOK_SECRET)},
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_signature"
    r = await client.post(  # signed, but without the event id Razorpay always sends
        WEBHOOK, content=body, headers={"X-Razorpay-Signature": sign(body, WEBHOOK_SECRET)}
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_payload"
    assert await counts(db) == before

    r = await post_webhook(client, body)
    assert r.status_code == 200 and r.json() == {"received": True, "duplicate": False}
    assert await status_of(db, payment.id) == ("succeeded", payment.amount, 0)
    settled = await counts(db)
    duplicate = await post_webhook(client, body)  # Razorpay retries with the same event id
    assert duplicate.json() == {"received": True, "duplicate": True}
    paid = await post_webhook(client, webhook("order.paid", payment_entity(payment)), "Kmxk2")
    assert paid.status_code == 200
    assert (await counts(db))["outbox"] == settled["outbox"]  # nothing more happened
    assert len(await events(db, "payment.succeeded", payment.id)) == 1


async def test_a_failed_payment_webhook_fails_it(db: Database, client: httpx.AsyncClient) -> None:
    user = await make_user(db, "customer")
    payment = await with_order(db, user)
    r = await post_webhook(client, webhook("payment.failed", payment_entity(payment, "failed")))
    assert r.status_code == 200
    assert await status_of(db, payment.id) == ("failed", 0, 0)
    assert (await events(db, "payment.failed", payment.id))[0]["reason"] == "payment_failed"


async def _paid(db: Database, client: httpx.AsyncClient, amount: int = 10_000) -> Any:
    user = await make_user(db, "customer")
    payment = await with_order(db, user, amount=amount)
    assert (
        await post_webhook(client, webhook("payment.captured", payment_entity(payment)))
    ).status_code == 200
    return payment


def refund_entity(body: dict[str, Any], refund_id: str = "rfnd_FP8QHiV938haTz") -> dict[str, Any]:
    return {
        "id": refund_id,
        "entity": "refund",
        "amount": body["amount"],
        "receipt": body["receipt"],
        "currency": "INR",
        "payment_id": PAY,
        "notes": body["notes"],
        "acquirer_data": {"arn": None},
        "created_at": 1597078866,
        "batch_id": None,
        "status": "processed",
        "speed_processed": "normal",
        "speed_requested": "normal",
    }


async def test_a_partial_refund_is_sent_once_and_not_again_after_a_crash(
    db: Database, client: httpx.AsyncClient, settings: Settings, razorpay: FakeRazorpay
) -> None:
    payment = await _paid(db, client)
    async with db.transaction() as session:
        first = await service.refund(
            session, payment.id, 2_500, "one line short", idempotency_key="s1"
        )
        second = await service.refund(session, payment.id, 1_000, "another", idempotency_key="s2")
    already = refund_entity(
        {"amount": 1_000, "receipt": second.id, "notes": {}}, refund_id="rfnd_AlreadyMade001"
    )
    # The second was sent before a crash, and never recorded: Razorpay lists it by receipt.
    razorpay.on(
        "GET",
        f"/v1/payments/{PAY}/refunds",
        (200, {"entity": "collection", "count": 1, "items": [already]}),
    )
    razorpay.on("POST", f"/v1/payments/{PAY}/refund", lambda body: (200, refund_entity(body)))
    assert await send_refunds(db, settings) == 2
    assert await send_refunds(db, settings) == 0
    [sent] = razorpay.calls("POST", f"/v1/payments/{PAY}/refund")
    assert sent.body == {
        "amount": 2_500,
        "speed": "normal",
        "receipt": first.id,
        "notes": {
            "payment_id": payment.id,
            "order_id": payment.order_id,
            "reason": "one line short",
        },
    }
    async with db.transaction(write=False) as session:
        rows: dict[str, str] = dict(
            (await session.execute(text("SELECT id, gateway_ref FROM payment_refunds"))).all()
        )
    assert rows == {first.id: "rfnd_FP8QHiV938haTz", second.id: "rfnd_AlreadyMade001"}
    assert await status_of(db, payment.id) == ("succeeded", 10_000, 3_500)


async def test_two_refunds_raced_refund_once(
    db: Database, client: httpx.AsyncClient, settings: Settings, razorpay: FakeRazorpay
) -> None:
    payment = await _paid(db, client)

    async def refund() -> object:
        async with db.transaction() as session:
            return await service.refund(
                session, payment.id, 10_000, "cancelled", idempotency_key="order-cancelled"
            )

    first, second = await asyncio.gather(refund(), refund())
    assert first == second
    razorpay.on(
        "GET",
        f"/v1/payments/{PAY}/refunds",
        (200, {"entity": "collection", "count": 0, "items": []}),
    )
    razorpay.on("POST", f"/v1/payments/{PAY}/refund", lambda body: (200, refund_entity(body)))
    await send_refunds(db, settings)
    assert len(razorpay.calls("POST", f"/v1/payments/{PAY}/refund")) == 1
    assert await status_of(db, payment.id) == ("refunded", 10_000, 10_000)


async def test_reconciliation_asks_razorpay_about_stuck_orders(
    db: Database, client: httpx.AsyncClient, settings: Settings, razorpay: FakeRazorpay
) -> None:
    user = await make_user(db, "customer")
    payment = await with_order(db, user)
    failed_attempt = payment_entity(payment, "failed", id="pay_FailedFirst0001")
    razorpay.on(
        "GET",
        f"/v1/orders/{ORDER}/payments",
        (
            200,
            {
                "entity": "collection",
                "count": 2,
                "items": [failed_attempt, payment_entity(payment)],
            },
        ),
    )
    clock.advance(timedelta(seconds=settings.payment_reconcile_after_seconds + 1))
    assert await reconcile_payments(db, settings) == 1
    assert await reconcile_payments(db, settings) == 0
    assert len(razorpay.calls("GET", f"/v1/orders/{ORDER}/payments")) == 1
    assert await status_of(db, payment.id) == ("succeeded", payment.amount, 0)
    async with db.transaction(write=False) as session:
        ref = await session.scalar(
            text("SELECT gateway_payment_ref FROM payment_intents WHERE id = :id"),
            {"id": payment.id},
        )
    assert ref == PAY  # what a refund will name


async def test_a_replaced_order_paid_at_razorpay_after_all_is_refunded(
    db: Database, client: httpx.AsyncClient, settings: Settings, razorpay: FakeRazorpay
) -> None:
    """Razorpay cannot cancel an order, so a replaced one is looked up: a payment captured on
    it is refunded, and the customer's new payment stays the order's only one."""
    user = await make_user(db, "customer")
    old = await with_order(db, user)
    async with db.transaction() as session:
        new = await service.replace_intent(
            session,
            order_id=old.order_id,
            customer_id=user["id"],
            amount=old.amount,
            currency="INR",
            method="upi",
        )
    razorpay.on(
        "GET",
        f"/v1/orders/{ORDER}/payments",
        (200, {"entity": "collection", "count": 1, "items": [payment_entity(old)]}),
    )
    razorpay.on(
        "GET",
        f"/v1/payments/{PAY}/refunds",
        (200, {"entity": "collection", "count": 0, "items": []}),
    )
    razorpay.on("POST", f"/v1/payments/{PAY}/refund", lambda body: (200, refund_entity(body)))
    assert await void_at_providers(db, settings) == 1
    assert await void_at_providers(db, settings) == 0
    assert await send_refunds(db, settings) == 1
    assert len(razorpay.calls("GET", f"/v1/orders/{ORDER}/payments")) == 1
    [sent] = razorpay.calls("POST", f"/v1/payments/{PAY}/refund")
    assert sent.body["amount"] == old.amount
    assert await status_of(db, old.id) == ("refunded", old.amount, old.amount)
    assert await status_of(db, new.id) == ("pending", 0, 0)
    async with db.transaction(write=False) as session:
        live = await service.get_payment_for_order(session, old.order_id)
    assert live is not None and live.id == new.id
    # The webhook of that capture, arriving after, changes nothing more.
    r = await post_webhook(client, webhook("payment.captured", payment_entity(old)))
    assert r.status_code == 200, r.text
    assert await status_of(db, old.id) == ("refunded", old.amount, old.amount)


async def test_a_replaced_order_razorpay_holds_nothing_on_is_done_at_once(
    db: Database, settings: Settings, razorpay: FakeRazorpay
) -> None:
    user = await make_user(db, "customer")
    old = await with_order(db, user)
    async with db.transaction() as session:
        await service.settle_cancelled_order(
            session, old.order_id, refund_amount=None, reason="customer"
        )
    razorpay.on(
        "GET",
        f"/v1/orders/{ORDER}/payments",
        (200, {"entity": "collection", "count": 0, "items": []}),
    )
    assert await void_at_providers(db, settings) == 1
    assert await void_at_providers(db, settings) == 0
    assert len(razorpay.seen) == 1
    assert await status_of(db, old.id) == ("cancelled", 0, 0)
