"""Tables of the notifications service: the in-app inbox, preferences, push subscriptions and
the delivery log of every other channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock
from kirana.kit.db import Base, UTCDateTime
from kirana.kit.models import id_column


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user", "user_id", "id"),
        # One notification per event per user: a redelivered event writes nothing new.
        UniqueConstraint("user_id", "event_id", name="uq_notifications_user_event"),
    )

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    event_id: Mapped[str] = mapped_column(String(26), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[str] = mapped_column(String(500), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationPreference(Base):
    """One user's choices; a user without a row has the defaults (``preferences.DEFAULTS``)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5), nullable=False, default="en")
    email: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    push: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    marketing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Marketing waits outside these hours (minutes after midnight, the market's time zone);
    # start == end: no quiet hours. Order updates are never held back.
    quiet_start: Mapped[int] = mapped_column(Integer, nullable=False, default=22 * 60)
    quiet_end: Mapped[int] = mapped_column(Integer, nullable=False, default=8 * 60)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class PushSubscription(Base):
    """A browser's Web Push subscription (its endpoint and keys, RFC 8291)."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (Index("ix_push_subscriptions_user", "user_id"),)

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True, nullable=False)
    p256dh: Mapped[str] = mapped_column(String(200), nullable=False)
    auth: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class NotificationDelivery(Base):
    """One message to one user over one channel, and the record of sending it.

    The rows are the channels' queue: written in the transaction of the change (or the event's
    consumer), so a message exists only if that committed, and ``delivery_key`` (event, user and
    channel) is unique, so one event never makes two. The sender claims due rows, sends, and
    records the answer; a claim whose sender died is due again when its lease ends."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        Index(
            "ix_notification_deliveries_due",
            "next_attempt_at",
            sqlite_where=text("status IN ('pending', 'sending')"),
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        Index("ix_notification_deliveries_user", "user_id", "id"),
        Index("ix_notification_deliveries_status", "status", "id"),
    )

    id: Mapped[str] = id_column()
    delivery_key: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    event_id: Mapped[str | None] = mapped_column(String(26))
    # None for a login code to a phone that has no account yet.
    user_id: Mapped[str | None] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    language: Mapped[str] = mapped_column(String(5), nullable=False)
    # An email address, a phone number (E.164), or "push" (the user's subscriptions).
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False)
    html: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    marketing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # pending -> sending -> sent | failed; sending again after a lease ran out.
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    # When a try began whose outcome we do not know (its sender stopped, or the provider's
    # answer was lost): the message may be at the provider; cleared once it is settled.
    in_doubt_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Campaign(Base):
    """An offer an admin sends to every customer who agreed to marketing messages.

    Creating one writes this row and a ``campaign.created`` event together; the event's consumer
    queues the messages (inbox and channels, quiet hours honoured), so a campaign reaches each
    customer once even if the event is delivered twice. ``idempotency_key`` makes a repeated
    submit (a double click, a retried request) the same campaign, not a second one."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_campaigns_key"),)

    id: Mapped[str] = id_column()
    title: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(String(300), nullable=False)
    created_by: Mapped[str] = mapped_column(String(26), nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    # Set when the messages are queued: how many customers it went to.
    recipients: Mapped[int | None] = mapped_column(Integer)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
