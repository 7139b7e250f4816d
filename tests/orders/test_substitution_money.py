"""The bill after lines change while picking adds up, whatever the lines, fees, tip and coupon:
total = lines + fees - discount + tip; what a paid order gets back is what was paid less the
new total; a substitute never costs more than the line it replaces unless agreed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kirana.orders.coupons import CouponTerms, raw_discount
from kirana.orders.substitutions import charged_unit_price, rebill

money = st.integers(min_value=0, max_value=5_000_000)
lines = st.lists(st.integers(min_value=1, max_value=2_000_000), min_size=1, max_size=12)
terms = st.one_of(
    st.none(),
    st.builds(
        CouponTerms,
        code=st.just("C"),
        kind=st.just("flat"),
        amount_off=st.integers(min_value=1, max_value=1_000_000),
    ),
    st.builds(
        CouponTerms,
        code=st.just("P"),
        kind=st.just("percent"),
        percent_off=st.integers(min_value=1, max_value=100),
        max_discount=st.one_of(st.none(), st.integers(min_value=1, max_value=500_000)),
    ),
)


@given(lines, st.data(), money, money, terms)
def test_removing_lines_adds_up_and_refunds_the_difference(
    totals: list[int], data: st.DataObject, fees: int, tip: int, coupon: CouponTerms | None
) -> None:
    paid_discount = raw_discount(coupon, sum(totals)) if coupon else 0
    paid = sum(totals) + fees - paid_discount + tip
    kept = totals[: data.draw(st.integers(min_value=0, max_value=len(totals)))]  # some removed
    bill = rebill(kept, fees_total=fees, tip=tip, coupon=coupon, discount_before=paid_discount)
    assert bill.subtotal == sum(kept)
    assert bill.total == bill.subtotal + fees - bill.discount + tip
    assert 0 <= bill.discount <= bill.subtotal
    assert bill.total >= fees + tip >= 0
    refund = paid - bill.total
    assert refund >= 0  # removing lines never costs the customer more
    assert paid - refund == bill.total


@given(
    st.integers(min_value=1, max_value=100_000),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=1, max_value=100_000),
)
def test_a_substitute_costs_no_more_than_the_line_it_replaces(
    price: int, quantity: int, original_quantity: int, original_unit: int
) -> None:
    replaced = original_unit * original_quantity
    unit = charged_unit_price(price, quantity, replaced)
    assert 1 <= unit <= price
    if replaced >= quantity:
        assert unit * quantity <= replaced


@pytest.mark.parametrize(
    ("kept", "fees", "tip", "coupon", "discount_before", "subtotal", "discount", "total"),
    [
        ([9_000], 3_900, 0, None, 0, 9_000, 0, 12_900),
        ([9_000], 3_900, 500, CouponTerms("P", "percent", percent_off=10), 2_100, 9_000, 900, 12_500),
        ([1_000], 0, 0, CouponTerms("F", "flat", amount_off=5_000), 5_000, 1_000, 1_000, 0),
        ([], 3_900, 200, CouponTerms("F", "flat", amount_off=5_000), 5_000, 0, 0, 4_100),
        # the coupon's row is gone: the old discount stays, capped at the new subtotal
        ([700], 100, 0, None, 1_500, 700, 700, 100),
    ],
)  # fmt: skip
def test_the_bill_table(
    kept: list[int],
    fees: int,
    tip: int,
    coupon: CouponTerms | None,
    discount_before: int,
    subtotal: int,
    discount: int,
    total: int,
) -> None:
    bill = rebill(kept, fees_total=fees, tip=tip, coupon=coupon, discount_before=discount_before)
    assert (bill.subtotal, bill.discount, bill.total) == (subtotal, discount, total)


@pytest.mark.parametrize(
    ("price", "quantity", "replaced", "charged"),
    [
        (5_000, 2, 9_000, 4_500),  # dearer: at the original's price
        (4_000, 2, 9_000, 4_000),  # cheaper: the store's price
        (3_000, 4, 9_000, 2_250),  # more units of a smaller pack: the line costs no more
        (5_000, 3, 10_000, 3_333),  # rounded down to the paisa
    ],
)
def test_what_a_substitute_costs(price: int, quantity: int, replaced: int, charged: int) -> None:
    assert charged_unit_price(price, quantity, replaced) == charged
