"""Sign in with a phone number and a code sent to it by SMS (``/auth/otp/request``, ``/verify``).

A code is six random digits, good for ``KIRANA_OTP_TTL_SECONDS``, once; asking for a new one
spends the old. Only its HMAC (keyed with ``KIRANA_SECRET_KEY``) is stored. Each code allows
``KIRANA_OTP_MAX_ATTEMPTS`` wrong tries, then it is spent; a phone number and a client address
may ask for only so many codes per window. The first verify of a phone with no account
registers it. The SMS goes out through the notifications service's SMS channel, which this
module reaches through ``CodeSender`` (wired in ``main.create_app``), after the request commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit import clock, security
from kirana.kit.errors import RateLimited, ServiceUnavailable, Unauthorized
from kirana.kit.ids import new_id
from kirana.kit.ratelimit import RateLimiter
from kirana.users import repository as repo
from kirana.users import service
from kirana.users.models import LoginCode, User
from kirana.users.schemas import OtpSent, OtpVerifyOut


class CodeSender(Protocol):
    """What sends a login code: the notifications service's SMS channel."""

    def sms_available(self) -> bool: ...

    async def queue_login_code(
        self, session: AsyncSession, *, code_id: str, phone: str, code: str, user_id: str | None
    ) -> None: ...


class WrongCode(Unauthorized):
    """A wrong code counts against the code although the request fails."""

    code = "invalid_code"
    keep_changes = True


def code_digest(settings: Settings, phone: str, code: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


async def request_code(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    sender: CodeSender,
    *,
    phone: str,
    client: str,
) -> OtpSent:
    if not sender.sms_available():
        raise ServiceUnavailable(
            "Code login is not set up here (no SMS provider); sign in with your password",
            code="otp_unavailable",
        )
    window = settings.otp_window_seconds
    for key, limit, what in (
        (f"otp:addr:{client}", settings.otp_requests_per_address, "from this address"),
        (f"otp:phone:{phone}", settings.otp_requests_per_phone, "for this phone number"),
    ):
        allowed, retry_after = await limiter.hit(key, limit, window)
        if not allowed:
            raise RateLimited(
                f"Too many login codes {what}; try again in {retry_after} s",
                code="otp_rate_limited",
                extra={"retry_after": retry_after},
            )
    now = clock.now()
    await repo.spend_login_codes(session, phone, now)
    code = f"{secrets.randbelow(10**6):06d}"
    row = LoginCode(
        id=new_id(),
        phone=phone,
        code_hash=code_digest(settings, phone, code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.otp_ttl_seconds),
        attempts=0,
    )
    session.add(row)
    await session.flush()
    user = await repo.user_by_phone(session, phone)
    await sender.queue_login_code(
        session,
        code_id=row.id,
        phone=phone,
        code=code,
        user_id=user.id if user is not None and user.is_active else None,
    )
    return OtpSent(expires_in=settings.otp_ttl_seconds)


async def verify_code(
    session: AsyncSession, settings: Settings, *, phone: str, code: str, name: str | None
) -> OtpVerifyOut:
    now = clock.now()
    row = await repo.live_login_code(session, phone)
    if row is None or clock.ensure_aware(row.expires_at) <= now:
        raise Unauthorized(
            "This code is expired or was used already; ask for a new one",
            code="invalid_code",
        )
    if not hmac.compare_digest(row.code_hash, code_digest(settings, phone, code)):
        row.attempts += 1
        left = settings.otp_max_attempts - row.attempts
        if left <= 0:
            row.spent_at = now
        await session.flush()
        raise WrongCode(
            f"That is not the code we sent; {left} tries left"
            if left > 0
            else "That is not the code we sent, and it was the last try; ask for a new code",
            extra={"attempts_left": max(left, 0)},
        )
    if not await repo.spend_login_code(session, row.id, now):
        raise Unauthorized(
            "This code is expired or was used already; ask for a new one",
            code="invalid_code",
        )
    user: User | None = await repo.user_by_phone(session, phone)
    new_account = user is None
    if user is None:
        # A password nobody knows: the account signs in with codes until one is set.
        user = await service.create_user(
            session, phone=phone, password=security.new_opaque_token(), name=name or phone
        )
    if not user.is_active:
        raise Unauthorized("The account is not active", code="account_inactive")
    tokens = await service.issue_tokens(session, settings, user)
    return OtpVerifyOut(**tokens.model_dump(), new_account=new_account, user=service.to_read(user))
