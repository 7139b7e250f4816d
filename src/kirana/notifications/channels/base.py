"""The interface every channel implements.

``Channel.send`` gets one stored delivery and either returns the provider's reference or raises
``SendFailed`` (``permanent`` when trying again cannot help: a number that does not exist, a
refused address). Sending is the only thing a channel does: the dispatcher (``..dispatch``)
decides when, records what happened and retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


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
    # Set when an earlier try's sender stopped before recording its outcome: when that try
    # began. It may have reached the provider; a channel that can ask looks first.
    in_doubt_since: datetime | None = None


@dataclass(slots=True)
class Sent:
    ref: str
    # Push subscriptions the push service says are gone (404/410): forgotten at once.
    gone: list[str] = field(default_factory=list)


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        # The request may have reached the provider (no answer came back): the next try
        # looks for it first where the provider can be asked.
        self.in_doubt = in_doubt
        self.gone: list[str] = []  # push subscriptions found gone on the way


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> Sent: ...

    async def close(self) -> None: ...


@runtime_checkable
class FindsSent(Protocol):
    """A channel whose provider can be asked what it took: before a try in doubt is sent
    again, it looks for the message the stopped try may have handed over."""

    async def find_sent(self, message: Outgoing) -> Sent | None: ...


def http_failure(provider: str, status: int, detail: str) -> SendFailed:
    """A provider's HTTP refusal: 4xx (but 408/429) cannot succeed when repeated."""
    permanent = 400 <= status < 500 and status not in (408, 409, 425, 429)
    return SendFailed(f"{provider} answered {status}: {detail[:300]}", permanent=permanent)
