"""REST routes of the notifications service: the caller's in-app inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kirana.deps import CurrentUser, Session
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from kirana.notifications import (
    handlers,  # noqa: F401  (subscribes the inbox writers)
    service,
)
from kirana.notifications.schemas import NotificationRead

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/me/notifications", operation_id="listNotifications")
async def list_notifications(
    principal: CurrentUser,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    unread: bool = False,
) -> Page[NotificationRead]:
    return await service.inbox(
        session, principal.id, cursor=cursor, limit=limit, unread_only=unread
    )


@router.post("/me/notifications/{notification_id}/read", operation_id="markNotificationRead")
async def mark_read(
    notification_id: str, principal: CurrentUser, session: Session
) -> NotificationRead:
    return await service.mark_read(session, principal.id, notification_id)
