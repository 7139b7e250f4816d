"""The users service: accounts, login, rotating refresh tokens, profile and addresses.

This module is the service's public interface; other services call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit import clock, security
from kirana.kit.cache import TTLCache, cache_named, forget_on_writes
from kirana.kit.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from kirana.kit.ids import new_id
from kirana.users import repository as repo
from kirana.users.models import ROLES, Address, RefreshToken, User
from kirana.users.schemas import (
    AddressCreate,
    AddressRead,
    AddressUpdate,
    Principal,
    RegisterIn,
    TokenPair,
    UserRead,
    UserUpdate,
)


class TokenReused(Unauthorized):
    """A spent refresh token came back: someone copied it. Its family is revoked and stays so."""

    code = "refresh_token_reused"
    keep_changes = True


def to_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        phone=user.phone,
        name=user.name,
        email=user.email,
        roles=[user.role],
        store_id=user.store_id,
    )


async def create_user(
    session: AsyncSession,
    *,
    phone: str,
    password: str,
    name: str,
    email: str | None = None,
    role: str = "customer",
    store_id: str | None = None,
) -> User:
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    if await repo.user_by_phone(session, phone) is not None:
        raise Conflict(
            "An account with this phone number exists; log in instead", code="phone_taken"
        )
    user = User(
        id=new_id(),
        phone=phone,
        password_hash=await security.hash_password_off_loop(password),
        name=name,
        email=email,
        role=role,
        store_id=store_id,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "An account with this phone number exists; log in instead", code="phone_taken"
        ) from exc
    return user


async def issue_tokens(
    session: AsyncSession, settings: Settings, user: User, family_id: str | None = None
) -> TokenPair:
    family_id = family_id or new_id()
    access, _ = security.create_access_token(
        user.id,
        settings.secret_key,
        settings.access_token_minutes,
        {
            "role": user.role,
            "store_id": user.store_id,
            "ver": user.token_version,
            "fam": family_id,
        },
    )
    refresh = security.new_opaque_token()
    now = clock.now()
    session.add(
        RefreshToken(
            id=new_id(),
            user_id=user.id,
            family_id=family_id,
            token_hash=security.token_digest(refresh),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    return TokenPair(
        access_token=access, refresh_token=refresh, expires_in=settings.access_token_minutes * 60
    )


async def register(
    session: AsyncSession, settings: Settings, data: RegisterIn
) -> tuple[User, TokenPair]:
    user = await create_user(
        session,
        phone=data.phone,
        password=data.password,
        name=data.name,
        email=str(data.email) if data.email else None,
    )
    return user, await issue_tokens(session, settings, user)


async def login(session: AsyncSession, settings: Settings, phone: str, password: str) -> TokenPair:
    user = await repo.user_by_phone(session, phone)
    if user is None:
        await security.verify_password_off_loop(security.DUMMY_HASH, password)
        raise Unauthorized("Wrong phone number or password", code="invalid_credentials")
    if (
        not await security.verify_password_off_loop(user.password_hash, password)
        or not user.is_active
    ):
        raise Unauthorized("Wrong phone number or password", code="invalid_credentials")
    return await issue_tokens(session, settings, user)


async def refresh(session: AsyncSession, settings: Settings, token: str) -> TokenPair:
    """Rotate: spend ``token`` and issue a new pair in its family; a reused token kills the family."""
    row = await repo.refresh_token_by_hash(session, security.token_digest(token))
    now = clock.now()
    if row is None or row.revoked_at is not None or clock.ensure_aware(row.expires_at) <= now:
        raise Unauthorized(
            "The refresh token is not valid; log in again", code="invalid_refresh_token"
        )
    if row.spent_at is not None or not await repo.spend_refresh_token(session, row.id, now):
        await repo.revoke_family(session, row.family_id, now)
        raise TokenReused(
            "This refresh token was already used; every session from that login is now signed out"
        )
    user = await repo.user_by_id(session, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The account is not active", code="account_inactive")
    return await issue_tokens(session, settings, user, family_id=row.family_id)


async def logout(session: AsyncSession, token: str) -> None:
    row = await repo.refresh_token_by_hash(session, security.token_digest(token))
    if row is not None:
        await repo.revoke_family(session, row.family_id, clock.now())


@dataclass(frozen=True, slots=True)
class _Standing:
    """What ``authenticate`` needs of an account beyond the token's signature."""

    is_active: bool
    token_version: int
    role: str
    store_id: str | None


# A committed write to an account forgets its standing on every process (kit.cache): a
# deactivation, a password change (a new token version), a new role or store count at once.
forget_on_writes("accounts", "users", keys={"users": lambda user: user.id})


def _accounts(settings: Settings) -> TTLCache:
    return cache_named(
        "accounts", settings.database_url, settings.account_cache_seconds, max_entries=65_536
    )


async def _standing(session: AsyncSession, settings: Settings, user_id: str) -> _Standing | None:
    cache = _accounts(settings)
    found: _Standing | None = cache.get(user_id)
    if found is not None:
        return found
    stamp = cache.stamp(user_id)  # a write committed while we read must not be outlived
    user = await repo.user_by_id(session, user_id)
    if user is None:
        return None
    found = _Standing(user.is_active, user.token_version, user.role, user.store_id)
    cache.set(user_id, found, stamp=stamp)
    return found


async def authenticate(session: AsyncSession, settings: Settings, token: str) -> Principal:
    """The caller an access token names, as the account is now: the token's signature is
    checked once per process (kit.security), its account's standing on every use (from a
    cache that forgets an account as soon as a change to it commits), so a changed password
    ends older tokens and a changed role or store counts at once."""
    claims = _claims(settings, token)
    return _principal(claims, await _standing(session, settings, claims["sub"]))


def authenticate_cached(settings: Settings, token: str) -> Principal | None:
    """``authenticate`` without a database: the caller if the account's standing is cached,
    None if it must be read (the same refusals otherwise)."""
    claims = _claims(settings, token)
    found: _Standing | None = _accounts(settings).get(claims["sub"])
    return None if found is None else _principal(claims, found)


def _claims(settings: Settings, token: str) -> dict[str, Any]:
    claims = security.decode_access_token(token, settings.secret_key)
    if claims is None:
        raise Unauthorized(
            "The access token is invalid or expired; refresh it or log in", code="invalid_token"
        )
    return claims


def _principal(claims: dict[str, Any], user: _Standing | None) -> Principal:
    if user is None or not user.is_active:
        raise Unauthorized("The account is not active", code="account_inactive")
    if claims.get("ver", 0) != user.token_version:
        raise Unauthorized(
            "This access token was issued before the password changed; refresh it or log in",
            code="token_revoked",
        )
    return Principal(
        id=claims["sub"], role=user.role, store_id=user.store_id, session_id=claims.get("fam")
    )


async def set_active(session: AsyncSession, user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account. A deactivated one is refused at once: every
    request checks the account's standing (``authenticate``), which every process forgets
    when this commits, and its refresh tokens are revoked."""
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        await repo.revoke_sessions(session, user.id, clock.now(), keep_family=None)
    await session.flush()


async def find_user(session: AsyncSession, user_id: str) -> User | None:
    """The account, active or not, or None."""
    return await repo.user_by_id(session, user_id)


async def find_users(session: AsyncSession, user_ids: list[str]) -> dict[str, User]:
    """The accounts of ``user_ids`` that exist, active or not, by id (one query)."""
    return {user.id: user for user in await repo.users_by_ids(session, user_ids)}


async def active_customers(session: AsyncSession, user_ids: list[str]) -> list[User]:
    """Those of ``user_ids`` that are customers with an active account, in id order."""
    return await repo.active_customers(session, user_ids)


async def get_user(session: AsyncSession, user_id: str) -> User:
    user = await repo.user_by_id(session, user_id)
    if user is None or not user.is_active:
        raise NotFound("No such user", code="user_not_found")
    return user


async def update_profile(
    session: AsyncSession, user_id: str, data: UserUpdate, *, session_id: str | None = None
) -> User:
    """Change the profile. A new password needs the current one, and ends every other session
    (``session_id``, the caller's login, keeps its refresh token; its access token must be
    refreshed)."""
    user = await get_user(session, user_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("password"):
        await _check_current_password(user, changes.get("current_password"))
    if "name" in changes:
        if changes["name"] is None:
            raise ValidationFailed("name cannot be empty", code="validation_failed")
        user.name = changes["name"]
    if "email" in changes:
        user.email = str(changes["email"]) if changes["email"] else None
    if changes.get("password"):
        user.password_hash = await security.hash_password_off_loop(changes["password"])
        user.token_version += 1
        await repo.revoke_sessions(session, user.id, clock.now(), keep_family=session_id)
    await session.flush()
    return user


async def _check_current_password(user: User, current: str | None) -> None:
    field = "current_password"
    if not current:
        raise ValidationFailed(
            "Changing the password needs current_password",
            code="current_password_required",
            errors=[{"field": field, "message": "is required to change the password"}],
        )
    if not await security.verify_password_off_loop(user.password_hash, current):
        raise ValidationFailed(
            "current_password is not this account's password; nothing was changed",
            code="current_password_wrong",
            errors=[{"field": field, "message": "is not the current password"}],
        )


async def list_addresses(session: AsyncSession, user_id: str) -> list[AddressRead]:
    return [AddressRead.model_validate(a) for a in await repo.addresses_of(session, user_id)]


async def add_address(session: AsyncSession, user_id: str, data: AddressCreate) -> AddressRead:
    address = Address(id=new_id(), user_id=user_id, **data.model_dump())
    session.add(address)
    await session.flush()
    return AddressRead.model_validate(address)


async def get_address(session: AsyncSession, user_id: str, address_id: str) -> AddressRead:
    """One of the user's addresses; another user's is "not found"."""
    address = await repo.address_row(session, user_id, address_id)
    if address is None:
        raise NotFound("No such address", code="address_not_found")
    return AddressRead.model_validate(address)


async def update_address(
    session: AsyncSession, user_id: str, address_id: str, data: AddressUpdate
) -> AddressRead:
    address = await repo.address_of(session, user_id, address_id)
    if address is None:
        raise NotFound("No such address", code="address_not_found")
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field != "instructions":
            raise ValidationFailed(
                f"{field} cannot be null", errors=[{"field": field, "message": "cannot be null"}]
            )
        setattr(address, field, value)
    await session.flush()
    return AddressRead.model_validate(address)


async def delete_address(session: AsyncSession, user_id: str, address_id: str) -> None:
    address = await repo.address_of(session, user_id, address_id)
    if address is None:
        raise NotFound("No such address", code="address_not_found")
    await session.delete(address)
    await session.flush()
