"""The interface every channel implements.

``Channel.send`` gets one stored delivery and either returns the provider's reference or raises
``SendFailed`` (``permanent`` when trying again cannot help: a number that does not exist, a
refused address). Sending is the only thing a channel does: the dispatcher (``..dispatch``)
decides when, records what happened and retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PushTarget:
    id: str
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message as stored, with what the channel needs to send it."""

    delivery_id: str  # stable across retries: the provider's idempotency key where it has one
    kind: str
    recipient: str
    subject: str
    body: str
    html: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    push_targets: tuple[PushTarget, ...] = ()


@dataclass(slots=True)
class Sent:
    ref: str
    # Push subscriptions the push service says are gone (404/410): forgotten at once.
    gone: list[str] = field(default_factory=list)


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.gone: list[str] = []  # push subscriptions found gone on the way


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> Sent: ...

    async def close(self) -> None: ...


def http_failure(provider: str, status: int, detail: str) -> SendFailed:
    """A provider's HTTP refusal: 4xx (but 408/429) cannot succeed when repeated."""
    permanent = 400 <= status < 500 and status not in (408, 409, 425, 429)
    return SendFailed(f"{provider} answered {status}: {detail[:300]}", permanent=permanent)
