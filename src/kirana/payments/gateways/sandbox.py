"""The sandbox gateway: test instruments with fixed outcomes, and signed webhooks a moment later.

It behaves like a real gateway seen from outside: a test card is charged at once (succeeded or
declined), a UPI collect request answers ``pending`` and resolves through the webhook, any other
instrument is refused. Whatever the immediate answer, the gateway also announces the outcome
by webhook after a short delay: a row in ``sandbox_webhook_deliveries`` that the
``deliver_sandbox_webhooks`` job signs and posts to our own endpoint, retrying with backoff.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import ValidationFailed
from kirana.kit.ids import new_id
from kirana.payments import repository as repo
from kirana.payments import webhooks
from kirana.payments.gateways.base import Charge, Instrument
from kirana.payments.models import PaymentIntent, PaymentRefund, SandboxWebhookDelivery
from kirana.payments.state import Outcome, PaymentStatus

WEBHOOK_DELAY = timedelta(seconds=1)
_S = PaymentStatus

# instrument -> (immediate answer, final outcome, failure reason)
TEST_CARDS: dict[str, tuple[Outcome, Outcome, str | None]] = {
    "4242424242424242": (_S.SUCCEEDED, _S.SUCCEEDED, None),
    "4000000000000002": (_S.FAILED, _S.FAILED, "card_declined"),
}
TEST_VPAS: dict[str, tuple[Outcome, Outcome, str | None]] = {
    "success@upi": (_S.PENDING, _S.SUCCEEDED, None),
    "failure@upi": (_S.PENDING, _S.FAILED, "upi_collect_declined"),
}


class Sandbox:
    name = "sandbox"

    async def charge(
        self, session: AsyncSession, intent: PaymentIntent, instrument: Instrument
    ) -> Charge:
        table = TEST_CARDS if instrument.kind == "card" else TEST_VPAS
        if instrument.value not in table:
            raise ValidationFailed(_unknown_instrument(instrument), code="unknown_test_instrument")
        answer, final, reason = table[instrument.value]
        extra: dict[str, Any] = {"status": final, "failure_reason": reason}
        event_type = webhooks.SUCCEEDED if final == _S.SUCCEEDED else webhooks.FAILED
        await _schedule(session, intent, event_type, **extra)
        return Charge(
            outcome=answer,
            reason=reason if answer == _S.FAILED else None,
            gateway_ref=f"ch_{new_id()}",
        )

    async def refund(
        self, session: AsyncSession, intent: PaymentIntent, refund: PaymentRefund
    ) -> None:
        await _schedule(
            session, intent, webhooks.REFUNDED, refund_id=refund.id, refunded=refund.amount
        )


def _unknown_instrument(instrument: Instrument) -> str:
    if instrument.kind == "card":
        return (
            "The sandbox accepts only its test cards: 4242424242424242 (succeeds) and "
            "4000000000000002 (declined)"
        )
    return "The sandbox accepts only the test UPI addresses success@upi and failure@upi"


async def _schedule(
    session: AsyncSession, intent: PaymentIntent, event_type: str, **extra: Any
) -> None:
    event = webhooks.build_event(
        event_type,
        payment_id=intent.id,
        order_id=intent.order_id,
        amount=intent.amount,
        currency=intent.currency,
        **extra,
    )
    await repo.add_sandbox_delivery(
        session,
        SandboxWebhookDelivery(
            id=new_id(),
            event_id=event["id"],
            event_type=event_type,
            payload=event,
            status="pending",
            attempts=0,
            next_attempt_at=clock.now() + WEBHOOK_DELAY,
        ),
    )
