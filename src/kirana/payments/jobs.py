"""Scheduled jobs of the payments service: the sandbox gateway's webhook sender."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.payments import handlers as _handlers  # noqa: F401  (the worker relays to them)
from kirana.payments import repository as repo
from kirana.payments import webhooks

BATCH = 50
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 12  # 1 s, 2 s, 4 s ... about an hour of retries in all
TIMEOUT = httpx.Timeout(10.0)


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
