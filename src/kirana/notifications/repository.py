"""Every query of the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.db import changed, insert_new, table_of
from kirana.notifications.models import (
    Campaign,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    PushSubscription,
)


async def add_many(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert each notification unless its user has one for its event; returns how many were
    new (a redelivered event adds none)."""
    return await insert_new(session, table_of(Notification), rows, ["user_id", "event_id"])


async def page_for(
    session: AsyncSession, user_id: str, limit: int, before_id: str | None, unread_only: bool
) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list((await session.execute(query)).scalars())


async def one_for(session: AsyncSession, user_id: str, notification_id: str) -> Notification | None:
    return (
        await session.execute(
            select(Notification).where(
                Notification.id == notification_id, Notification.user_id == user_id
            )
        )
    ).scalar_one_or_none()


# ---- preferences and push subscriptions ----


async def preference_of(session: AsyncSession, user_id: str) -> NotificationPreference | None:
    return await session.get(NotificationPreference, user_id)


async def subscriptions_of(session: AsyncSession, user_ids: list[str]) -> list[PushSubscription]:
    if not user_ids:
        return []
    result = await session.execute(
        select(PushSubscription)
        .where(PushSubscription.user_id.in_(user_ids))
        .order_by(PushSubscription.id)
    )
    return list(result.scalars())


async def preferences_of(
    session: AsyncSession, user_ids: list[str]
) -> list[NotificationPreference]:
    if not user_ids:
        return []
    result = await session.execute(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(set(user_ids)))
    )
    return list(result.scalars())


async def subscribed_users(session: AsyncSession, user_ids: list[str]) -> set[str]:
    """Those of ``user_ids`` with at least one push subscription."""
    if not user_ids:
        return set()
    found = await session.execute(
        select(PushSubscription.user_id)
        .where(PushSubscription.user_id.in_(set(user_ids)))
        .distinct()
    )
    return set(found.scalars())


async def subscription_by_endpoint(session: AsyncSession, endpoint: str) -> PushSubscription | None:
    result = await session.execute(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    return result.scalar_one_or_none()


async def forget_subscriptions(session: AsyncSession, ids: list[str]) -> None:
    if ids:
        await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids)))


async def forget_subscription_of(session: AsyncSession, user_id: str, endpoint: str) -> int:
    return await changed(
        session,
        delete(PushSubscription).where(
            PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint
        ),
    )


# ---- deliveries ----


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert each delivery unless its key exists (one event, one user, one channel: one row);
    returns how many were new."""
    return await insert_new(session, table_of(NotificationDelivery), rows, ["delivery_key"])


async def claim_due(
    session: AsyncSession, now: datetime, channels: list[str], limit: int
) -> list[NotificationDelivery]:
    """The oldest due deliveries of these channels, locked against other senders (``SKIP
    LOCKED`` on PostgreSQL; SQLite has one writer)."""
    result = await session.execute(
        select(NotificationDelivery)
        .where(
            NotificationDelivery.status.in_(("pending", "sending")),
            NotificationDelivery.next_attempt_at <= now,
            NotificationDelivery.channel.in_(channels),
        )
        .order_by(NotificationDelivery.next_attempt_at, NotificationDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(result.scalars())


async def settle(
    session: AsyncSession, delivery_id: str, attempt: int, values: dict[str, Any]
) -> int:
    """Record a try's outcome, unless another sender claimed the delivery since (its lease ran
    out): the row must still be ``sending`` at this try's count."""
    return await changed(
        session,
        update(NotificationDelivery)
        .where(
            NotificationDelivery.id == delivery_id,
            NotificationDelivery.status == "sending",
            NotificationDelivery.attempts == attempt,
        )
        .values(**values),
    )


async def search_deliveries(
    session: AsyncSession,
    *,
    limit: int,
    before_id: str | None,
    status: str | None,
    channel: str | None,
    kind: str | None,
    user_id: str | None,
    recipient: str | None,
) -> list[NotificationDelivery]:
    query = select(NotificationDelivery).order_by(NotificationDelivery.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(NotificationDelivery.id < before_id)
    if status:
        query = query.where(NotificationDelivery.status == status)
    if channel:
        query = query.where(NotificationDelivery.channel == channel)
    if kind:
        query = query.where(NotificationDelivery.kind == kind)
    if user_id:
        query = query.where(NotificationDelivery.user_id == user_id)
    if recipient:
        query = query.where(NotificationDelivery.recipient.contains(recipient, autoescape=True))
    return list((await session.execute(query)).scalars())


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(NotificationDelivery.status, func.count()).group_by(NotificationDelivery.status)
    )
    return {status: int(n) for status, n in rows.all()}


# ---- campaigns ----


async def campaign_by_key(session: AsyncSession, admin_id: str, key: str) -> Campaign | None:
    result = await session.execute(
        select(Campaign).where(Campaign.created_by == admin_id, Campaign.idempotency_key == key)
    )
    return result.scalar_one_or_none()


async def campaigns_page(
    session: AsyncSession, limit: int, before_id: str | None
) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(Campaign.id < before_id)
    return list((await session.execute(query)).scalars())


async def campaign_delivery_counts(
    session: AsyncSession, campaign_ids: list[str]
) -> dict[str, dict[str, int]]:
    """Per campaign, its deliveries on the channels by status."""
    if not campaign_ids:
        return {}
    campaign = NotificationDelivery.data["campaign_id"].as_string()
    rows = await session.execute(
        select(campaign, NotificationDelivery.status, func.count())
        .where(NotificationDelivery.kind == "offer", campaign.in_(campaign_ids))
        .group_by(campaign, NotificationDelivery.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for campaign_id, status, n in rows.all():
        counts.setdefault(str(campaign_id), {})[status] = int(n)
    return counts


async def marketing_user_ids(session: AsyncSession) -> list[str]:
    """Everyone who agreed to marketing messages, in id order."""
    result = await session.execute(
        select(NotificationPreference.user_id)
        .where(NotificationPreference.marketing.is_(True))
        .order_by(NotificationPreference.user_id)
    )
    return list(result.scalars())
