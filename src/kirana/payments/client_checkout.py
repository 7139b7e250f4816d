"""Payments the customer completes in the browser with a provider's own script (Stripe's
Elements, Razorpay's Checkout): starting the provider's side, Razorpay's callback, and asking
a provider about a payment it left pending (the reconciliation job).

The provider is always called outside a transaction; what it says is settled through the
service's one conditional update (``service.settle``)."""

from __future__ import annotations

import logging

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.errors import Conflict, ServiceUnavailable
from kirana.payments import repository as repo
from kirana.payments import webhooks
from kirana.payments.gateways import RemoteGateway, remote_gateway
from kirana.payments.gateways.razorpay import RazorpayGateway, answer
from kirana.payments.models import PaymentIntent
from kirana.payments.schemas import CheckoutRead, ConfirmOut, RazorpayCallbackIn
from kirana.payments.service import confirm_out, owned_intent, settle_as_said
from kirana.payments.state import Outcome, PaymentStatus

log = logging.getLogger("kirana.payments")


def _provider_down(provider: str, exc: Exception) -> ServiceUnavailable:
    log.warning("payment provider %s failed: %s: %s", provider, type(exc).__name__, exc)
    return ServiceUnavailable(
        f"{provider.title()} did not answer; try paying again in a moment",
        code="provider_unavailable",
    )


async def _remote_intent(
    db: Database, payment_id: str, customer_id: str
) -> tuple[PaymentIntent, RemoteGateway]:
    async with db.transaction(write=False) as session:
        intent = await owned_intent(session, payment_id, customer_id)
    gateway = remote_gateway(intent.provider)
    if gateway is None:
        raise Conflict(
            f"This payment is by {intent.provider}: confirm it with POST "
            f"/api/v1/payments/{intent.id}/confirm",
            code="no_client_checkout",
        )
    if intent.status != PaymentStatus.PENDING:
        raise Conflict(f"This payment is {intent.status}", code="payment_closed")
    return intent, gateway


async def start_checkout(db: Database, *, payment_id: str, customer_id: str) -> CheckoutRead:
    """Create (once) the provider's side of a pending payment and say what the browser needs.

    The provider is called outside any transaction; its id is then recorded unless another
    request recorded one first, in which case that one is used (Stripe's idempotency key makes
    the two calls one PaymentIntent anyway)."""
    intent, gateway = await _remote_intent(db, payment_id, customer_id)
    for _ in range(2):
        try:
            checkout = await gateway.start(intent)
        except Exception as exc:
            raise _provider_down(intent.provider, exc) from exc
        async with db.transaction() as session:
            if await repo.set_gateway_ref(session, intent.id, checkout.gateway_ref):
                break
            fresh = await repo.intent_by_id(session, intent.id)
        assert fresh is not None
        intent = fresh
    else:
        raise Conflict("The payment changed meanwhile; try again", code="payment_changed")
    return CheckoutRead(
        payment_id=intent.id,
        provider="stripe" if checkout.provider == "stripe" else "razorpay",
        public_key=checkout.public_key,
        script_url=checkout.script_url,
        amount=intent.amount,
        currency=intent.currency,
        client_secret=checkout.client_secret,
        provider_order_id=checkout.provider_order_id,
    )


async def razorpay_callback(
    db: Database, *, payment_id: str, customer_id: str, body: RazorpayCallbackIn
) -> ConfirmOut:
    """Razorpay Checkout's handler reported a payment: check its signature (``order_id|
    payment_id`` signed with our key secret), ask Razorpay for the payment, and settle."""
    intent, gateway = await _remote_intent(db, payment_id, customer_id)
    if not isinstance(gateway, RazorpayGateway):
        raise Conflict("This payment is not with Razorpay", code="webhook_provider_mismatch")
    if intent.gateway_ref != body.razorpay_order_id:
        raise webhooks.InvalidSignature("That Razorpay order is not this payment's")
    gateway.verify_callback(
        body.razorpay_order_id, body.razorpay_payment_id, body.razorpay_signature
    )
    try:
        payment = await gateway.fetch_payment(body.razorpay_payment_id)
    except Exception as exc:
        raise _provider_down(intent.provider, exc) from exc
    said = answer(payment)
    if payment.get("order_id") != intent.gateway_ref:
        raise webhooks.InvalidSignature("Razorpay says that payment is for another order")
    async with db.transaction() as session:
        await settle_as_said(session, intent, said)
        now = await repo.intent_by_id(session, intent.id)
    assert now is not None
    status: Outcome = PaymentStatus.PENDING
    if now.status == PaymentStatus.SUCCEEDED:
        status = PaymentStatus.SUCCEEDED
    elif now.status == PaymentStatus.FAILED:
        status = PaymentStatus.FAILED
    return confirm_out(now, status, now.failure_reason if status == PaymentStatus.FAILED else None)


async def settle_from_provider(db: Database, intent: PaymentIntent, gateway: RemoteGateway) -> bool:
    """Ask the provider about a pending payment and settle it as it says; True if it moved.
    Idempotent: an intent settled meanwhile (by webhook) is left as it is."""
    said = await gateway.look_up(intent)
    async with db.transaction() as session:
        moved = await settle_as_said(session, intent, said)
        if moved is None:
            await repo.touch_pending(session, intent.id, clock.now())
    return bool(moved)
