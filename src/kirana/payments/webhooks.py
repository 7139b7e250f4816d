"""Signed webhooks, Stripe-style: ``Kirana-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The signature covers ``"<t>.<raw body>"`` with the shared webhook secret, so a body cannot be
altered and an old delivery cannot be replayed outside the tolerance window. Both ends live
here: the sandbox gateway signs with :func:`signature_header`, our endpoint checks with
:func:`verify`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from kirana.kit.errors import BadRequest
from kirana.kit.ids import new_id

SIGNATURE_HEADER = "Kirana-Signature"
TOLERANCE_SECONDS = 300
SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.failed"
REFUNDED = "payment_intent.refunded"


class InvalidSignature(BadRequest):
    code = "invalid_signature"
    title = "Invalid webhook signature"


class InvalidPayload(BadRequest):
    code = "invalid_payload"
    title = "Invalid webhook payload"


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified event, in our words: ``type`` is SUCCEEDED, FAILED, REFUNDED or the
    provider's own name of an event we do not act on; ``payment_id`` is our intent's id (empty
    when the event names none). A provider's event also says what it captured, and its own ids
    of the payment, checked against what we hold."""

    id: str
    type: str
    payment_id: str
    reason: str | None
    amount: int | None = None
    currency: str | None = None
    gateway_ref: str | None = None
    payment_ref: str | None = None


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, at: datetime) -> str:
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: datetime) -> None:
    """Raise :class:`InvalidSignature` unless ``header`` signs ``body`` within the tolerance."""
    if not header:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is malformed")
    if abs(int(now.timestamp()) - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("The webhook's timestamp is outside the tolerance window")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise InvalidSignature("The webhook's signature does not match its body")


def build_event(
    event_type: str, *, payment_id: str, order_id: str, amount: int, currency: str, **extra: Any
) -> dict[str, Any]:
    """A gateway event as the sandbox sends it (the shape a real gateway's events have)."""
    return {
        "id": f"evt_{new_id()}",
        "type": event_type,
        "data": {
            "object": {
                "id": payment_id,
                "order_id": order_id,
                "amount": amount,
                "currency": currency,
                **extra,
            }
        },
    }


def encode(event: dict[str, Any]) -> bytes:
    return orjson.dumps(event)


def parse(body: bytes) -> WebhookEvent:
    """The fields we act on from a verified body; :class:`InvalidPayload` if any is missing."""
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidPayload("The webhook body is not JSON") from exc
    if not isinstance(event, dict):
        raise InvalidPayload("The webhook body is not a JSON object")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    event_id, event_type = event.get("id"), event.get("type")
    if not (
        isinstance(event_id, str)
        and 0 < len(event_id) <= 40
        and isinstance(event_type, str)
        and 0 < len(event_type) <= 60
        and isinstance(obj, dict)
        and isinstance(obj.get("id"), str)
    ):
        raise InvalidPayload("The webhook needs an id, a type and data.object.id")
    reason = obj.get("failure_reason")
    return WebhookEvent(
        id=event_id,
        type=event_type,
        payment_id=obj["id"][:26],
        reason=reason[:200] if isinstance(reason, str) else None,
    )
