"""Web Push: the payload encrypted for each of the user's browsers (RFC 8291, aes128gcm, by
pywebpush), signed with our VAPID key (RFC 8292), POSTed to the browser's push service.

The push service answers 201; 404 or 410 means the subscription is gone, and it is forgotten.
The ``Topic`` header is the delivery's id: a message sent again after a crash replaces the
first one while the push service still holds it, rather than showing twice.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from py_vapid import Vapid
from pywebpush import WebPusher

from kirana.config import Settings
from kirana.notifications.channels.base import Outgoing, SendFailed, Sent, http_failure

TTL_SECONDS = 3600


def encrypt(target: dict[str, Any], payload: bytes) -> bytes:
    """The payload as the subscription's browser alone can read it (aes128gcm)."""
    encoded = WebPusher(target).encode(payload, content_encoding="aes128gcm")
    body: bytes = encoded["body"]
    return body


class WebPush:
    name = "push"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.vapid = Vapid.from_string(settings.vapid_private_key)
        self.http = httpx.AsyncClient(timeout=settings.notify_send_timeout_seconds)

    def _headers(self, endpoint: str, topic: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        claims = {
            "sub": self.settings.vapid_subject,
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + 12 * 3600,
        }
        headers: dict[str, str] = dict(self.vapid.sign(claims))
        headers |= {
            "TTL": str(TTL_SECONDS),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": "high",
            "Topic": topic,
        }
        return headers

    async def send(self, out: Outgoing) -> Sent:
        if not out.push_targets:
            raise SendFailed("the user has no push subscription left", permanent=True)
        payload = orjson.dumps(
            {"title": out.subject, "body": out.body, "data": out.data, "tag": out.kind}
        )
        # Topic: at most 32 characters of the URL-safe alphabet (RFC 8030).
        topic = hashlib.sha256(out.delivery_id.encode()).hexdigest()[:32]
        sent, gone, errors = [], [], []
        for target in out.push_targets:
            keys = {"p256dh": target.p256dh, "auth": target.auth}
            body = encrypt({"endpoint": target.endpoint, "keys": keys}, payload)
            try:
                answer = await self.http.post(
                    target.endpoint, content=body, headers=self._headers(target.endpoint, topic)
                )
            except httpx.HTTPError as exc:
                errors.append(SendFailed(f"cannot reach the push service: {exc}"))
                continue
            if answer.status_code in (404, 410):
                gone.append(target.id)
            elif answer.status_code >= 300:
                errors.append(http_failure("the push service", answer.status_code, answer.text))
            else:
                sent.append(answer.headers.get("location", target.id))
        if not sent:
            failure = (
                SendFailed(str(errors[0]), permanent=all(e.permanent for e in errors))
                if errors
                else SendFailed("every push subscription of the user is gone", permanent=True)
            )
            failure.gone = gone
            raise failure
        return Sent(ref=" ".join(sent)[:200], gone=gone)

    async def close(self) -> None:
        await self.http.aclose()
