"""REST routes of the notifications service: the caller's inbox, channel preferences and push
subscriptions; the admins' delivery log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response

from kirana.deps import AdminUser, AppSettings, CurrentUser, Session
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from kirana.kit.webpush_keys import public_key_of
from kirana.notifications import (
    campaigns,
    handlers,  # noqa: F401  (subscribes the inbox writers)
    service,
)
from kirana.notifications.schemas import (
    CampaignCreate,
    CampaignRead,
    DeliveryCounts,
    NotificationDeliveryRead,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    PushConfig,
    PushSubscriptionDelete,
    PushSubscriptionIn,
)

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


@router.get("/me/notification-preferences", operation_id="getNotificationPreferences")
async def get_preferences(principal: CurrentUser, session: Session) -> PreferencesRead:
    return await service.get_preferences(session, principal.id)


@router.patch("/me/notification-preferences", operation_id="updateNotificationPreferences")
async def update_preferences(
    body: PreferencesUpdate, principal: CurrentUser, session: Session
) -> PreferencesRead:
    return await service.update_preferences(session, principal.id, body)


@router.get("/notifications/push-config", operation_id="getPushConfig")
async def push_config(settings: AppSettings) -> PushConfig:
    """The VAPID public key the browser subscribes with (null: this deployment has no push)."""
    key = settings.vapid_private_key
    return PushConfig(public_key=public_key_of(key) if key else None)


@router.post("/me/push-subscriptions", status_code=204, operation_id="addPushSubscription")
async def add_push_subscription(
    body: PushSubscriptionIn, principal: CurrentUser, session: Session
) -> Response:
    await service.subscribe_push(session, principal.id, body)
    return Response(status_code=204)


@router.post(
    "/me/push-subscriptions/remove", status_code=204, operation_id="removePushSubscription"
)
async def remove_push_subscription(
    body: PushSubscriptionDelete, principal: CurrentUser, session: Session
) -> Response:
    await service.unsubscribe_push(session, principal.id, body.endpoint)
    return Response(status_code=204)


admin_router = APIRouter(prefix="/api/v1/admin/notifications", tags=["notifications"])
Status = Literal["pending", "sending", "sent", "failed"]
ChannelName = Literal["email", "sms", "push"]


@admin_router.get("/deliveries", operation_id="listNotificationDeliveries")
async def list_deliveries(
    _: AdminUser,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    status: Status | None = None,
    channel: ChannelName | None = None,
    kind: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    user_id: Annotated[str | None, Query(max_length=26)] = None,
    recipient: Annotated[str | None, Query(min_length=1, max_length=254)] = None,
) -> Page[NotificationDeliveryRead]:
    """The delivery log, newest first; ``status=failed`` lists what gave up after its tries."""
    return await service.delivery_log(
        session,
        cursor=cursor,
        limit=limit,
        status=status,
        channel=channel,
        kind=kind,
        user_id=user_id,
        recipient=recipient,
    )


@admin_router.get("/deliveries/counts", operation_id="countNotificationDeliveries")
async def count_deliveries(_: AdminUser, session: Session) -> DeliveryCounts:
    return await service.delivery_counts(session)


@admin_router.post("/deliveries/{delivery_id}/retry", operation_id="retryNotificationDelivery")
async def retry_delivery(
    delivery_id: str, _: AdminUser, session: Session
) -> NotificationDeliveryRead:
    return await service.retry_delivery(session, delivery_id)


campaign_router = APIRouter(prefix="/api/v1/admin/campaigns", tags=["notifications"])


@campaign_router.post("", status_code=201, operation_id="createCampaign")
async def create_campaign(
    data: CampaignCreate,
    admin: AdminUser,
    session: Session,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=100,
            pattern=r"^[!-~]+$",
            description="Same key and text: the same campaign, sent once",
        ),
    ] = None,
) -> CampaignRead:
    """Send an offer to every customer who agreed to marketing messages: in their inbox at
    once, on email, SMS and push after their quiet hours. 200 for a repeated key."""
    campaign, new = await campaigns.create(session, admin.id, data, idempotency_key)
    if not new:
        response.status_code = 200
    return campaign


@campaign_router.get("", operation_id="listCampaigns")
async def list_campaigns(
    _: AdminUser,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[CampaignRead]:
    """Campaigns, newest first, with their messages' progress."""
    return await campaigns.page(session, cursor=cursor, limit=limit)


@campaign_router.get("/{campaign_id}", operation_id="getCampaign")
async def get_campaign(campaign_id: str, _: AdminUser, session: Session) -> CampaignRead:
    return await campaigns.read(session, campaign_id)
