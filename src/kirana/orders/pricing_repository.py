"""Queries of pricing: coupons, their redemptions, and the fee rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.db import changed, table_of
from kirana.orders.models import Coupon, CouponRedemption, FeeRule


async def add_redemption(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(table_of(CouponRedemption)), row)


async def set_redemption_amount(session: AsyncSession, order_id: str, amount: int) -> None:
    await session.execute(
        update(CouponRedemption)
        .where(CouponRedemption.order_id == order_id, CouponRedemption.status == "active")
        .values(amount=amount)
    )


# A row of ``coupons``: the ORM object's attributes by the same names (pricing reads both).
CouponRow = Any


_COUPON_BY_CODE = select(*Coupon.__table__.c).where(
    func.upper(Coupon.code) == func.upper(bindparam("code"))
)


async def coupon_by_code(session: AsyncSession, code: str) -> CouponRow | None:
    return (await session.execute(_COUPON_BY_CODE, {"code": code})).first()


async def coupon_by_id(session: AsyncSession, coupon_id: str) -> Coupon | None:
    return await session.get(Coupon, coupon_id)


async def coupons_page(session: AsyncSession, limit: int, before_id: str | None) -> list[Coupon]:
    query = select(Coupon).order_by(Coupon.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(Coupon.id < before_id)
    return list((await session.execute(query)).scalars())


_COUPON_USES = (
    select(func.count())
    .select_from(CouponRedemption)
    .where(
        CouponRedemption.coupon_id == bindparam("coupon_id"),
        CouponRedemption.user_id == bindparam("user_id"),
        CouponRedemption.status == "active",
    )
)


async def coupon_uses(session: AsyncSession, coupon_id: str, user_id: str) -> int:
    params = {"coupon_id": coupon_id, "user_id": user_id}
    return int(await session.scalar(_COUPON_USES, params) or 0)


_CLAIM_COUPON = (
    update(table_of(Coupon))
    .where(
        Coupon.id == bindparam("coupon_id"),
        or_(Coupon.global_limit.is_(None), Coupon.redeemed_count < Coupon.global_limit),
    )
    .values(redeemed_count=Coupon.redeemed_count + 1)
)


async def claim_coupon(session: AsyncSession, coupon_id: str) -> bool:
    """Count one use, only if the global limit allows it (atomic under concurrency)."""
    return bool(await changed(session, _CLAIM_COUPON, {"coupon_id": coupon_id}))


async def revert_redemption(session: AsyncSession, order_id: str) -> None:
    redemption = (
        await session.execute(
            select(CouponRedemption).where(
                CouponRedemption.order_id == order_id, CouponRedemption.status == "active"
            )
        )
    ).scalar_one_or_none()
    if redemption is None:
        return
    redemption.status = "reverted"
    await session.execute(
        update(Coupon)
        .where(Coupon.id == redemption.coupon_id, Coupon.redeemed_count > 0)
        .values(redeemed_count=Coupon.redeemed_count - 1)
    )


# --- fee rules ------------------------------------------------------------------------------


_FEE_RULES = select(FeeRule.code, FeeRule.label, FeeRule.amount, FeeRule.enabled, FeeRule.params)


async def fee_rule_rows(session: AsyncSession) -> list[Any]:
    """Every stored fee rule (code, label, amount, enabled, params), read-only."""
    return list(await session.execute(_FEE_RULES))


async def fee_rule_row(session: AsyncSession, code: str) -> FeeRule | None:
    return await session.get(FeeRule, code)
