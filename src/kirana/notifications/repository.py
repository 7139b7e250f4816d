"""Every query of the notifications service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.notifications.models import Notification


async def add_once(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Insert unless this user already has a notification for this event."""
    try:
        async with session.begin_nested():
            await session.execute(insert(Notification), [row])
        return True
    except IntegrityError:
        return False


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
