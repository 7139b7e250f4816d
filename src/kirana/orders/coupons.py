"""Coupon rules as a pure function: is this coupon good for this cart, and for how much?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kirana.kit import money
from kirana.kit.errors import ValidationFailed


class CouponRejected(ValidationFailed):
    code = "coupon_invalid"
    title = "The coupon cannot be used"


@dataclass(frozen=True, slots=True)
class CouponTerms:
    code: str
    kind: str  # "flat" (amount_off in paise) or "percent" (percent_off, whole percent)
    amount_off: int = 0
    percent_off: int = 0
    max_discount: int | None = None
    min_cart: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    per_user_limit: int | None = None
    global_limit: int | None = None
    first_order_only: bool = False
    is_active: bool = True
    redeemed_count: int = 0


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """What the coupon rules need to know about the customer."""

    uses_of_this_coupon: int = 0
    has_ordered_before: bool = False


def raw_discount(terms: CouponTerms, subtotal: int) -> int:
    # A percent coupon's share is rounded half up to the paisa.
    if terms.kind == "flat":
        amount = terms.amount_off
    else:
        amount = (subtotal * terms.percent_off + 50) // 100
    if terms.max_discount is not None:
        amount = min(amount, terms.max_discount)
    return max(0, min(amount, subtotal))


def rejection(
    terms: CouponTerms, subtotal: int, at: datetime, history: CustomerHistory
) -> CouponRejected | None:
    """Why the coupon cannot be used now, or None if it can."""
    label = terms.code
    if not terms.is_active:
        return CouponRejected(f"{label} is no longer offered", code="coupon_inactive")
    if terms.starts_at is not None and at < terms.starts_at:
        return CouponRejected(f"{label} is not valid yet", code="coupon_not_started")
    if terms.ends_at is not None and at >= terms.ends_at:
        return CouponRejected(f"{label} has expired", code="coupon_expired")
    if subtotal < terms.min_cart:
        return CouponRejected(
            f"{label} needs a cart of at least {money.in_words(terms.min_cart)}",
            code="coupon_min_cart",
            extra={"min_cart": terms.min_cart},
        )
    if terms.global_limit is not None and terms.redeemed_count >= terms.global_limit:
        return CouponRejected(f"{label} has been fully used", code="coupon_used_up")
    if terms.per_user_limit is not None and history.uses_of_this_coupon >= terms.per_user_limit:
        return CouponRejected(f"You have already used {label}", code="coupon_user_limit")
    if terms.first_order_only and history.has_ordered_before:
        return CouponRejected(f"{label} is for a first order only", code="coupon_first_order")
    return None


def discount_for(terms: CouponTerms, subtotal: int, at: datetime, history: CustomerHistory) -> int:
    """The discount in paise; raises ``CouponRejected`` (422) naming the reason if not usable."""
    reason = rejection(terms, subtotal, at, history)
    if reason is not None:
        raise reason
    return raw_discount(terms, subtotal)
