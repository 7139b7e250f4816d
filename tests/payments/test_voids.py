"""A payment the customer replaced (paid again, switched method) or whose order was cancelled
is cancelled at Stripe too, after the commit, so the page that still holds its client secret
cannot pay it; Stripe faked at the HTTP boundary with its API reference's bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.payments import service
from kirana.payments.jobs import send_refunds, void_at_providers
from kirana.payments.schemas import PaymentRead
from tests.factories import make_user
from tests.payments.helpers import columns_of, events, make_intent, set_gateway_ref, status_of
from tests.payments.test_stripe import (
    API,
    PI,
    SK,
    declined,
    event,
    form,
    payment_intent,
    post_event,
    succeeded,
)
from tests.payments.test_stripe import settings as stripe_settings

CANCEL = f"/v1/payment_intents/{PI}/cancel"


@pytest.fixture
def settings(stripe_settings: Settings) -> Settings:
    """Stripe's test-mode keys: cards go to Stripe."""
    return stripe_settings


__all__ = ["stripe_settings"]  # the fixture above builds on it


def cancelled(payment: Any) -> dict[str, Any]:
    """The PaymentIntent Stripe answers to a cancel."""
    return payment_intent(
        payment, status="canceled", canceled_at=1680801000, cancellation_reason="abandoned"
    )


def unexpected_state(obj: dict[str, Any]) -> dict[str, Any]:
    """Stripe's 400 for a cancel of a PaymentIntent that succeeded meanwhile."""
    return {
        "error": {
            "code": "payment_intent_unexpected_state",
            "doc_url": "https://stripe.com/docs/error-codes/payment-intent-unexpected-state",
            "message": (
                "You cannot cancel this PaymentIntent because it has a status of succeeded. "
                "Only a PaymentIntent with one of the following statuses may be canceled: "
                "requires_payment_method, requires_capture, requires_confirmation, "
                "requires_action, processing."
            ),
            "payment_intent": obj,
            "type": "invalid_request_error",
        }
    }


async def replaced(db: Database, amount: int = 10_000) -> tuple[PaymentRead, PaymentRead]:
    """A Stripe payment whose PaymentIntent was made, then replaced by the customer's next
    try: (the old one, the new one)."""
    user = await make_user(db, "customer")
    old = await make_intent(db, user["id"], amount=amount)
    await set_gateway_ref(db, old.id, PI)
    async with db.transaction() as session:
        new = await service.replace_intent(
            session,
            order_id=old.order_id,
            customer_id=user["id"],
            amount=amount,
            currency="INR",
            method="card",
        )
    return old, new


async def made_at_stripe(db: Database) -> PaymentRead:
    """A customer's pending Stripe payment whose PaymentIntent was made."""
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    await set_gateway_ref(db, payment.id, PI)
    return payment


async def void_state(db: Database, payment_id: str) -> tuple[int, bool, bool]:
    """(tries, still due, done at the provider)."""
    tries, due, done = await columns_of(
        db, payment_id, "void_attempts", "void_due_at", "voided_at_provider"
    )
    return int(tries), due is not None, done is not None


async def test_a_replaced_payment_intent_is_cancelled_at_stripe_once(
    db: Database, settings: Settings
) -> None:
    old, new = await replaced(db)
    assert await status_of(db, old.id) == ("cancelled", 0, 0)
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        route = stripe_api.post(CANCEL).respond(200, json=cancelled(old))
        assert await void_at_providers(db, settings) == 1
        assert await void_at_providers(db, settings) == 0  # done: never sent again
    assert route.call_count == 1
    sent = route.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {SK}"
    assert sent.headers["Idempotency-Key"] == f"kirana-void-{old.id}"
    assert form(sent) == {"cancellation_reason": "abandoned"}
    assert await void_state(db, old.id) == (1, False, True)
    assert await status_of(db, old.id) == ("cancelled", 0, 0)
    assert await status_of(db, new.id) == ("pending", 0, 0)  # the new try is not touched
    assert await void_state(db, new.id) == (0, False, False)


async def test_a_cancelled_orders_payment_intent_is_cancelled_at_stripe(
    db: Database, settings: Settings
) -> None:
    payment = await made_at_stripe(db)
    async with db.transaction() as session:
        await service.settle_cancelled_order(
            session, payment.order_id, refund_amount=None, reason="customer"
        )
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        route = stripe_api.post(CANCEL).respond(200, json=cancelled(payment))
        assert await void_at_providers(db, settings) == 1
    assert route.call_count == 1


async def test_a_payment_stripe_never_saw_is_not_sent(db: Database, settings: Settings) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])  # no PaymentIntent made yet
    async with db.transaction() as session:
        await service.settle_cancelled_order(
            session, payment.order_id, refund_amount=None, reason="customer"
        )
    with respx.mock(base_url=API) as stripe_api:
        assert await void_at_providers(db, settings) == 0
    assert len(stripe_api.calls) == 0


async def test_a_capture_that_beat_the_cancel_is_refunded_once(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    old, _ = await replaced(db)
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        stripe_api.post(CANCEL).respond(400, json=unexpected_state(succeeded(old)))
        read = stripe_api.get(f"/v1/payment_intents/{PI}").respond(200, json=succeeded(old))
        assert await void_at_providers(db, settings) == 1
        refund = stripe_api.post("/v1/refunds").respond(
            200,
            json={"id": "re_1", "object": "refund", "amount": old.amount, "status": "succeeded"},
        )
        assert await send_refunds(db, settings) == 1
    assert read.call_count == 1 and refund.call_count == 1
    assert form(refund.calls[0].request)["amount"] == str(old.amount)
    assert await status_of(db, old.id) == ("refunded", old.amount, old.amount)
    assert len(await events(db, "payment.refunded", old.id)) == 1
    # Stripe's own webhook of that capture, arriving after, refunds nothing more.
    r = await post_event(client, event(succeeded(old), "payment_intent.succeeded"))
    assert r.status_code == 200
    assert await status_of(db, old.id) == ("refunded", old.amount, old.amount)
    assert len(await events(db, "payment.refunded", old.id)) == 1


async def test_stripe_down_the_cancel_is_retried_with_backoff(
    db: Database, settings: Settings
) -> None:
    old, _ = await replaced(db)
    with respx.mock(base_url=API) as stripe_api:
        route = stripe_api.post(CANCEL).mock(
            side_effect=[
                httpx.Response(
                    500, json={"error": {"type": "api_error", "message": "Something went wrong"}}
                ),
                httpx.Response(200, json=cancelled(old)),
            ]
        )
        assert await void_at_providers(db, settings) == 0
        assert await void_state(db, old.id) == (1, True, False)
        assert await void_at_providers(db, settings) == 0  # not due yet: backing off
        assert route.call_count == 1
        clock.advance(timedelta(seconds=2))
        assert await void_at_providers(db, settings) == 1
    assert route.call_count == 2
    # The same idempotency key both times: Stripe makes one cancellation of them.
    assert {c.request.headers["Idempotency-Key"] for c in route.calls} == {f"kirana-void-{old.id}"}
    assert await void_state(db, old.id) == (2, False, True)


async def test_a_replaced_payment_captured_by_webhook_is_refunded_and_not_the_orders(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    """Before the cancel reached Stripe, the old page paid: its webhook records the capture
    and refunds it, while the customer's new payment stays the order's one."""
    old, new = await replaced(db)
    r = await post_event(client, event(succeeded(old), "payment_intent.succeeded"))
    assert r.status_code == 200, r.text
    assert await status_of(db, old.id) == ("refunded", old.amount, old.amount)
    assert await status_of(db, new.id) == ("pending", 0, 0)
    async with db.transaction(write=False) as session:
        live = await service.get_payment_for_order(session, old.order_id)
    assert live is not None and live.id == new.id


async def test_a_declined_payment_intent_is_cancelled_and_a_later_capture_refunded(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    """After a decline Stripe keeps the PaymentIntent confirmable with another card, while we
    take the next try as a new payment: the declined one is cancelled at Stripe, and money a
    page captured on it before that is recorded and given back."""
    payment = await made_at_stripe(db)
    r = await post_event(client, event(declined(payment), "payment_intent.payment_failed"))
    assert r.status_code == 200, r.text
    assert await status_of(db, payment.id) == ("failed", 0, 0)
    # A page that still held the client secret confirmed it again, before our cancel.
    r = await post_event(client, event(succeeded(payment), "payment_intent.succeeded", "evt_2"))
    assert r.status_code == 200, r.text
    assert await status_of(db, payment.id) == ("refunded", payment.amount, payment.amount)
    assert len(await events(db, "payment.refunded", payment.id)) == 1
    async with db.transaction(write=False) as session:
        assert await service.get_payment_for_order(session, payment.order_id) is not None
    # Nothing is left to cancel at Stripe for it now.
    with respx.mock(base_url=API) as stripe_api:
        assert await void_at_providers(db, settings) == 0
    assert len(stripe_api.calls) == 0


async def test_a_declined_payment_intent_is_cancelled_at_stripe(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    payment = await made_at_stripe(db)
    r = await post_event(client, event(declined(payment), "payment_intent.payment_failed"))
    assert r.status_code == 200, r.text
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        route = stripe_api.post(CANCEL).respond(200, json=cancelled(payment))
        assert await void_at_providers(db, settings) == 1
        assert await void_at_providers(db, settings) == 0
    assert route.call_count == 1
    assert await status_of(db, payment.id) == ("failed", 0, 0)
    assert await void_state(db, payment.id) == (1, False, True)
