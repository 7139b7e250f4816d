"""The notifications service's public interface: the in-app inbox, channel preferences, push
subscriptions and the delivery log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import Conflict, NotFound, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.pagination import DEFAULT_LIMIT, Page, decode_cursor, id_page
from kirana.kit.webpush_keys import b64url_decode
from kirana.notifications import outgoing
from kirana.notifications import repository as repo
from kirana.notifications.models import (
    NotificationDelivery,
    NotificationPreference,
    PushSubscription,
)
from kirana.notifications.schemas import (
    DeliveryCounts,
    NotificationDeliveryRead,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    PushSubscriptionIn,
)


def notification_row(
    *,
    user_id: str,
    event_id: str,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An inbox entry, for ``notify_many``."""
    return {
        "id": new_id(),
        "user_id": user_id,
        "event_id": event_id,
        "kind": kind,
        "title": title,
        "body": body,
        "data": data or {},
        "created_at": clock.now(),
        "read_at": None,
    }


async def notify_many(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Put messages (``notification_row``) in their users' inboxes, once per user and event,
    in one statement; returns how many were new."""
    return await repo.add_many(session, rows)


async def inbox(
    session: AsyncSession,
    user_id: str,
    *,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    unread_only: bool = False,
) -> Page[NotificationRead]:
    key = decode_cursor(cursor, 1)
    rows = await repo.page_for(session, user_id, limit, str(key[0]) if key else None, unread_only)
    return id_page(rows, limit, NotificationRead.model_validate)


async def mark_read(session: AsyncSession, user_id: str, notification_id: str) -> NotificationRead:
    note = await repo.one_for(session, user_id, notification_id)
    if note is None:
        raise NotFound("No such notification", code="notification_not_found")
    if note.read_at is None:
        note.read_at = clock.now()
        await session.flush()
    return NotificationRead.model_validate(note)


# ---- preferences, push subscriptions, the delivery log ----


def _prefs_read(prefs: outgoing.Prefs) -> PreferencesRead:
    return PreferencesRead(
        language=prefs.language,
        email=prefs.email,
        sms=prefs.sms,
        push=prefs.push,
        marketing=prefs.marketing,
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
        available=sorted(outgoing.enabled_channels()),
    )


async def get_preferences(session: AsyncSession, user_id: str) -> PreferencesRead:
    return _prefs_read(await outgoing.preferences(session, user_id))


async def update_preferences(
    session: AsyncSession, user_id: str, data: PreferencesUpdate
) -> PreferencesRead:
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise ValidationFailed(
                f"{field} cannot be null", errors=[{"field": field, "message": "cannot be null"}]
            )
    row = await repo.preference_of(session, user_id)
    if row is None:
        row = NotificationPreference(user_id=user_id, **asdict(outgoing.DEFAULTS))
        session.add(row)
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = clock.now()
    await session.flush()
    return _prefs_read(await outgoing.preferences(session, user_id))


async def subscribe_push(session: AsyncSession, user_id: str, data: PushSubscriptionIn) -> None:
    """Keep the browser's subscription; the same endpoint again (another login on that
    browser) moves it to this user with its new keys."""
    try:
        b64url_decode(data.keys.p256dh)
        b64url_decode(data.keys.auth)
    except ValueError as exc:
        raise ValidationFailed("keys must be base64url", code="invalid_push_keys") from exc
    row = await repo.subscription_by_endpoint(session, data.endpoint)
    if row is None:
        session.add(
            PushSubscription(
                id=new_id(),
                user_id=user_id,
                endpoint=data.endpoint,
                p256dh=data.keys.p256dh,
                auth=data.keys.auth,
                created_at=clock.now(),
            )
        )
    else:
        row.user_id, row.p256dh, row.auth = user_id, data.keys.p256dh, data.keys.auth
    await session.flush()


async def unsubscribe_push(session: AsyncSession, user_id: str, endpoint: str) -> None:
    if not await repo.forget_subscription_of(session, user_id, endpoint):
        raise NotFound("No such push subscription", code="push_subscription_not_found")


async def delivery_log(
    session: AsyncSession,
    *,
    cursor: str | None,
    limit: int,
    status: str | None,
    channel: str | None,
    kind: str | None,
    user_id: str | None,
    recipient: str | None,
) -> Page[NotificationDeliveryRead]:
    key = decode_cursor(cursor, 1)
    rows = await repo.search_deliveries(
        session,
        limit=limit,
        before_id=str(key[0]) if key else None,
        status=status,
        channel=channel,
        kind=kind,
        user_id=user_id,
        recipient=recipient,
    )
    return id_page(rows, limit, NotificationDeliveryRead.model_validate)


async def delivery_counts(session: AsyncSession) -> DeliveryCounts:
    return DeliveryCounts(**await repo.delivery_counts(session))


async def retry_delivery(session: AsyncSession, delivery_id: str) -> NotificationDeliveryRead:
    """An admin sends a failed delivery again (its tries start over)."""
    row = await session.get(NotificationDelivery, delivery_id)
    if row is None:
        raise NotFound("No such delivery", code="delivery_not_found")
    if row.status != "failed":
        raise Conflict(
            f"Only a failed delivery can be sent again; this one is {row.status}",
            code="delivery_not_failed",
        )
    if row.kind == "login_code":
        raise Conflict(
            "A login code is not sent again; the customer asks for a new one",
            code="login_code_not_resent",
        )
    row.status, row.attempts, row.next_attempt_at = "pending", 0, clock.now()
    await session.flush()
    return NotificationDeliveryRead.model_validate(row)
