"""Notification tests: a real SMTP server (aiosmtpd) on a free port, SMS and push providers
faked at the HTTP boundary (respx), the channels' settings pointed at them."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from kirana.config import Settings

TWILIO = "https://twilio.test"
MSG91 = "https://msg91.test"
SID = "AC" + "1" * 32


class Inbox:
    """What the SMTP server received: each message parsed back."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        raw: bytes = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(raw, policy=default))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))  # type: ignore[attr-defined]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    """The harness's settings with every channel on, pointed at the fakes."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_security": "none",
            "email_from": "Kirana <orders@kirana.test>",
            "sms_provider": "twilio",
            "twilio_account_sid": SID,
            "twilio_auth_token": "t" * 32,
            "twilio_from": "+15005550006",
            "twilio_base_url": TWILIO,
            "notify_max_attempts": 3,
            "notify_retry_seconds": 0,
            "notify_send_timeout_seconds": 0.5,
            "public_base_url": "https://shop.test",
        }
    )
