"""SMS: Twilio's Messages API, MSG91's Flow API, and a console channel for development.

Both providers are plain HTTPS APIs called with httpx, as their documentation gives them:
- Twilio: ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, HTTP Basic auth with the
  account SID and auth token, a form body of ``To``, ``Body`` and ``From`` (or
  ``MessagingServiceSid``); 201 answers the message resource, whose ``sid`` we keep.
- MSG91: ``POST /api/v5/flow/`` with the ``authkey`` header and a JSON body of ``flow_id``,
  ``recipients: [{mobiles, <variables>}]`` (numbers without the ``+``); it answers
  ``{"type": "success", "message": "<request id>"}`` or ``{"type": "error", ...}``.
Neither has an idempotency key on sending, so a send repeated after a crash before it was
recorded may reach the phone twice (docs/notifications.md).
"""

from __future__ import annotations

import logging

import httpx

from kirana.config import Settings
from kirana.notifications.channels.base import Outgoing, SendFailed, Sent, http_failure

log = logging.getLogger("kirana.sms")


class ConsoleSms:
    """Development: the message goes to the log (``kirana up`` prints it), nowhere else."""

    name = "sms"

    async def send(self, out: Outgoing) -> Sent:
        log.warning("SMS to %s: %s", out.recipient, out.body)
        return Sent(ref=f"console:{out.delivery_id}")

    async def close(self) -> None:
        return None


class _HttpSms:
    name = "sms"
    provider = ""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=settings.notify_send_timeout_seconds
        )

    async def _post(self, path: str, **kwargs: object) -> httpx.Response:
        try:
            return await self.http.post(path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise SendFailed(f"cannot reach {self.provider}: {type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        await self.http.aclose()


class TwilioSms(_HttpSms):
    provider = "Twilio"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, settings.twilio_base_url)

    async def send(self, out: Outgoing) -> Sent:
        s = self.settings
        form = {"To": out.recipient, "Body": out.body}
        if s.twilio_from.startswith("MG"):
            form["MessagingServiceSid"] = s.twilio_from
        else:
            form["From"] = s.twilio_from
        answer = await self._post(
            f"/2010-04-01/Accounts/{s.twilio_account_sid}/Messages.json",
            data=form,
            auth=(s.twilio_account_sid, s.twilio_auth_token),
        )
        if answer.status_code != 201:
            try:
                body = answer.json()
                detail = f"{body.get('code')} {body.get('message')}"
            except ValueError:
                detail = answer.text
            raise http_failure(self.provider, answer.status_code, detail)
        sid = answer.json().get("sid")
        if not isinstance(sid, str):
            raise SendFailed("Twilio answered 201 without a message sid")
        return Sent(ref=sid)


class Msg91Sms(_HttpSms):
    provider = "MSG91"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, settings.msg91_base_url)

    async def send(self, out: Outgoing) -> Sent:
        s = self.settings
        body: dict[str, object] = {
            "flow_id": s.msg91_template_id,
            "recipients": [{"mobiles": out.recipient.lstrip("+"), "body": out.body}],
        }
        if not out.body.isascii():
            body["unicode"] = 1  # Hindi and every other script
        answer = await self._post(
            "/api/v5/flow/",
            json=body,
            headers={"authkey": s.msg91_auth_key, "accept": "application/json"},
        )
        try:
            reply = answer.json()
        except ValueError:
            reply = {}
        if answer.status_code >= 400:
            raise http_failure(self.provider, answer.status_code, str(reply or answer.text))
        if reply.get("type") != "success":
            # MSG91 answers 200 with type "error" for a refused request (bad key, template).
            raise SendFailed(f"MSG91 refused the message: {reply.get('message') or answer.text}")
        return Sent(ref=str(reply.get("message", "")))
