"""Email over SMTP (aiosmtplib): a text part and an HTML part from the event's templates."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from kirana.config import Settings
from kirana.notifications.channels.base import Outgoing, SendFailed, Sent


class SmtpEmail:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        domain = parseaddr(settings.email_from)[1].rpartition("@")[2] or "kirana.invalid"
        self.domain = domain

    def message(self, out: Outgoing) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.settings.email_from
        msg["To"] = out.recipient
        msg["Subject"] = out.subject
        msg["Date"] = formatdate(localtime=False)
        # The same id on every try: mail systems drop a second copy of one Message-ID.
        msg["Message-ID"] = f"<{out.delivery_id}@{self.domain}>"
        msg.set_content(out.body)
        if out.html:
            msg.add_alternative(out.html, subtype="html")
        return msg

    async def send(self, out: Outgoing) -> Sent:
        s = self.settings
        try:
            await aiosmtplib.send(
                self.message(out),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username or None,
                password=s.smtp_password or None,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                timeout=s.notify_send_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise SendFailed(
                f"the mail server refused {out.recipient}: {exc}",
                permanent=all(500 <= c < 600 for c in codes),
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"the mail server answered {exc.code}: {exc.message}",
                permanent=500 <= exc.code < 600,
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendFailed(
                f"cannot reach the mail server {s.smtp_host}:{s.smtp_port}: {exc}"
            ) from exc
        return Sent(ref=f"<{out.delivery_id}@{self.domain}>")

    async def close(self) -> None:
        return None
