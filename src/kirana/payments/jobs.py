"""Scheduled jobs of the payments service: the sandbox gateway's webhook sender, the sender of
refunds to a provider's API, the cancelling at the provider of payments we voided, and the
reconciliation of payments a provider left pending."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.payments import client_checkout, refunds, webhooks
from kirana.payments import handlers as _handlers  # noqa: F401  (the worker relays to them)
from kirana.payments import repository as repo
from kirana.payments.gateways import RemoteGateway, configure, remote_gateway
from kirana.payments.models import PaymentIntent
from kirana.payments.service import pays_in_full
from kirana.payments.state import PaymentStatus

BATCH = 50
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 12  # 1 s, 2 s, 4 s ... about an hour of retries in all
TIMEOUT = httpx.Timeout(10.0)
RECONCILE_BATCH = 50
VOID_MAX_ATTEMPTS = 10
log = logging.getLogger("kirana.payments")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** (attempts - 1), 900))


async def deliver_sandbox_webhooks(
    db: Database, settings: Settings, *, client: httpx.AsyncClient | None = None
) -> int:
    """Post every due sandbox webhook to our endpoint, signed; returns how many were accepted.

    Rows are leased in a short transaction and posted outside it: the endpoint writes to the
    same database, and on SQLite a held write transaction would block it.
    """
    now = clock.now()
    async with db.transaction() as session:
        due = await repo.claim_due_deliveries(session, now, now + LEASE, BATCH)
        jobs = [(d.id, d.attempts, webhooks.encode(d.payload)) for d in due]
    if not jobs:
        return 0
    url = f"{settings.public_base_url.rstrip('/')}/api/v1/payments/webhooks/sandbox"
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=TIMEOUT)
    accepted = 0
    try:
        for delivery_id, attempts, body in jobs:
            error: str | None = None
            try:
                response = await http.post(
                    url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        webhooks.SIGNATURE_HEADER: webhooks.signature_header(
                            settings.payment_webhook_secret, body, clock.now()
                        ),
                    },
                )
                if not response.is_success:
                    error = f"HTTP {response.status_code}: {response.text[:500]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            accepted += error is None
            tries = attempts + 1
            status = "delivered" if error is None else "pending"
            if error is not None and tries >= MAX_ATTEMPTS:
                status = "failed"
            async with db.transaction() as session:
                await repo.record_delivery_result(
                    session,
                    delivery_id,
                    status=status,
                    attempts=tries,
                    next_attempt_at=clock.now() + backoff(tries),
                    error=error,
                    delivered_at=clock.now() if error is None else None,
                )
    finally:
        if own_client:
            await http.aclose()
    return accepted


async def send_refunds(db: Database, settings: Settings) -> int:
    """Send every due refund to its provider's API; returns how many the providers took.

    A refund is recorded (and the money counted as given back) in the transaction that decided
    it; this sends it only after that committed, outside any transaction, with the refund's
    idempotency key as the provider's (Stripe) or its id as the receipt looked for first
    (Razorpay), so a retry after a crash between "sent" and "recorded" refunds once. After
    ``payment_refund_max_attempts`` tries it is left failed, with its error, for admins."""
    configure(settings)
    now = clock.now()
    async with db.transaction() as session:
        due = await repo.claim_due_refunds(session, now, now + LEASE, BATCH)
    sent = 0
    for refund, intent in due:
        gateway = remote_gateway(intent.provider)
        error: str | None = None
        ref: str | None = None
        if gateway is None:
            error = f"the {intent.provider} provider is not configured"
        else:
            try:
                ref = await gateway.send_refund(intent, refund)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        tries = refund.attempts + 1
        status = "sent" if error is None else "pending"
        if error is not None and tries >= settings.payment_refund_max_attempts:
            status = "failed"
            log.error("refund %s of payment %s failed for good: %s", refund.id, intent.id, error)
        sent += error is None
        async with db.transaction() as session:
            await repo.record_refund_result(
                session,
                refund.id,
                status=status,
                attempts=tries,
                next_attempt_at=None if status != "pending" else clock.now() + backoff(tries),
                error=error,
                gateway_ref=ref,
                sent_at=clock.now() if error is None else None,
            )
    return sent


async def reconcile_payments(db: Database, settings: Settings) -> int:
    """Ask the provider about payments pending longer than ``payment_reconcile_after_seconds``
    and settle those it has decided; returns how many moved. A payment it still calls pending
    is asked again one threshold later; one settled meanwhile by webhook is left alone."""
    configure(settings)
    providers = [p for p in ("stripe", "razorpay") if remote_gateway(p) is not None]
    if not providers:
        return 0
    before = clock.now() - timedelta(seconds=settings.payment_reconcile_after_seconds)
    async with db.transaction(write=False) as session:
        stale = await repo.stale_pending_intents(session, providers, before, RECONCILE_BATCH)
    moved = 0
    for intent in stale:
        gateway = remote_gateway(intent.provider)
        assert gateway is not None
        try:
            moved += await client_checkout.settle_from_provider(db, intent, gateway)
        except Exception as exc:
            log.warning(
                "could not reconcile payment %s with %s: %s", intent.id, intent.provider, exc
            )
    return moved


async def void_at_providers(db: Database, settings: Settings) -> int:
    """Cancel at its provider every payment we voided (replaced by another try, or its order
    cancelled) that the provider has an id for; returns how many are done. After the commit
    and outside any transaction, like refunds: Stripe's PaymentIntent is cancelled, so a page
    still holding its client secret cannot pay it; Razorpay has no cancel for an order, so
    it is looked up. A capture that beat the cancel is refunded."""
    configure(settings)
    providers = [p for p in ("stripe", "razorpay") if remote_gateway(p) is not None]
    if not providers:
        return 0
    now = clock.now()
    async with db.transaction() as session:
        due = await repo.claim_due_voids(session, providers, now, now + LEASE, BATCH)
    done = 0
    for intent in due:
        gateway = remote_gateway(intent.provider)
        assert gateway is not None
        done += await _void_one(db, intent, gateway)
    return done


async def _void_one(db: Database, intent: PaymentIntent, gateway: RemoteGateway) -> bool:
    tries = intent.void_attempts + 1
    try:
        said = await gateway.void(intent)
    except Exception as exc:
        log.warning("could not void payment %s at %s: %s", intent.id, intent.provider, exc)
        said = None
    done = said is not None and said.outcome != PaymentStatus.PENDING
    again = not done and tries < VOID_MAX_ATTEMPTS
    async with db.transaction() as session:
        if (
            said is not None
            and said.outcome == PaymentStatus.SUCCEEDED
            and pays_in_full(intent, said.amount, said.currency)
        ):
            await refunds.refund_late_capture(session, intent.id, payment_ref=said.payment_ref)
        if not done and not again:
            log.error(
                "payment %s: not voided at %s after %d tries", intent.id, intent.provider, tries
            )
        await repo.record_void(
            session,
            intent.id,
            attempts=tries,
            due_at=clock.now() + backoff(tries) if again else None,
            voided_at=clock.now() if done else None,
        )
    return done
