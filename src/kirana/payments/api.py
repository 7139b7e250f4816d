"""REST routes of the payments service: confirm a payment, receive a gateway's webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request

from kirana.deps import AppSettings, CurrentUser, Session
from kirana.payments import handlers as _handlers  # noqa: F401  (subscribes to order events)
from kirana.payments import service
from kirana.payments.schemas import ConfirmIn, ConfirmOut, PaymentRead, WebhookAck
from kirana.payments.webhooks import SIGNATURE_HEADER

router = APIRouter(prefix="/api/v1", tags=["payments"])

PaymentId = Annotated[str, Path(min_length=1, max_length=26)]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=100)
]


@router.get("/payments/{payment_id}", operation_id="getPayment")
async def get_payment(
    payment_id: PaymentId, principal: CurrentUser, session: Session
) -> PaymentRead:
    return await service.get_payment(session, payment_id, customer_id=principal.id)


@router.post("/payments/{payment_id}/confirm", operation_id="confirmPayment")
async def confirm_payment(
    payment_id: PaymentId,
    body: ConfirmIn,
    principal: CurrentUser,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> ConfirmOut:
    return await service.confirm(
        session,
        payment_id=payment_id,
        customer_id=principal.id,
        body=body,
        idempotency_key=idempotency_key,
    )


@router.post("/payments/webhooks/{provider}", operation_id="receivePaymentWebhook")
async def receive_webhook(
    provider: Annotated[str, Path(min_length=1, max_length=20)],
    request: Request,
    session: Session,
    settings: AppSettings,
) -> WebhookAck:
    return await service.handle_webhook(
        session,
        provider=provider,
        secret=settings.payment_webhook_secret,
        body=await request.body(),
        signature=request.headers.get(SIGNATURE_HEADER),
    )
