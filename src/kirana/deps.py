"""FastAPI dependencies with names that read well: ``Session``, ``CurrentUser``, ``AdminUser``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.errors import Forbidden, RateLimited, Unauthorized
from kirana.kit.ratelimit import RateLimiter
from kirana.users import service as users
from kirana.users.schemas import Principal

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login")


async def get_settings_dep(request: Request) -> Settings:  # async: no thread-pool hop
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: commit when the handler returns, roll back if it raises."""
    db: Database = request.app.state.db
    async with db.transaction(write=request.method not in _READ_METHODS) as session:
        yield session


AppSettings = Annotated[Settings, Depends(get_settings_dep)]
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized(
            "Send an access token as 'Authorization: Bearer <token>'", code="token_missing"
        )
    settings: Settings = request.app.state.settings
    return users.authenticate_access_token(settings, credentials.credentials)


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def limit_auth_attempts(request: Request) -> None:
    """Slow down password guessing: a fixed number of auth calls per client address a minute."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
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


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    async def _check(principal: CurrentUser) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"This needs the role {' or '.join(roles)}", code="role_required")
        return principal

    return _check


AdminUser = Annotated[Principal, Depends(require_role("admin"))]
CustomerUser = Annotated[Principal, Depends(require_role("customer", "admin"))]
StaffUser = Annotated[Principal, Depends(require_role("store_staff", "admin"))]
RiderUser = Annotated[Principal, Depends(require_role("rider"))]
