"""FastAPI dependencies with names that read well: ``Session``, ``CurrentUser``, ``AdminUser``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit import proxies
from kirana.kit.db import Database
from kirana.kit.errors import Forbidden, RateLimited, Unauthorized
from kirana.kit.openapi import answers
from kirana.kit.ratelimit import RateLimiter
from kirana.users import service as users
from kirana.users.schemas import Principal

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_settings_dep(request: Request) -> Settings:  # async: no thread-pool hop
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: commit when the handler returns, roll back if it raises."""
    db: Database = request.app.state.db
    async with db.transaction(write=request.method not in _READ_METHODS) as session:
        yield session


AppSettings = Annotated[Settings, Depends(get_settings_dep)]
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


class _Caller(HTTPBearer):
    """The caller, from the access token in ``Authorization: Bearer ...``, if it has one of
    ``roles`` (any role if none given). One dependency for the whole check (the auth of every
    request; FastAPI documents it as the bearer scheme)."""

    def __init__(self, *roles: str) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="HTTPBearer",
            description="An access token from /api/v1/auth/login",
        )
        self.roles = roles
        # What the OpenAPI document lists for every operation that depends on this check.
        self.answers = (401, 403) if roles else (401,)

    async def __call__(  # type: ignore[override]
        self, request: Request, session: Session
    ) -> Principal:
        """The caller named by the ``Authorization`` header, or the 401/403 to answer. The
        account is read in the request's own session (FastAPI hands the route the same one),
        so a signed-in request costs one transaction, not two."""
        principal = await users.authenticate(session, request.app.state.settings, _token(request))
        return self.allowed(principal)

    def allowed(self, principal: Principal) -> Principal:
        if self.roles and principal.role not in self.roles:
            raise Forbidden(f"This needs the role {' or '.join(self.roles)}", code="role_required")
        return principal


class _SessionlessCaller(_Caller):
    """The same check for a route that takes no session of the request's: the account's
    standing comes from the cache, and only when it is not there is it read, in a read
    transaction of its own. For rider location reports (every few seconds from every rider
    on shift), whose accepted reports mostly touch no database at all."""

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        settings: Settings = request.app.state.settings
        token = _token(request)
        principal = users.authenticate_cached(settings, token)
        if principal is None:
            db: Database = request.app.state.db
            async with db.transaction(write=False) as session:
                principal = await users.authenticate(session, settings, token)
        return self.allowed(principal)


def _token(request: Request) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Send an access token as 'Authorization: Bearer <token>'", code="token_missing"
        )
    return token.strip()


CurrentUser = Annotated[Principal, Depends(_Caller())]


@answers(429)
async def limit_auth_attempts(request: Request) -> None:
    """Slow down password guessing: a fixed number of auth calls per client address a minute."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    client = proxies.client_address(request.scope, settings.trusted_proxies)
    allowed, retry_after = await limiter.hit(
        f"auth:{client}",
        settings.auth_rate_limit_per_minute,
        settings.auth_rate_limit_window_seconds,
    )
    if not allowed:
        raise RateLimited(
            f"Too many sign-in attempts from this address; try again in {retry_after} s",
            extra={"retry_after": retry_after},
        )


AuthRateLimit = Depends(limit_auth_attempts)


AdminUser = Annotated[Principal, Depends(_Caller("admin"))]
CustomerUser = Annotated[Principal, Depends(_Caller("customer", "admin"))]
StaffUser = Annotated[Principal, Depends(_Caller("store_staff", "admin"))]
RiderUser = Annotated[Principal, Depends(_Caller("rider"))]
# A rider, for a route that opens its own transactions when it needs any (location reports).
SessionlessRiderUser = Annotated[Principal, Depends(_SessionlessCaller("rider"))]
