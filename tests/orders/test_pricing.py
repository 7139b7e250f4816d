"""Property tests of the pure pricing and coupon rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kirana.orders import coupons, pricing
from kirana.orders.pricing import DEFAULT_RULES, FeeRule, StoreLoad

NOON_HELSINKI = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 12:00 in Helsinki
MIDNIGHT_HELSINKI = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 00:30 in Helsinki

amounts = st.integers(min_value=0, max_value=10_000_000)
times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
loads = st.builds(StoreLoad, open_orders=st.integers(0, 500), online_riders=st.integers(0, 100))
rule_sets = st.dictionaries(
    st.sampled_from(sorted(DEFAULT_RULES)),
    st.builds(
        lambda amount, enabled: (amount, enabled),
        st.integers(0, 100_000),
        st.booleans(),
    ),
).map(
    lambda over: pricing.merge_rules(
        {
            code: FeeRule(code, DEFAULT_RULES[code].label, amount, enabled)
            for code, (amount, enabled) in over.items()
        }
    )
)


@given(subtotal=amounts, discount=amounts, tip=amounts, at=times, load=loads, rules=rule_sets)
def test_total_adds_up_and_is_never_negative(
    subtotal: int, discount: int, tip: int, at: datetime, load: StoreLoad, rules: dict[str, FeeRule]
) -> None:
    q = pricing.quote(subtotal, at=at, load=load, rules=rules, discount=discount, tip=tip)
    assert q.total == q.subtotal + q.fees_total - q.discount + q.tip
    assert q.total >= 0
    assert 0 <= q.discount <= subtotal
    assert 0 <= q.tip <= pricing.MAX_TIP
    assert all(f.amount > 0 for f in q.fees)
    assert len({f.code for f in q.fees}) == len(q.fees)
    if subtotal == 0:
        assert q.fees == ()


@given(subtotal=st.integers(1, 10_000_000), at=times, load=loads)
def test_delivery_is_free_above_the_threshold_and_small_carts_pay_extra(
    subtotal: int, at: datetime, load: StoreLoad
) -> None:
    codes = {f.code for f in pricing.fees_for(subtotal, at, load, DEFAULT_RULES)}
    assert ("delivery" in codes) == (subtotal < 19_900)
    assert ("small_cart" in codes) == (subtotal < 9_900)
    assert "handling" in codes


@given(
    subtotal=st.integers(1, 1_000_000), a=st.integers(0, 10_000_000), b=st.integers(0, 10_000_000)
)
def test_more_discount_never_raises_the_total(subtotal: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    kw = {"at": NOON_HELSINKI, "load": StoreLoad(), "rules": DEFAULT_RULES}
    assert (
        pricing.quote(subtotal, discount=high, **kw).total
        <= pricing.quote(subtotal, discount=low, **kw).total
    )


def test_late_night_fee_in_store_local_time() -> None:
    late = pricing.fees_for(5_000, MIDNIGHT_HELSINKI, StoreLoad(), DEFAULT_RULES)
    day = pricing.fees_for(5_000, NOON_HELSINKI, StoreLoad(), DEFAULT_RULES)
    assert "late_night" in {f.code for f in late}
    assert "late_night" not in {f.code for f in day}
    # 23:00 Helsinki is 21:00 UTC in winter: the window starts there, inclusive.
    at_start = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
    assert pricing.in_late_night(at_start, DEFAULT_RULES["late_night"].params)
    assert not pricing.in_late_night(
        at_start - timedelta(minutes=1), DEFAULT_RULES["late_night"].params
    )


@given(open_orders=st.integers(0, 200), riders=st.integers(0, 50))
def test_surge_when_orders_per_rider_pass_the_ratio(open_orders: int, riders: int) -> None:
    fees = pricing.fees_for(5_000, NOON_HELSINKI, StoreLoad(open_orders, riders), DEFAULT_RULES)
    assert ("surge" in {f.code for f in fees}) == (open_orders > 3.0 * max(riders, 1))


def test_every_fee_has_a_code_and_label() -> None:
    fees = pricing.fees_for(100, MIDNIGHT_HELSINKI, StoreLoad(100, 1), DEFAULT_RULES)
    assert [f.as_dict() for f in fees] == [
        {"code": "delivery", "label": "Delivery fee", "amount": 2_500},
        {"code": "small_cart", "label": "Small cart fee", "amount": 2_000},
        {"code": "handling", "label": "Handling fee", "amount": 400},
        {"code": "late_night", "label": "Late night fee", "amount": 3_000},
        {"code": "surge", "label": "High demand fee", "amount": 2_000},
    ]


terms_strategy = st.builds(
    coupons.CouponTerms,
    code=st.just("SAVE"),
    kind=st.sampled_from(["flat", "percent"]),
    amount_off=st.integers(1, 100_000),
    percent_off=st.integers(1, 100),
    max_discount=st.none() | st.integers(1, 100_000),
    min_cart=st.integers(0, 50_000),
)


@given(terms=terms_strategy, subtotal=st.integers(0, 1_000_000))
def test_coupon_discount_is_within_cart_and_cap(terms: coupons.CouponTerms, subtotal: int) -> None:
    d = coupons.raw_discount(terms, subtotal)
    assert 0 <= d <= subtotal
    if terms.max_discount is not None:
        assert d <= terms.max_discount
    if terms.kind == "percent":
        assert d <= (subtotal * terms.percent_off) // 100 + 1


@given(terms=terms_strategy, subtotal=st.integers(0, 1_000_000))
def test_min_cart_is_enforced(terms: coupons.CouponTerms, subtotal: int) -> None:
    reason = coupons.rejection(terms, subtotal, NOON_HELSINKI, coupons.CustomerHistory())
    assert (reason is not None) == (subtotal < terms.min_cart)
    if reason is not None:
        assert reason.code == "coupon_min_cart" and reason.status == 422


def test_percent_off_is_whole_percent_and_flat_is_paise() -> None:
    """WELCOME50 took ₹2.71 off a ₹541 cart when 50 was read as basis points."""
    half = coupons.CouponTerms(
        code="WELCOME50", kind="percent", percent_off=50, max_discount=10_000
    )
    assert coupons.raw_discount(half, 54_100) == 10_000  # 50% of ₹541, capped at ₹100
    assert coupons.raw_discount(half, 15_000) == 7_500  # 50% of ₹150, under the cap
    tenth = coupons.CouponTerms(code="TEN", kind="percent", percent_off=10)
    assert coupons.raw_discount(tenth, 12_345) == 1_235  # ₹12.345 rounded half up
    flat = coupons.CouponTerms(code="FLAT40", kind="flat", amount_off=4_000)
    assert coupons.raw_discount(flat, 54_100) == 4_000
    assert coupons.raw_discount(flat, 3_000) == 3_000  # never more than the cart


def test_coupon_limits_window_and_first_order() -> None:
    base = coupons.CouponTerms(code="NEW", kind="percent", percent_off=50, max_discount=10_000)
    history = coupons.CustomerHistory()
    now = NOON_HELSINKI
    assert coupons.discount_for(base, 50_000, now, history) == 10_000  # 50% capped at ₹100
    cases = {
        "coupon_inactive": (base.__class__(**{**_fields(base), "is_active": False}), history),
        "coupon_not_started": (
            base.__class__(**{**_fields(base), "starts_at": now + timedelta(days=1)}),
            history,
        ),
        "coupon_expired": (base.__class__(**{**_fields(base), "ends_at": now}), history),
        "coupon_used_up": (
            base.__class__(**{**_fields(base), "global_limit": 3, "redeemed_count": 3}),
            history,
        ),
        "coupon_user_limit": (
            base.__class__(**{**_fields(base), "per_user_limit": 1}),
            coupons.CustomerHistory(uses_of_this_coupon=1),
        ),
        "coupon_first_order": (
            base.__class__(**{**_fields(base), "first_order_only": True}),
            coupons.CustomerHistory(has_ordered_before=True),
        ),
    }
    for code, (terms, hist) in cases.items():
        reason = coupons.rejection(terms, 50_000, now, hist)
        assert reason is not None and reason.code == code, code


def _fields(terms: coupons.CouponTerms) -> dict[str, object]:
    return {name: getattr(terms, name) for name in terms.__slots__}  # type: ignore[attr-defined]
