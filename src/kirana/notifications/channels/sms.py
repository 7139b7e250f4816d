"""SMS: Twilio's Messages API, MSG91's Flow API, and a console channel for development.

Both providers are plain HTTPS APIs called with httpx, as their documentation gives them:
- Twilio: ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, HTTP Basic auth with the
  account SID and auth token, a form body of ``To``, ``Body`` and ``From`` (or
  ``MessagingServiceSid``); 201 answers the message resource, whose ``sid`` we keep.
- MSG91: ``POST /api/v5/flow/`` with the ``authkey`` header and a JSON body of ``flow_id``,
  ``recipients: [{mobiles, <variables>}]`` (numbers without the ``+``); it answers
  ``{"type": "success", "message": "<request id>"}`` or ``{"type": "error", ...}``.
Neither takes an idempotency key on sending. A try whose sender stopped before recording it is
in doubt: Twilio is asked first (``GET .../Messages.json?To=``, the messages it holds for the
number, newest first) and a message it already took, ours by sender, text and time, is recorded
rather than sent again; MSG91's API gives no such look-up by our request, so there a send
repeated after such a stop may reach the phone twice (docs/notifications.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parsedate_to_datetime

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
            # Refused before the request went out, or lost after it may have arrived.
            sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            raise SendFailed(
                f"cannot reach {self.provider}: {type(exc).__name__}: {exc}", in_doubt=sent
            ) from exc

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

    async def find_sent(self, out: Outgoing) -> Sent | None:
        """The message a stopped try handed Twilio, if it did: an outbound one to the same
        number, from our sender, with our text, created since that try began (a minute's
        leeway for clocks) and not failed. A look-up that fails is a failed try: it is
        retried later rather than risk a second message."""
        s = self.settings
        try:
            answer = await self.http.get(
                f"/2010-04-01/Accounts/{s.twilio_account_sid}/Messages.json",
                params={"To": out.recipient, "PageSize": 50},
                auth=(s.twilio_account_sid, s.twilio_auth_token),
            )
        except httpx.HTTPError as exc:
            raise SendFailed(f"cannot reach Twilio: {type(exc).__name__}: {exc}") from exc
        if answer.status_code != 200:
            raise SendFailed(
                f"Twilio answered {answer.status_code} to the look-up: {answer.text[:300]}"
            )
        since = out.in_doubt_since
        ours = "messaging_service_sid" if s.twilio_from.startswith("MG") else "from"
        for message in answer.json().get("messages") or []:
            if not (
                isinstance(message, dict)
                and str(message.get("direction", "")).startswith("outbound")
                and message.get(ours) == s.twilio_from
                and out.body in str(message.get("body") or "")
                and message.get("status") not in ("failed", "undelivered", "canceled")
                and isinstance(message.get("sid"), str)
            ):
                continue
            try:
                created = parsedate_to_datetime(str(message.get("date_created")))
            except (TypeError, ValueError):
                continue
            if since is None or created >= since - timedelta(minutes=1):
                return Sent(ref=str(message["sid"]))
        return None


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
