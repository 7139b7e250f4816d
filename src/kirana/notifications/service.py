"""The notifications service's public interface: write to and read a user's in-app inbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import NotFound
from kirana.kit.ids import new_id
from kirana.kit.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from kirana.notifications import repository as repo
from kirana.notifications.schemas import NotificationRead


async def notify(
    session: AsyncSession,
    *,
    user_id: str,
    event_id: str,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
) -> bool:
    """Put a message in the user's inbox, once per event; False if it was there already."""
    return await repo.add_once(
        session,
        {
            "id": new_id(),
            "user_id": user_id,
            "event_id": event_id,
            "kind": kind,
            "title": title,
            "body": body,
            "data": data or {},
            "created_at": clock.now(),
            "read_at": None,
        },
    )


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
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[NotificationRead.model_validate(n) for n in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


async def mark_read(session: AsyncSession, user_id: str, notification_id: str) -> NotificationRead:
    note = await repo.one_for(session, user_id, notification_id)
    if note is None:
        raise NotFound("No such notification", code="notification_not_found")
    if note.read_at is None:
        note.read_at = clock.now()
        await session.flush()
    return NotificationRead.model_validate(note)
