"""What goes out on the channels: preferences, quiet hours, and queueing one delivery per
event, user and channel, rendered from the templates.

Queueing writes rows only, in the caller's transaction (an event consumer's, or the request's
for a login code): the sender (``dispatch``) sends them after that commits.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.ids import new_id
from kirana.notifications import repository as repo
from kirana.notifications.templates import Rendered, render

CHANNELS = ("email", "sms", "push")


@dataclass(frozen=True, slots=True)
class Prefs:
    language: str = "en"
    email: bool = True
    sms: bool = True
    push: bool = True
    marketing: bool = False
    quiet_start: int = 22 * 60
    quiet_end: int = 8 * 60


DEFAULTS = Prefs()


@dataclass(slots=True)
class _Config:
    channels: frozenset[str] = frozenset()
    base_url: str = "http://127.0.0.1:8000"
    time_zone: str = "UTC"
    otp_minutes: int = 5


_config = _Config()
# Made by the sender loop (``dispatch.run_sender``) of this process; set when a delivery is
# queued here, so the sender need not wait for its poll.
wakeup: asyncio.Event | None = None


def configure(settings: Settings) -> None:
    """Which channels this deployment sends on (the consumer queues nothing for the others)."""
    channels = set()
    if settings.sms_provider not in (None, "none"):
        channels.add("sms")
    if settings.smtp_host:
        channels.add("email")
    if settings.vapid_private_key:
        channels.add("push")
    _config.channels = frozenset(channels)
    _config.base_url = settings.public_base_url.rstrip("/")
    _config.time_zone = settings.time_zone
    _config.otp_minutes = max(1, settings.otp_ttl_seconds // 60)


def enabled_channels() -> frozenset[str]:
    return _config.channels


def order_url(order_id: str) -> str:
    return f"{_config.base_url}/orders/{order_id}"


async def preferences(session: AsyncSession, user_id: str) -> Prefs:
    return (await preferences_of(session, [user_id]))[user_id]


async def preferences_of(session: AsyncSession, user_ids: list[str]) -> dict[str, Prefs]:
    """Each user's preferences (the defaults for one who never set any), in one query."""
    found = {
        row.user_id: Prefs(
            row.language,
            row.email,
            row.sms,
            row.push,
            row.marketing,
            row.quiet_start,
            row.quiet_end,
        )
        for row in await repo.preferences_of(session, user_ids)
    }
    return {user_id: found.get(user_id, DEFAULTS) for user_id in user_ids}


def quiet_until(prefs: Prefs, at: datetime) -> datetime | None:
    """When the user's quiet hours around ``at`` end, or None if ``at`` is outside them."""
    if prefs.quiet_start == prefs.quiet_end:
        return None
    local = at.astimezone(ZoneInfo(_config.time_zone))
    minute = local.hour * 60 + local.minute
    start, end = prefs.quiet_start, prefs.quiet_end
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    ends = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends.astimezone(at.tzinfo)


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: str | None
    phone: str | None
    email: str | None


def _row(
    *,
    key: str,
    event_id: str | None,
    user_id: str | None,
    channel: str,
    kind: str,
    language: str,
    recipient: str,
    message: Rendered,
    data: dict[str, Any],
    marketing: bool,
    due: datetime,
) -> dict[str, Any]:
    subject, body, html = {
        "email": (message.subject, message.text, message.html),
        "sms": ("", message.sms, None),
        "push": (message.push_title, message.push_body, None),
    }[channel]
    return {
        "id": new_id(),
        "delivery_key": key,
        "event_id": event_id,
        "user_id": user_id,
        "channel": channel,
        "kind": kind,
        "language": language,
        "recipient": recipient,
        "subject": subject[:200],
        "body": body,
        "html": html,
        "data": data,
        "marketing": marketing,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": due,
        "last_error": None,
        "provider_ref": None,
        "created_at": clock.now(),
        "sent_at": None,
    }


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event's message to one user, before channels are chosen."""

    event_id: str
    to: Recipient
    kind: str
    context: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    marketing: bool = False


async def queue_for_user(
    session: AsyncSession,
    *,
    event_id: str,
    to: Recipient,
    kind: str,
    context: dict[str, Any],
    data: dict[str, Any] | None = None,
    marketing: bool = False,
) -> int:
    """One delivery per channel the user allows and this deployment has; returns how many
    were new (a redelivered event finds its keys taken and adds none)."""
    return await queue_messages(
        session, [Outgoing(event_id, to, kind, context, data or {}, marketing)]
    )


async def queue_messages(session: AsyncSession, messages: list[Outgoing]) -> int:
    """``queue_for_user`` for many messages at once: preferences, push subscriptions and the
    new rows in a few statements whatever their number."""
    user_ids = sorted({m.to.user_id for m in messages if m.to.user_id is not None})
    prefs_of = await preferences_of(session, user_ids)
    subscribed = (
        await repo.subscribed_users(session, user_ids) if "push" in _config.channels else set()
    )
    now = clock.now()
    rows = []
    for m in messages:
        assert m.to.user_id is not None
        prefs = prefs_of[m.to.user_id]
        if m.marketing and not prefs.marketing:
            continue
        due = (quiet_until(prefs, now) if m.marketing else None) or now
        message = render(m.kind, prefs.language, m.context)
        wanted = {
            "email": prefs.email and bool(m.to.email),
            "sms": prefs.sms and bool(m.to.phone),
            "push": prefs.push and m.to.user_id in subscribed,
        }
        for channel in CHANNELS:
            if channel not in _config.channels or not wanted[channel]:
                continue
            address = {"email": m.to.email, "sms": m.to.phone, "push": "push"}[channel]
            rows.append(
                _row(
                    key=f"{m.event_id}:{m.to.user_id}:{channel}",
                    event_id=m.event_id,
                    user_id=m.to.user_id,
                    channel=channel,
                    kind=m.kind,
                    language=prefs.language,
                    recipient=address or "",
                    message=message,
                    data=m.data,
                    marketing=m.marketing,
                    due=due,
                )
            )
    added = await repo.add_deliveries(session, rows)
    if added:
        _wake()
    return added


def sms_available() -> bool:
    return "sms" in _config.channels


async def queue_login_code(
    session: AsyncSession, *, code_id: str, phone: str, code: str, user_id: str | None
) -> None:
    """The login code's SMS, sent once the request that made the code commits. The code is in
    the row until it is sent (or given up on); then the text is blanked (``dispatch``)."""
    language = (await preferences(session, user_id)).language if user_id else "en"
    message = render("login_code", language, {"code": code, "minutes": _config.otp_minutes})
    await repo.add_deliveries(
        session,
        [
            _row(
                key=f"login:{code_id}:sms",
                event_id=None,
                user_id=user_id,
                channel="sms",
                kind="login_code",
                language=language,
                recipient=phone,
                message=message,
                data={},
                marketing=False,
                due=clock.now(),
            )
        ],
    )
    _wake()


def _wake() -> None:
    if wakeup is not None:
        wakeup.set()
