"""The sender: claims due deliveries, sends them side by side, records each outcome.

1. **Claim** (one short transaction): the oldest due rows (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so several workers share them), each marked ``sending`` with one more attempt
   and a lease: if this process dies before it records the outcome, the row is due again
   when the lease ends, and the next try carries the same idempotency key (the delivery id).
2. **Send** with no transaction open: each send has its own time limit, so a provider that is
   down delays only its own messages, never the database or other channels. A row claimed
   while still ``sending`` (its last sender stopped before recording) is in doubt: a channel
   that can ask its provider what it took (Twilio) looks for it first (``FindsSent``).
3. **Record** (one transaction): ``sent``; or ``pending`` again after a backoff that doubles
   from ``KIRANA_NOTIFY_RETRY_SECONDS``; or ``failed`` after the last try (or at once, when the
   provider said trying again cannot help), with the error, in the admins' delivery log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.loops import in_batches
from kirana.notifications import outgoing
from kirana.notifications import repository as repo
from kirana.notifications.channels import (
    Channel,
    FindsSent,
    Outgoing,
    PushTarget,
    SendFailed,
    Sent,
    build_channels,
)
from kirana.notifications.models import NotificationDelivery

log = logging.getLogger("kirana.notifications")

BATCH = 50
MAX_BACKOFF = timedelta(hours=1)
# What a login code's text becomes once it went out (or never will): no code kept at rest.
REDACTED = "(login code removed after sending)"


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: the base, doubled each time, capped."""
    return min(timedelta(seconds=settings.notify_retry_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)


def lease(settings: Settings) -> timedelta:
    return timedelta(seconds=max(60.0, 3 * settings.notify_send_timeout_seconds))


async def _send(channel: Channel, out: Outgoing) -> Sent:
    """Send ``out``; a try in doubt is first looked for at a provider that can be asked, and
    one it holds already is recorded as sent rather than sent twice."""
    if out.in_doubt_since is not None:
        if isinstance(channel, FindsSent):
            found = await channel.find_sent(out)
            if found is not None:
                log.info(
                    "%s %s: the stopped try had sent it (%s)",
                    channel.name,
                    out.delivery_id,
                    found.ref,
                )
                return found
        else:
            log.warning(
                "%s %s: sent again after a stopped try; without an idempotency key at this"
                " provider it may arrive twice",
                channel.name,
                out.delivery_id,
            )
    return await channel.send(out)


async def _attempt(channel: Channel, out: Outgoing, limit: float) -> Sent | SendFailed:
    try:
        return await asyncio.wait_for(_send(channel, out), timeout=limit)
    except SendFailed as exc:
        return exc
    except TimeoutError:
        return SendFailed(
            f"no answer from the {channel.name} provider within {limit:g} s", in_doubt=True
        )
    except Exception as exc:  # a bug or an unexpected answer: retried, and shown to admins
        log.exception("sending %s %s failed", channel.name, out.delivery_id)
        return SendFailed(f"{type(exc).__name__}: {exc}")


def _outgoing(
    row: NotificationDelivery, targets: list[PushTarget], in_doubt_since: datetime | None = None
) -> Outgoing:
    return Outgoing(
        delivery_id=row.id,
        kind=row.kind,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body,
        html=row.html,
        data=dict(row.data or {}),
        push_targets=tuple(targets),
        in_doubt_since=in_doubt_since,
    )


async def send_due(db: Database, settings: Settings, channels: dict[str, Channel]) -> int:
    """One round: claim, send, record. Returns how many deliveries it tried."""
    if not channels:
        return 0
    now = clock.now()
    claimed: list[tuple[str, int, str, Outgoing]] = []  # id, attempt, channel, message
    given_up: list[NotificationDelivery] = []
    async with db.transaction() as session:
        rows = await repo.claim_due(session, now, list(channels), BATCH)
        if not rows:
            return 0
        push_users = [r.user_id for r in rows if r.channel == "push" and r.user_id]
        targets: dict[str, list[PushTarget]] = {}
        for sub in await repo.subscriptions_of(session, push_users):
            targets.setdefault(sub.user_id, []).append(
                PushTarget(sub.id, sub.endpoint, sub.p256dh, sub.auth)
            )
        for row in rows:
            if row.attempts >= settings.notify_max_attempts:
                given_up.append(row)  # its last try's sender died before recording it
                continue
            # Still "sending": the sender of its last try stopped before recording the outcome
            # (its lease ran out), so that try may have reached the provider.
            in_doubt = row.in_doubt_since or (
                row.next_attempt_at - lease(settings) if row.status == "sending" else None
            )
            row.status = "sending"
            row.attempts += 1
            row.next_attempt_at = now + lease(settings)
            claimed.append(
                (
                    row.id,
                    row.attempts,
                    row.channel,
                    _outgoing(row, targets.get(row.user_id or "", []), in_doubt),
                )
            )
        for row in given_up:
            row.status = "failed"
            row.last_error = (
                f"the sender stopped during try {row.attempts} of "
                f"{settings.notify_max_attempts}; it may not have arrived"
            )
            _redact(row)
        await session.flush()
    outcomes = await asyncio.gather(
        *(
            _attempt(channels[channel], out, settings.notify_send_timeout_seconds)
            for _, _, channel, out in claimed
        )
    )
    done = clock.now()
    gone: list[str] = []
    async with db.transaction() as session:
        for (delivery_id, attempt, channel, out), outcome in zip(claimed, outcomes, strict=True):
            values: dict[str, Any]
            if isinstance(outcome, Sent):
                values = {"status": "sent", "sent_at": done, "provider_ref": outcome.ref[:200]}
                values |= {"last_error": None, "in_doubt_since": None}
                gone += outcome.gone
            else:
                gone += outcome.gone
                last = outcome.permanent or attempt >= settings.notify_max_attempts
                values = {
                    "status": "failed" if last else "pending",
                    "last_error": f"try {attempt}: {outcome}"[:2000],
                    "next_attempt_at": done if last else done + backoff(settings, attempt),
                    # still in doubt (the look-up failed), or newly so (no answer came)
                    "in_doubt_since": out.in_doubt_since or (now if outcome.in_doubt else None),
                }
                if last:
                    log.warning("%s %s failed for good: %s", channel, delivery_id, outcome)
            if out.kind == "login_code" and values["status"] != "pending":
                values |= {"body": REDACTED, "html": None}
            await repo.settle(session, delivery_id, attempt, values)
        await repo.forget_subscriptions(session, sorted(set(gone)))
    return len(claimed) + len(given_up)


def _redact(row: NotificationDelivery) -> None:
    if row.kind == "login_code":
        row.body, row.html = REDACTED, None


async def run_sender(
    db: Database,
    settings: Settings,
    poll_seconds: float = 1.0,
    stopping: asyncio.Event | None = None,
) -> None:
    """The sender loop of ``kirana worker`` and ``kirana up``; it returns between rounds once
    ``stopping`` is set."""
    channels = build_channels(settings)
    wakeup = outgoing.wakeup = asyncio.Event()
    try:
        await in_batches(
            lambda: send_due(db, settings, channels),
            batch=BATCH,
            wakeup=wakeup,
            poll_seconds=poll_seconds,
            stopping=stopping,
            log=log,
            what="notification sender",
        )
    finally:
        for channel in channels.values():
            with contextlib.suppress(Exception):
                await channel.close()
