"""Stripe, through its official SDK (``stripe``): PaymentIntents confirmed in the browser.

Our server creates the PaymentIntent (amount in the currency's minor unit, our payment and
order ids in its metadata, our intent id as its Idempotency-Key, so asking twice makes one);
the web app confirms it with Stripe.js and the client secret; Stripe's signed webhook
(``payment_intent.succeeded`` / ``payment_intent.payment_failed``) settles it. Refunds, full or
partial, carry our refund's idempotency key as Stripe's. The SDK talks HTTP through httpx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit.errors import Conflict
from kirana.payments import webhooks
from kirana.payments.gateways.base import Charge, ClientCheckout, Instrument, ProviderPayment
from kirana.payments.models import PaymentIntent, PaymentRefund
from kirana.payments.state import PaymentStatus

SIGNATURE_HEADER = "Stripe-Signature"
EVENTS = {
    "payment_intent.succeeded": webhooks.SUCCEEDED,
    "payment_intent.payment_failed": webhooks.FAILED,
    "charge.refunded": webhooks.REFUNDED,
}


def intent_key(intent: PaymentIntent) -> str:
    return f"kirana-intent-{intent.id}"


def void_key(intent: PaymentIntent) -> str:
    return f"kirana-void-{intent.id}"


def refund_key(intent: PaymentIntent, refund: PaymentRefund) -> str:
    return f"kirana-refund-{intent.id}-{refund.idempotency_key}"[:255]


class StripeGateway:
    name = "stripe"

    def __init__(self, settings: Settings) -> None:
        self.public_key = settings.stripe_publishable_key
        self.script_url = settings.stripe_script_url
        self._webhook_secret = settings.stripe_webhook_secret
        self._api_key = settings.stripe_secret_key
        self._tolerance = settings.stripe_webhook_tolerance_seconds
        self._client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base.rstrip("/")},
            http_client=stripe.HTTPXClient(timeout=settings.payment_http_timeout_seconds),
            max_network_retries=0,  # our jobs retry, with the same idempotency keys
        )

    async def charge(
        self, session: AsyncSession, intent: PaymentIntent, instrument: Instrument
    ) -> Charge:
        raise Conflict(
            "This payment is confirmed in the browser with Stripe; open the checkout again",
            code="client_confirmation_required",
        )

    async def refund(
        self, session: AsyncSession, intent: PaymentIntent, refund: PaymentRefund
    ) -> None:
        """Nothing in the transaction: the ``send_refunds`` job sends it after commit."""

    async def start(self, intent: PaymentIntent) -> ClientCheckout:
        if intent.gateway_ref:
            found = await self._client.v1.payment_intents.retrieve_async(intent.gateway_ref)
        else:
            found = await self._client.v1.payment_intents.create_async(
                params={
                    "amount": intent.amount,
                    "currency": intent.currency.lower(),
                    "allowed_payment_method_types": ["card"],
                    "description": f"Kirana order {intent.order_id}",
                    "metadata": {"payment_id": intent.id, "order_id": intent.order_id},
                },
                options={"idempotency_key": intent_key(intent)},
            )
        return ClientCheckout(
            provider=self.name,
            public_key=self.public_key,
            script_url=self.script_url,
            gateway_ref=found.id,
            client_secret=found.client_secret,
        )

    async def look_up(self, intent: PaymentIntent) -> ProviderPayment:
        if not intent.gateway_ref:
            return ProviderPayment(PaymentStatus.PENDING)
        found = await self._client.v1.payment_intents.retrieve_async(intent.gateway_ref)
        return _answer(found.to_dict())

    async def send_refund(self, intent: PaymentIntent, refund: PaymentRefund) -> str:
        made = await self._client.v1.refunds.create_async(
            params={
                "payment_intent": str(intent.gateway_ref),
                "amount": refund.amount,
                "metadata": {
                    "payment_id": intent.id,
                    "order_id": intent.order_id,
                    "refund_id": refund.id,
                },
            },
            options={"idempotency_key": refund_key(intent, refund)},
        )
        return str(made.id)

    async def void(self, intent: PaymentIntent) -> ProviderPayment:
        """Cancel the PaymentIntent (``POST /v1/payment_intents/{id}/cancel``), so a browser
        still holding its client secret cannot confirm it. Stripe refuses to cancel one that
        succeeded (or was cancelled) meanwhile (``payment_intent_unexpected_state``): then it
        is read, and what it says is the answer."""
        try:
            found = await self._client.v1.payment_intents.cancel_async(
                str(intent.gateway_ref),
                params={"cancellation_reason": "abandoned"},
                options={"idempotency_key": void_key(intent)},
            )
        except stripe.InvalidRequestError as exc:
            if exc.code != "payment_intent_unexpected_state":
                raise
            found = await self._client.v1.payment_intents.retrieve_async(str(intent.gateway_ref))
        return _answer(found.to_dict())

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> webhooks.WebhookEvent:
        header = headers.get(SIGNATURE_HEADER)
        if not header:
            raise webhooks.InvalidSignature(f"The {SIGNATURE_HEADER} header is missing")
        try:
            stripe.Webhook.construct_event(
                body.decode("utf-8", "replace"),
                header,
                self._webhook_secret,
                tolerance=self._tolerance,
                api_key=self._api_key,
            )
        except stripe.SignatureVerificationError as exc:
            raise webhooks.InvalidSignature(
                f"The {SIGNATURE_HEADER} does not sign this body within its tolerance window"
            ) from exc
        except ValueError as exc:
            raise webhooks.InvalidPayload("The webhook body is not a Stripe event") from exc
        return _event(body)


def _answer(obj: Mapping[str, Any]) -> ProviderPayment:
    """A PaymentIntent object's status in our words."""
    status = obj.get("status")
    error = obj.get("last_payment_error")
    reason = None
    if isinstance(error, Mapping):
        reason = str(error.get("decline_code") or error.get("code") or "declined")
    amount = obj.get("amount_received") if status == "succeeded" else obj.get("amount")
    common: dict[str, Any] = {
        "amount": amount if isinstance(amount, int) else None,
        "currency": str(obj.get("currency", "")).upper() or None,
        "payment_ref": obj.get("latest_charge")
        if isinstance(obj.get("latest_charge"), str)
        else None,
    }
    if status == "succeeded":
        return ProviderPayment(PaymentStatus.SUCCEEDED, **common)
    if status == "canceled":
        return ProviderPayment(
            PaymentStatus.FAILED, reason=str(obj.get("cancellation_reason") or "canceled"), **common
        )
    if status == "requires_payment_method" and reason is not None:
        return ProviderPayment(PaymentStatus.FAILED, reason=reason, **common)
    return ProviderPayment(PaymentStatus.PENDING, **common)


def _event(body: bytes) -> webhooks.WebhookEvent:
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise webhooks.InvalidPayload("The webhook body is not JSON") from exc
    data = event.get("data") if isinstance(event, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    event_id, event_type = (
        (event.get("id"), event.get("type")) if isinstance(event, dict) else (None, None)
    )
    if not (
        isinstance(event_id, str)
        and 0 < len(event_id) <= 40
        and isinstance(event_type, str)
        and 0 < len(event_type) <= 60
        and isinstance(obj, dict)
    ):
        raise webhooks.InvalidPayload("A Stripe event needs an id, a type and data.object")
    metadata = obj.get("metadata")
    payment_id = metadata.get("payment_id") if isinstance(metadata, dict) else None
    kind = EVENTS.get(event_type, event_type)
    answer = _answer(obj) if kind in (webhooks.SUCCEEDED, webhooks.FAILED) else None
    gateway_ref = (
        obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
    )
    return webhooks.WebhookEvent(
        id=event_id,
        type=kind,
        payment_id=payment_id[:26] if isinstance(payment_id, str) else "",
        reason=(answer.reason or "declined") if answer and kind == webhooks.FAILED else None,
        amount=answer.amount if answer else None,
        currency=answer.currency if answer else None,
        gateway_ref=gateway_ref if isinstance(gateway_ref, str) else None,
        payment_ref=answer.payment_ref if answer else None,
    )
