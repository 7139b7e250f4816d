"""The channels a message can go out on, behind one interface (``base.Channel``), chosen by
settings. ``Channel.send`` gets one stored delivery and either returns the provider's reference
or raises ``SendFailed``; the dispatcher (``..dispatch``) decides when, records and retries."""

from __future__ import annotations

from kirana.config import Settings
from kirana.notifications.channels.base import (
    Channel,
    FindsSent,
    Outgoing,
    PushTarget,
    SendFailed,
    Sent,
    http_failure,
)
from kirana.notifications.channels.email import SmtpEmail
from kirana.notifications.channels.push import WebPush
from kirana.notifications.channels.sms import ConsoleSms, Msg91Sms, TwilioSms

__all__ = [
    "Channel",
    "FindsSent",
    "Outgoing",
    "PushTarget",
    "SendFailed",
    "Sent",
    "build_channels",
    "http_failure",
]


def build_channels(settings: Settings) -> dict[str, Channel]:
    """The channels this deployment sends on: SMS by ``KIRANA_SMS_PROVIDER``, email when an
    SMTP host is set, Web Push when a VAPID key is. The in-app inbox is not one of them: it is
    written by its own event consumer, in the database."""
    channels: dict[str, Channel] = {}
    if settings.sms_provider == "console":
        channels["sms"] = ConsoleSms()
    elif settings.sms_provider == "twilio":
        channels["sms"] = TwilioSms(settings)
    elif settings.sms_provider == "msg91":
        channels["sms"] = Msg91Sms(settings)
    if settings.smtp_host:
        channels["email"] = SmtpEmail(settings)
    if settings.vapid_private_key:
        channels["push"] = WebPush(settings)
    return channels
