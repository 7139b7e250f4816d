"""Admin management of coupons and fee rules."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.errors import Conflict, NotFound, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from kirana.orders import pricing_repository as pricing_repo
from kirana.orders.cart import fee_rules, forget_pricing_inputs
from kirana.orders.models import Coupon, FeeRule
from kirana.orders.pricing import DEFAULT_RULES, param_problems
from kirana.orders.schemas import (
    CouponCreate,
    CouponRead,
    CouponUpdate,
    FeeRuleRead,
    FeeRuleUpdate,
)


def coupon_not_found() -> NotFound:
    return NotFound("No such coupon", code="coupon_not_found")


async def create_coupon(session: AsyncSession, data: CouponCreate) -> CouponRead:
    code = data.code.upper()
    if await pricing_repo.coupon_by_code(session, code) is not None:
        raise Conflict(f"A coupon {code} exists already", code="coupon_exists")
    coupon = Coupon(id=new_id(), redeemed_count=0, **(data.model_dump() | {"code": code}))
    try:
        async with session.begin_nested():
            session.add(coupon)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A coupon {code} exists already", code="coupon_exists") from exc
    return CouponRead.model_validate(coupon)


async def list_coupons(
    session: AsyncSession, cursor: str | None, limit: int = DEFAULT_LIMIT
) -> Page[CouponRead]:
    key = decode_cursor(cursor, 1)
    rows = await pricing_repo.coupons_page(session, limit, str(key[0]) if key else None)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[CouponRead.model_validate(c) for c in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


async def get_coupon(session: AsyncSession, coupon_id: str) -> CouponRead:
    coupon = await pricing_repo.coupon_by_id(session, coupon_id)
    if coupon is None:
        raise coupon_not_found()
    return CouponRead.model_validate(coupon)


async def update_coupon(session: AsyncSession, coupon_id: str, data: CouponUpdate) -> CouponRead:
    coupon = await pricing_repo.coupon_by_id(session, coupon_id)
    if coupon is None:
        raise coupon_not_found()
    changes = data.model_dump(exclude_unset=True)
    for field in ("min_cart", "first_order_only", "is_active", "description"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(
                f"{field} cannot be null", errors=[{"field": field, "message": "cannot be null"}]
            )
    for field, value in changes.items():
        setattr(coupon, field, value)
    if coupon.starts_at and coupon.ends_at and coupon.ends_at <= coupon.starts_at:
        raise ValidationFailed(
            "ends_at must be after starts_at",
            errors=[{"field": "ends_at", "message": "must be after starts_at"}],
        )
    await session.flush()
    return CouponRead.model_validate(coupon)


async def deactivate_coupon(session: AsyncSession, coupon_id: str) -> None:
    """Coupons that were redeemed stay on record; deleting one retires it."""
    coupon = await pricing_repo.coupon_by_id(session, coupon_id)
    if coupon is None:
        raise coupon_not_found()
    coupon.is_active = False
    await session.flush()


async def list_fee_rules(session: AsyncSession) -> list[FeeRuleRead]:
    return [
        FeeRuleRead(
            code=r.code, label=r.label, enabled=r.enabled, amount=r.amount, params=dict(r.params)
        )
        for r in (await fee_rules(session)).values()
    ]


async def update_fee_rule(session: AsyncSession, code: str, data: FeeRuleUpdate) -> FeeRuleRead:
    if code not in DEFAULT_RULES:
        raise NotFound("No such fee rule", code="fee_rule_not_found")
    current = (await fee_rules(session))[code]
    changes = data.model_dump(exclude_unset=True)
    for field in ("label", "enabled", "amount"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(
                f"{field} cannot be null", errors=[{"field": field, "message": "cannot be null"}]
            )
    unknown = set(changes.get("params") or {}) - set(DEFAULT_RULES[code].params)
    if unknown:
        raise ValidationFailed(
            f"{code} has no parameter {', '.join(sorted(unknown))}",
            errors=[
                {"field": f"params.{u}", "message": "unknown parameter"} for u in sorted(unknown)
            ],
        )
    problems = param_problems(code, changes.get("params") or {})
    if problems:
        raise ValidationFailed(
            "; ".join(f"{name} {message}" for name, message in problems),
            errors=[{"field": f"params.{name}", "message": message} for name, message in problems],
        )
    params = {**current.params, **(changes.get("params") or {})}
    row = await pricing_repo.fee_rule_row(session, code)
    if row is None:
        row = FeeRule(
            code=code, label=current.label, enabled=current.enabled, amount=current.amount
        )
        session.add(row)
    row.label = changes.get("label") or current.label
    row.enabled = changes.get("enabled", current.enabled)
    row.amount = changes.get("amount", current.amount)
    row.params = params
    await session.flush()
    forget_pricing_inputs(session)
    return FeeRuleRead(
        code=code, label=row.label, enabled=row.enabled, amount=row.amount, params=params
    )
