"""The payments service: intents, confirming them at a gateway, webhooks, refunds.

This module is the service's public interface. The confirm call and the gateway's webhook both
end in :func:`_settle`, a conditional update of a pending intent: whichever arrives first moves
it and emits ``payment.succeeded`` or ``payment.failed``; the other changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import (
    BadRequest,
    Conflict,
    NotFound,
    ValidationFailed,
)
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit
from kirana.payments import differences, intents, receipts, refunds, webhooks
from kirana.payments import repository as repo
from kirana.payments.gateways import (
    Instrument,
    ProviderPayment,
    gateway_for,
)
from kirana.payments.models import (
    PaymentAttempt,
    PaymentIntent,
    ProcessedWebhookEvent,
)
from kirana.payments.schemas import (
    ConfirmIn,
    ConfirmOut,
    PaymentRead,
    WebhookAck,
)
from kirana.payments.state import Outcome, PaymentStatus

log = logging.getLogger("kirana.payments")

# Part of this interface, kept in modules of their own: intents, refunds (orders and logistics
# refund through ``refund``, whose signature is stable), the payments of a substitute's price
# difference, and the provider's client checkout (``payments.client_checkout``).
to_read = intents.to_read
refund = refunds.refund
settle_cancelled_order = refunds.settle_cancelled_order
settle_order_change = refunds.settle_order_change
can_pay = refunds.can_pay
paid_for_order = refunds.paid_for_order
pay_difference = differences.pay_difference
difference_payments = differences.difference_payments
void_differences = differences.void_differences
refund_unused_difference = differences.refund_unused_difference
money_of_order = receipts.money_of_order


def confirm_out(intent: PaymentIntent, status: Outcome, reason: str | None) -> ConfirmOut:
    return ConfirmOut(
        **to_read(intent).model_dump(exclude={"status"}),
        status=status,
        failure_reason=reason,
    )


async def create_intent(
    session: AsyncSession,
    *,
    order_id: str,
    customer_id: str,
    amount: int,
    currency: str,
    method: str,
) -> PaymentRead:
    """The order's payment intent; asking again for the same order returns the live one."""
    row = intents.new_row(
        order_id=order_id, customer_id=customer_id, amount=amount, currency=currency, method=method
    )
    if not await repo.insert_intent(session, row):
        live = await repo.live_intent_for_order(session, order_id)
        if live is None or (live.amount, live.method, live.customer_id) != (
            amount,
            method,
            customer_id,
        ):
            raise Conflict("This order already has a payment", code="payment_exists")
        return to_read(live)
    return intents.read_of(row)


async def replace_intent(
    session: AsyncSession,
    *,
    order_id: str,
    customer_id: str,
    amount: int,
    currency: str,
    method: str,
) -> PaymentRead:
    """A new intent for an unpaid order whose last one failed or was never charged (the
    customer picks another card, UPI or cash). A pending one is voided first; one with a charge
    in flight, or a captured one, is refused (409)."""
    live = await repo.live_intent_for_order(session, order_id)
    if live is not None and live.status != PaymentStatus.PENDING:
        raise Conflict("This order is paid already", code="payment_exists")
    if live is not None:
        if await repo.has_pending_attempt(session, live.id):
            raise Conflict(
                "A payment for this order is still in progress; wait for its answer",
                code="payment_in_progress",
            )
        if not await repo.move_pending(
            session, live.id, status=PaymentStatus.CANCELLED, at=clock.now()
        ):
            raise Conflict("The payment changed meanwhile; try again", code="payment_changed")
    return await create_intent(
        session,
        order_id=order_id,
        customer_id=customer_id,
        amount=amount,
        currency=currency,
        method=method,
    )


@dataclass(frozen=True, slots=True)
class NewOrderIntent:
    """A new order's payment intent, decided before it is written: checkout stores its answer
    (which names the payment) before it writes anything else."""

    row: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def status(self) -> str:
        return str(self.row["status"])

    @property
    def provider(self) -> str:
        return str(self.row["provider"])


def new_order_intent(
    *, order_id: str, customer_id: str, amount: int, currency: str, method: str
) -> NewOrderIntent:
    """The payment intent of an order being placed (checked, not yet written)."""
    return NewOrderIntent(
        intents.new_row(
            order_id=order_id,
            customer_id=customer_id,
            amount=amount,
            currency=currency,
            method=method,
        )
    )


async def add_new_order_intent(session: AsyncSession, intent: NewOrderIntent) -> PaymentRead:
    """Write ``intent``: the order is created in this same transaction, so it cannot have an
    intent yet, and there is nothing to check."""
    await repo.add_intent(session, intent.row)
    return intents.read_of(intent.row)


async def get_payment_for_order(session: AsyncSession, order_id: str) -> PaymentRead | None:
    intent = await repo.live_intent_for_order(session, order_id)
    if intent is None:
        intent = await repo.latest_intent_for_order(session, order_id)
    return None if intent is None else to_read(intent)


async def get_payment(session: AsyncSession, payment_id: str, *, customer_id: str) -> PaymentRead:
    return to_read(await owned_intent(session, payment_id, customer_id))


async def sum_captured(session: AsyncSession) -> int:
    """Money captured minus money refunded, over every payment."""
    return await repo.sum_captured(session)


async def captured_by_order(session: AsyncSession) -> dict[str, int]:
    """Captured minus refunded per order id, for orders with any capture."""
    return await repo.captured_by_order(session)


async def owned_intent(
    session: AsyncSession, payment_id: str, customer_id: str, *, lock: bool = False
) -> PaymentIntent:
    intent = await repo.intent_by_id(session, payment_id, lock=lock)
    if intent is None or intent.customer_id != customer_id:
        raise NotFound("No such payment", code="payment_not_found")
    return intent


def _instrument(body: ConfirmIn) -> Instrument:
    if body.card_number is not None:
        return Instrument("card", body.card_number)
    assert body.upi_vpa is not None  # ConfirmIn guarantees exactly one
    return Instrument("upi", body.upi_vpa)


async def confirm(
    session: AsyncSession,
    *,
    payment_id: str,
    customer_id: str,
    body: ConfirmIn,
    idempotency_key: str | None = None,
) -> ConfirmOut:
    """Charge the customer's instrument for a pending intent (the customer's "Pay" button)."""
    intent = await owned_intent(session, payment_id, customer_id, lock=True)
    instrument = _instrument(body)
    request_hash = hashlib.sha256(f"{instrument.kind}:{instrument.value}".encode()).hexdigest()
    if idempotency_key is not None:
        first = await repo.attempt_by_key(session, intent.id, idempotency_key)
        if first is not None:
            if first.request_hash != request_hash:
                raise ValidationFailed(
                    "This Idempotency-Key was used with another body", code="idempotency_key_reused"
                )
            return confirm_out(intent, first.outcome, first.reason)
    gateway = gateway_for(intent.provider)
    if intent.method != "cod" and intent.method != instrument.kind:
        raise ValidationFailed(
            f"This payment is by {intent.method}; send "
            + ("card_number" if intent.method == "card" else "upi_vpa"),
            code="instrument_mismatch",
        )
    if intent.status in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
        return confirm_out(intent, intent.status, intent.failure_reason)
    if intent.status != PaymentStatus.PENDING:
        raise Conflict(f"This payment is {intent.status}", code="payment_closed")
    if await repo.has_pending_attempt(session, intent.id):
        return confirm_out(
            intent, PaymentStatus.PENDING, None
        )  # a UPI collect request is in flight
    charge = await gateway.charge(session, intent, instrument)
    attempt = PaymentAttempt(
        id=new_id(),
        intent_id=intent.id,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        instrument=instrument.masked(),
        gateway_ref=charge.gateway_ref,
        outcome=charge.outcome,
        reason=charge.reason,
    )
    if not await repo.insert_unique(session, attempt):
        raise Conflict("This payment is being confirmed already", code="confirm_in_progress")
    if charge.outcome != PaymentStatus.PENDING:
        await _settle(session, intent.id, charge.outcome, charge.reason)
    return confirm_out(intent, charge.outcome, charge.reason)


async def _settle(
    session: AsyncSession,
    intent_id: str,
    outcome: Outcome,
    reason: str | None,
    *,
    payment_ref: str | None = None,
) -> bool:
    """Move a pending intent to its final outcome once; the one that moves it emits the event.
    ``payment_ref`` is the provider's id of the charge that paid it (what a refund names)."""
    intent = await repo.intent_by_id(session, intent_id)
    if intent is None:
        return False
    now = clock.now()
    if outcome == PaymentStatus.SUCCEEDED:
        moved = await repo.move_pending(
            session,
            intent_id,
            status=PaymentStatus.SUCCEEDED,
            at=now,
            captured_amount=intent.amount,
            gateway_payment_ref=payment_ref,
        )
        if moved:
            await emit(
                session,
                "payment.succeeded",
                {
                    "payment_id": intent.id,
                    "order_id": intent.order_id,
                    "amount": intent.amount,
                    "currency": intent.currency,
                    "provider": intent.provider,
                    # "difference": a substitute's price difference, not the order's payment
                    "kind": intent.kind,
                    "substitution_id": intent.substitution_id,
                },
            )
        return moved
    moved = await repo.move_pending(
        session,
        intent_id,
        status=PaymentStatus.FAILED,
        at=now,
        failure_reason=reason or "declined",
    )
    if moved:
        await emit(
            session,
            "payment.failed",
            {"payment_id": intent.id, "order_id": intent.order_id, "reason": reason or "declined"},
        )
    return moved


async def handle_webhook(
    session: AsyncSession,
    *,
    provider: str,
    secret: str,
    body: bytes,
    signature: str | None,
) -> WebhookAck:
    """Apply the sandbox's signed event once (``Kirana-Signature``); a provider's own webhooks
    come through :func:`apply_webhook` after its gateway verified them."""
    gateway_for(provider)  # 404 for a provider we do not know
    webhooks.verify(secret, signature, body, clock.now())
    return await apply_webhook(session, provider=provider, event=webhooks.parse(body))


async def _webhook_intent(
    session: AsyncSession, provider: str, event: webhooks.WebhookEvent
) -> PaymentIntent | None:
    intent = await repo.intent_by_id(session, event.payment_id) if event.payment_id else None
    if intent is None and event.gateway_ref:
        intent = await repo.intent_by_gateway_ref(session, provider, event.gateway_ref)
    if intent is None:
        return None
    if intent.provider != provider:
        raise BadRequest(
            f"Payment {intent.id} is with {intent.provider!r}; {provider!r} cannot report on it",
            code="webhook_provider_mismatch",
        )
    if event.gateway_ref and intent.gateway_ref and event.gateway_ref != intent.gateway_ref:
        raise BadRequest(
            f"The event is about {event.gateway_ref}, not this payment's {intent.gateway_ref}",
            code="webhook_payment_mismatch",
        )
    return intent


def pays_in_full(intent: PaymentIntent, amount: int | None, currency: str | None) -> bool:
    """Whether what the provider captured is what the intent asked (when it says)."""
    return (amount is None or amount == intent.amount) and (
        currency is None or currency.upper() == intent.currency.upper()
    )


async def settle_as_said(
    session: AsyncSession, intent: PaymentIntent, said: ProviderPayment
) -> bool | None:
    """Settle a pending intent as its provider reports it: True if this moved it, False if
    something else had; None if the report settles nothing (still pending, or a capture of
    another amount or currency)."""
    if said.outcome == PaymentStatus.SUCCEEDED and pays_in_full(intent, said.amount, said.currency):
        return await _settle(
            session, intent.id, PaymentStatus.SUCCEEDED, None, payment_ref=said.payment_ref
        )
    if said.outcome == PaymentStatus.FAILED:
        return await _settle(session, intent.id, PaymentStatus.FAILED, said.reason)
    return None


async def apply_webhook(
    session: AsyncSession, *, provider: str, event: webhooks.WebhookEvent
) -> WebhookAck:
    """Apply a verified event once; a redelivered event id changes nothing."""
    intent = await _webhook_intent(session, provider, event)
    fresh = await repo.insert_unique(
        session,
        ProcessedWebhookEvent(
            provider=provider,
            event_id=event.id,
            event_type=event.type,
            intent_id=intent.id if intent is not None else None,
            received_at=clock.now(),
        ),
    )
    if not fresh:
        return WebhookAck(duplicate=True)
    if intent is None:
        return WebhookAck()  # not ours (another environment's event); acknowledged, ignored
    if event.type == webhooks.SUCCEEDED:
        if not pays_in_full(intent, event.amount, event.currency):
            log.warning(
                "payment %s: %s reports %s %s captured, not %s %s; left for support",
                intent.id,
                provider,
                event.amount,
                event.currency,
                intent.amount,
                intent.currency,
            )
            return WebhookAck()
        if not await _settle(
            session, intent.id, PaymentStatus.SUCCEEDED, None, payment_ref=event.payment_ref
        ):
            await refunds.refund_late_capture(session, intent.id, payment_ref=event.payment_ref)
    elif event.type == webhooks.FAILED:
        await _settle(session, intent.id, PaymentStatus.FAILED, event.reason)
    # A refund event confirms a refund we started and recorded already.
    return WebhookAck()


async def collect_cash(session: AsyncSession, order_id: str) -> None:
    """A cash-on-delivery order was delivered: the rider collected its total."""
    intent = await repo.live_intent_for_order(session, order_id)
    if intent is not None and intent.method == "cod" and intent.status == PaymentStatus.PENDING:
        await repo.move_pending(
            session,
            intent.id,
            status=PaymentStatus.SUCCEEDED,
            at=clock.now(),
            captured_amount=intent.amount,
        )
