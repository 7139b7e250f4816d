"""Every query of the users service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.users.models import Address, LoginCode, RefreshToken, User


async def user_by_phone(session: AsyncSession, phone: str) -> User | None:
    result = await session.execute(select(User).where(User.phone == phone))
    return result.scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def users_by_ids(session: AsyncSession, user_ids: list[str]) -> list[User]:
    if not user_ids:
        return []
    return list((await session.execute(select(User).where(User.id.in_(set(user_ids))))).scalars())


async def active_customers(session: AsyncSession, user_ids: list[str]) -> list[User]:
    if not user_ids:
        return []
    result = await session.execute(
        select(User)
        .where(User.id.in_(user_ids), User.role == "customer", User.is_active.is_(True))
        .order_by(User.id)
    )
    return list(result.scalars())


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    result = await session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    )
    return result.scalar_one_or_none()


async def spend_refresh_token(session: AsyncSession, token_id: str, at: datetime) -> bool:
    """Mark a live token spent; False if another request spent it first (a replay race)."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.spent_at.is_(None))
        .values(spent_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_family(session: AsyncSession, family_id: str, at: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_sessions(
    session: AsyncSession, user_id: str, at: datetime, *, keep_family: str | None
) -> None:
    """Revoke every refresh token of the user but those of ``keep_family`` (the caller's)."""
    query = update(RefreshToken).where(
        RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
    )
    if keep_family is not None:
        query = query.where(RefreshToken.family_id != keep_family)
    await session.execute(query.values(revoked_at=at))


async def addresses_of(session: AsyncSession, user_id: str) -> list[Address]:
    result = await session.execute(
        select(Address).where(Address.user_id == user_id).order_by(Address.created_at, Address.id)
    )
    return list(result.scalars())


async def address_of(session: AsyncSession, user_id: str, address_id: str) -> Address | None:
    result = await session.execute(
        select(Address).where(Address.id == address_id, Address.user_id == user_id)
    )
    return result.scalar_one_or_none()


_ADDRESS = select(
    Address.id,
    Address.label,
    Address.line1,
    Address.city,
    Address.pincode,
    Address.lat,
    Address.lng,
    Address.instructions,
).where(Address.id == bindparam("address_id"), Address.user_id == bindparam("user_id"))


async def address_row(session: AsyncSession, user_id: str, address_id: str) -> Any | None:
    """One of the user's addresses as a read-only row (checkout's hot path: no ORM object)."""
    found = await session.execute(_ADDRESS, {"user_id": user_id, "address_id": address_id})
    return found.first()


async def spend_login_codes(session: AsyncSession, phone: str, at: datetime) -> None:
    """Spend every live code of ``phone`` (a new one replaces them)."""
    await session.execute(
        update(LoginCode)
        .where(LoginCode.phone == phone, LoginCode.spent_at.is_(None))
        .values(spent_at=at)
    )


async def live_login_code(session: AsyncSession, phone: str) -> LoginCode | None:
    """The phone's newest unspent code, locked (two verifies of one code: one wins)."""
    result = await session.execute(
        select(LoginCode)
        .where(LoginCode.phone == phone, LoginCode.spent_at.is_(None))
        .order_by(LoginCode.created_at.desc(), LoginCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    return result.scalar_one_or_none()


async def spend_login_code(session: AsyncSession, code_id: str, at: datetime) -> bool:
    result = await session.execute(
        update(LoginCode)
        .where(LoginCode.id == code_id, LoginCode.spent_at.is_(None))
        .values(spent_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
