"""Pydantic shapes of the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Minute = Annotated[int, Field(ge=0, le=24 * 60 - 1)]


class PreferencesRead(BaseModel):
    language: Literal["en", "hi"]
    email: bool
    sms: bool
    push: bool
    marketing: bool
    # Marketing waits outside these (minutes after local midnight); equal: no quiet hours.
    quiet_start: int
    quiet_end: int
    # The channels this deployment sends on at all.
    available: list[str]


class PreferencesUpdate(Strict):
    language: Literal["en", "hi"] | None = None
    email: bool | None = None
    sms: bool | None = None
    push: bool | None = None
    marketing: bool | None = None
    quiet_start: Minute | None = None
    quiet_end: Minute | None = None


class PushKeys(Strict):
    p256dh: str = Field(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")
    auth: str = Field(min_length=16, max_length=30, pattern=r"^[A-Za-z0-9_-]+=*$")


class PushSubscriptionIn(Strict):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint: str = Field(min_length=12, max_length=1000, pattern=r"^https?://[^\s]+$")
    keys: PushKeys
    expirationTime: float | None = None


class PushSubscriptionDelete(Strict):
    endpoint: str = Field(min_length=12, max_length=1000)


class PushConfig(BaseModel):
    # The VAPID public key (base64url) for pushManager.subscribe; null: no Web Push here.
    public_key: str | None


class NotificationDeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    delivery_key: str
    event_id: str | None
    user_id: str | None
    channel: str
    kind: str
    language: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    provider_ref: str | None
    marketing: bool
    created_at: datetime
    sent_at: datetime | None


class DeliveryCounts(BaseModel):
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0


class CampaignCreate(Strict):
    title: str = Field(min_length=1, max_length=80, description="The offer's headline")
    body: str = Field(min_length=1, max_length=300, description="What the offer says")


class CampaignRead(BaseModel):
    id: str
    title: str
    body: str
    created_at: datetime
    # preparing: the messages are being queued; queued: each customer's are in the log.
    status: Literal["preparing", "queued"]
    recipients: int | None  # customers it went to, once queued
    queued_at: datetime | None
    deliveries: DeliveryCounts  # its messages on the channels, by status
