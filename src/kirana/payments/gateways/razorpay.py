"""Razorpay, through its official SDK (``razorpay``): orders paid in Razorpay Checkout.

Our server creates a Razorpay order (amount in the currency's minor unit, our payment id as its
receipt and in its notes); the web app opens Checkout on it, where the customer pays by card or
UPI; Checkout's handler hands back ``razorpay_payment_id``, ``razorpay_order_id`` and
``razorpay_signature`` (HMAC-SHA256 of ``order_id|payment_id`` with the key secret), which our
callback verifies before it asks Razorpay for the payment. Webhooks carry
``X-Razorpay-Signature``, an HMAC-SHA256 of the raw body with the webhook secret. The SDK is
synchronous (requests): each call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import orjson
import razorpay
from razorpay.errors import SignatureVerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit.errors import Conflict
from kirana.payments import webhooks
from kirana.payments.gateways.base import Charge, ClientCheckout, Instrument, ProviderPayment
from kirana.payments.models import PaymentIntent, PaymentRefund
from kirana.payments.state import PaymentStatus

SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"
EVENTS = {
    "payment.captured": webhooks.SUCCEEDED,
    "order.paid": webhooks.SUCCEEDED,
    "payment.failed": webhooks.FAILED,
    "refund.processed": webhooks.REFUNDED,
}
T = TypeVar("T")


class RazorpayGateway:
    name = "razorpay"

    def __init__(self, settings: Settings) -> None:
        self.public_key = settings.razorpay_key_id
        self.script_url = settings.razorpay_script_url
        self._webhook_secret = settings.razorpay_webhook_secret
        self._timeout = settings.payment_http_timeout_seconds
        self._client = razorpay.Client(
            auth=(settings.razorpay_key_id, settings.razorpay_key_secret),
            base_url=settings.razorpay_base_url.rstrip("/"),
        )

    async def _call(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(call, *args, timeout=self._timeout)

    async def charge(
        self, session: AsyncSession, intent: PaymentIntent, instrument: Instrument
    ) -> Charge:
        raise Conflict(
            "This payment is made in Razorpay Checkout in the browser; open the checkout again",
            code="client_confirmation_required",
        )

    async def refund(
        self, session: AsyncSession, intent: PaymentIntent, refund: PaymentRefund
    ) -> None:
        """Nothing in the transaction: the ``send_refunds`` job sends it after commit."""

    async def start(self, intent: PaymentIntent) -> ClientCheckout:
        order_id = intent.gateway_ref
        if not order_id:
            made = await self._call(
                self._client.order.create,
                {
                    "amount": intent.amount,
                    "currency": intent.currency.upper(),
                    "receipt": intent.id,
                    "notes": {"payment_id": intent.id, "order_id": intent.order_id},
                },
            )
            order_id = str(made["id"])
        return ClientCheckout(
            provider=self.name,
            public_key=self.public_key,
            script_url=self.script_url,
            gateway_ref=order_id,
            provider_order_id=order_id,
        )

    def verify_callback(self, order_id: str, payment_id: str, signature: str) -> None:
        """Raise :class:`webhooks.InvalidSignature` unless Checkout's signature is Razorpay's."""
        try:
            self._client.utility.verify_payment_signature(
                {
                    "razorpay_order_id": order_id,
                    "razorpay_payment_id": payment_id,
                    "razorpay_signature": signature,
                }
            )
        except SignatureVerificationError as exc:
            raise webhooks.InvalidSignature(
                "The razorpay_signature does not sign this order and payment"
            ) from exc

    async def fetch_payment(self, payment_id: str) -> dict[str, Any]:
        return dict(await self._call(self._client.payment.fetch, payment_id))

    async def look_up(self, intent: PaymentIntent) -> ProviderPayment:
        if not intent.gateway_ref:
            return ProviderPayment(PaymentStatus.PENDING)
        found = await self._call(self._client.order.payments, intent.gateway_ref)
        items = [p for p in found.get("items", []) if isinstance(p, dict)]
        for payment in items:
            if payment.get("status") == "captured":
                return answer(payment)
        if items and all(p.get("status") == "failed" for p in items):
            return answer(items[0])
        return ProviderPayment(PaymentStatus.PENDING)

    async def void(self, intent: PaymentIntent) -> ProviderPayment:
        """Razorpay's API has no call that cancels an order (an unpaid one just expires), so
        a voided one is looked up instead: a payment captured on it before or after is
        refunded (here, or when its webhook comes). Anything else is final for us: a payment
        made on it later reaches us by webhook and is refunded then."""
        said = await self.look_up(intent)
        if said.outcome == PaymentStatus.SUCCEEDED:
            return said
        return ProviderPayment(PaymentStatus.FAILED, reason="voided")

    async def send_refund(self, intent: PaymentIntent, refund: PaymentRefund) -> str:
        payment_ref = str(intent.gateway_payment_ref)
        # Razorpay takes no idempotency key for refunds: our refund's id is its receipt, and a
        # refund sent before a crash is found by it rather than made twice.
        made = await self._call(self._client.payment.fetch_multiple_refund, payment_ref)
        for existing in made.get("items", []):
            if isinstance(existing, dict) and existing.get("receipt") == refund.id:
                return str(existing["id"])
        sent = await self._call(
            self._client.payment.refund,
            payment_ref,
            {
                "amount": refund.amount,
                "speed": "normal",
                "receipt": refund.id,
                "notes": {
                    "payment_id": intent.id,
                    "order_id": intent.order_id,
                    "reason": refund.reason[:250],
                },
            },
        )
        return str(sent["id"])

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> webhooks.WebhookEvent:
        signature = headers.get(SIGNATURE_HEADER)
        if not signature:
            raise webhooks.InvalidSignature(f"The {SIGNATURE_HEADER} header is missing")
        try:
            self._client.utility.verify_webhook_signature(
                body.decode("utf-8", "replace"), signature, self._webhook_secret
            )
        except SignatureVerificationError as exc:
            raise webhooks.InvalidSignature(
                f"The {SIGNATURE_HEADER} does not sign this body"
            ) from exc
        return _event(body, headers.get(EVENT_ID_HEADER))


def answer(payment: Mapping[str, Any]) -> ProviderPayment:
    """A Razorpay payment entity's status in our words (``authorized`` waits for capture)."""
    status = payment.get("status")
    amount = payment.get("amount")
    common: dict[str, Any] = {
        "amount": amount if isinstance(amount, int) else None,
        "currency": str(payment.get("currency", "")).upper() or None,
        "payment_ref": str(payment["id"]) if isinstance(payment.get("id"), str) else None,
    }
    if status == "captured":
        return ProviderPayment(PaymentStatus.SUCCEEDED, **common)
    if status == "failed":
        reason = payment.get("error_reason") or payment.get("error_code") or "declined"
        return ProviderPayment(PaymentStatus.FAILED, reason=str(reason)[:200], **common)
    return ProviderPayment(PaymentStatus.PENDING, **common)


def _event(body: bytes, event_id: str | None) -> webhooks.WebhookEvent:
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise webhooks.InvalidPayload("The webhook body is not JSON") from exc
    event_type = event.get("event") if isinstance(event, dict) else None
    payload = event.get("payload") if isinstance(event, dict) else None
    if not (
        isinstance(event_id, str)
        and 0 < len(event_id) <= 40
        and isinstance(event_type, str)
        and 0 < len(event_type) <= 60
        and isinstance(payload, dict)
    ):
        raise webhooks.InvalidPayload(
            f"A Razorpay webhook needs the {EVENT_ID_HEADER} header, an event and a payload"
        )
    entity = (payload.get("payment") or {}).get("entity") or {}
    if not isinstance(entity, dict):
        raise webhooks.InvalidPayload("The webhook's payload.payment.entity is not an object")
    notes = entity.get("notes")
    payment_id = notes.get("payment_id") if isinstance(notes, dict) else None
    kind = EVENTS.get(event_type, event_type)
    said = answer(entity) if kind in (webhooks.SUCCEEDED, webhooks.FAILED) and entity else None
    order_id = entity.get("order_id")
    return webhooks.WebhookEvent(
        id=event_id,
        type=kind,
        payment_id=payment_id[:26] if isinstance(payment_id, str) else "",
        reason=said.reason if said and kind == webhooks.FAILED else None,
        amount=said.amount if said else None,
        currency=said.currency if said else None,
        gateway_ref=order_id if isinstance(order_id, str) else None,
        payment_ref=said.payment_ref if said else None,
    )
