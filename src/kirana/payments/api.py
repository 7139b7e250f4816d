"""REST routes of the payments service: confirm a payment, receive a gateway's webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.deps import AdminUser, AppSettings, CurrentUser, Session
from kirana.kit.db import Database
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from kirana.payments import client_checkout, refunds, service
from kirana.payments import handlers as _handlers  # noqa: F401  (subscribes to order events)
from kirana.payments.gateways import remote_gateway
from kirana.payments.schemas import (
    AdminRefundRead,
    CheckoutRead,
    ConfirmIn,
    ConfirmOut,
    PaymentRead,
    RazorpayCallbackIn,
    RefundStatus,
    WebhookAck,
)
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


async def _outside_request_transaction(session: AsyncSession, request: Request) -> Database:
    """A provider is called outside any transaction: end the request's (it only authenticated
    the caller) so no lock is held meanwhile, and work in short transactions of our own."""
    await session.commit()
    db: Database = request.app.state.db
    return db


@router.post("/payments/{payment_id}/checkout", operation_id="startPaymentCheckout")
async def start_checkout(
    payment_id: PaymentId, principal: CurrentUser, session: Session, request: Request
) -> CheckoutRead:
    """Stripe or Razorpay: what the browser needs to run the provider's payment flow."""
    db = await _outside_request_transaction(session, request)
    return await client_checkout.start_checkout(db, payment_id=payment_id, customer_id=principal.id)


@router.post("/payments/{payment_id}/razorpay-callback", operation_id="completeRazorpayPayment")
async def razorpay_callback(
    payment_id: PaymentId,
    body: RazorpayCallbackIn,
    principal: CurrentUser,
    session: Session,
    request: Request,
) -> ConfirmOut:
    """Razorpay Checkout's handler answer, signature checked, then the payment asked about."""
    db = await _outside_request_transaction(session, request)
    return await client_checkout.razorpay_callback(
        db, payment_id=payment_id, customer_id=principal.id, body=body
    )


@router.post("/payments/webhooks/{provider}", operation_id="receivePaymentWebhook")
async def receive_webhook(
    provider: Annotated[str, Path(min_length=1, max_length=20)],
    request: Request,
    session: Session,
    settings: AppSettings,
) -> WebhookAck:
    body = await request.body()
    gateway = remote_gateway(provider)
    if gateway is not None:  # Stripe-Signature or X-Razorpay-Signature, by the provider's SDK
        event = gateway.parse_webhook(body, request.headers)
        return await service.apply_webhook(session, provider=provider, event=event)
    return await service.handle_webhook(
        session,
        provider=provider,
        secret=settings.payment_webhook_secret,
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER),
    )


admin_router = APIRouter(prefix="/api/v1/admin/refunds", tags=["admin: payments"])
RefundId = Annotated[str, Path(min_length=1, max_length=26)]


@admin_router.get("", operation_id="listRefunds")
async def list_refunds(
    _: AdminUser,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    status: RefundStatus | None = None,
) -> Page[AdminRefundRead]:
    """Refunds newest first; ``status=failed``: those a provider never took after the last try."""
    return await refunds.list_refunds(session, cursor=cursor, limit=limit, status=status)


@admin_router.post("/{refund_id}/retry", operation_id="retryRefund")
async def retry_refund(refund_id: RefundId, _: AdminUser, session: Session) -> AdminRefundRead:
    """Send a failed refund again now (its tries start over; the same idempotency key)."""
    return await refunds.retry_refund(session, refund_id)
