"""What goes out on the channels: preferences, quiet hours, and queueing one delivery per
event, user and channel, rendered from the templates.

Queueing writes rows only, in the caller's transaction (an event consumer's, or the request's
for a login code): the sender (``dispatch``) sends them after that commits.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
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
    row = await repo.preference_of(session, user_id)
    if row is None:
        return DEFAULTS
    return Prefs(
        row.language, row.email, row.sms, row.push, row.marketing, row.quiet_start, row.quiet_end
    )


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
    assert to.user_id is not None
    prefs = await preferences(session, to.user_id)
    if marketing and not prefs.marketing:
        return 0
    now = clock.now()
    due = (quiet_until(prefs, now) if marketing else None) or now
    message = render(kind, prefs.language, context)
    wanted = {"email": prefs.email and bool(to.email), "sms": prefs.sms and bool(to.phone)}
    wanted["push"] = prefs.push and await repo.has_subscription(session, to.user_id)
    rows = []
    for channel in CHANNELS:
        if channel not in _config.channels or not wanted[channel]:
            continue
        address = {"email": to.email, "sms": to.phone, "push": "push"}[channel]
        rows.append(
            _row(
                key=f"{event_id}:{to.user_id}:{channel}",
                event_id=event_id,
                user_id=to.user_id,
                channel=channel,
                kind=kind,
                language=prefs.language,
                recipient=address or "",
                message=message,
                data=data or {},
                marketing=marketing,
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
