"""A receipt adds up for any order: whatever lines were kept, left out or substituted (cheaper,
dearer at the original's price, dearer paid for), whatever the fees, tip and coupon, by card
or cash: its lines make the subtotal, the bill makes the total, and what was paid less what was
refunded is the total (nothing, once cancelled). The payments are those the system makes: the
bill of each change is ``rebill``'s, a paid order gets back what it paid above it (differences
first), a difference payment covers what an agreed dearer substitute adds."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kirana.logistics.schemas import CashEntryRead
from kirana.orders.coupons import CouponTerms, raw_discount
from kirana.orders.models import Order, OrderItem, OrderSubstitution
from kirana.orders.receipt import compose
from kirana.orders.receipt_schemas import ReceiptStore
from kirana.orders.state import LineStatus, OrderStatus, SubstitutionStatus
from kirana.orders.substitutions import charged_unit_price, rebill
from kirana.payments.schemas import PaidLine, RefundLine
from tests.orders.test_substitution_money import terms

AT = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
FATES = ("kept", "out_of_stock", "cheaper", "dearer", "dearer_paid", "declined", "lapsed")

line = st.tuples(
    st.integers(min_value=1, max_value=200_000),  # unit price
    st.integers(min_value=1, max_value=6),  # quantity
    st.sampled_from(FATES),
    st.integers(min_value=1, max_value=6),  # the substitute's quantity
    st.integers(min_value=1, max_value=100_000),  # how much cheaper or dearer, a unit
)


class Money:
    """The payments of one order as the payments service keeps them."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.ids = (f"p{n}" for n in itertools.count())
        self.paid: list[PaidLine] = []
        self.refunds: list[RefundLine] = []

    def net(self) -> int:
        return sum(p.amount for p in self.paid) - sum(r.amount for r in self.refunds)

    def capture(self, kind: str, amount: int) -> None:
        self.paid.append(
            PaidLine(
                payment_id=next(self.ids),
                kind=kind,  # type: ignore[arg-type]
                method=self.method,  # type: ignore[arg-type]
                provider="cod" if self.method == "cod" else "sandbox",
                amount=amount,
                currency="EUR",
                at=AT,
            )
        )

    def refund(self, amount: int) -> None:
        """Differences first, newest first, then the order's own, each at most what is left."""
        order = [p for p in self.paid if p.kind == "order"]
        for p in [*reversed([p for p in self.paid if p.kind == "difference"]), *order]:
            left = p.amount - sum(r.amount for r in self.refunds if r.payment_id == p.payment_id)
            take = min(amount, left)
            if take > 0:
                self.refunds.append(
                    RefundLine(
                        refund_id=f"r{len(self.refunds)}",
                        payment_id=p.payment_id,
                        amount=take,
                        reason="changed",
                        status="sent",
                        at=AT,
                    )
                )
                amount -= take
        assert amount == 0


def _item(n: int, price: int, quantity: int, **kw: Any) -> OrderItem:
    return OrderItem(
        id=f"l{n}",
        order_id="o",
        product_id=f"prod{n}",
        name=f"Product {n}",
        unit="1 pc",
        unit_price=price,
        mrp=price + 100,
        quantity=quantity,
        line_total=price * quantity,
        aisle="A",
        status=kw.pop("status", LineStatus.ORDERED),
        substitute_for=kw.pop("substitute_for", None),
    )


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(line, min_size=1, max_size=6),
    fees=st.lists(st.integers(min_value=0, max_value=9_900), max_size=3),
    tip=st.integers(min_value=0, max_value=10_000),
    coupon=terms,
    method=st.sampled_from(["card", "upi", "cod"]),
    change=st.integers(min_value=0, max_value=50_000),
)
def test_receipt_totals_add_up_to_payments_less_refunds(
    lines: list[tuple[int, int, str, int, int]],
    fees: list[int],
    tip: int,
    coupon: CouponTerms | None,
    method: str,
    change: int,
) -> None:
    items = [_item(n, price, quantity) for n, (price, quantity, *_) in enumerate(lines)]
    subtotal = sum(i.line_total for i in items)
    discount = raw_discount(coupon, subtotal) if coupon else 0
    fee_rows = [
        {"code": "delivery" if n == 0 else f"fee{n}", "label": f"Fee {n}", "amount": a}
        for n, a in enumerate(fees)
    ]
    fees_total = sum(fees)
    order = Order(
        id="o",
        number="K-1",
        status=OrderStatus.PICKING,
        payment_method=method,
        currency="EUR",
        subtotal=subtotal,
        fees_total=fees_total,
        discount=discount,
        tip=tip,
        total=subtotal + fees_total - discount + tip,
        fees=fee_rows,
        coupon_code=coupon.code if coupon else None,
        address={"line1": "Mannerheimintie 1", "city": "Helsinki"},
        created_at=AT,
        delivered_at=None,
    )
    money = Money(method)
    if method != "cod":
        money.capture("order", order.total)
    substitutions: list[OrderSubstitution] = []

    def settle() -> None:
        billed = [i for i in items if i.status in (LineStatus.ORDERED, LineStatus.PICKED)]
        bill = rebill(
            [i.line_total for i in billed],
            fees_total=fees_total,
            tip=tip,
            coupon=coupon,
            discount_before=order.discount,
        )
        order.subtotal, order.discount, order.total = bill.subtotal, bill.discount, bill.total
        if method != "cod" and money.net() > bill.total:
            money.refund(money.net() - bill.total)

    for n, (price, _quantity, fate, sub_quantity, step) in enumerate(lines):
        original = items[n]
        if fate == "kept":
            continue
        if fate == "out_of_stock":
            original.status = LineStatus.UNAVAILABLE
            settle()
            continue
        store_price = max(1, price - step) if fate == "cheaper" else price + step
        agreed = fate == "dearer_paid"
        offer = OrderSubstitution(
            id=f"s{n}",
            order_id="o",
            line_id=original.id,
            product_id=f"sub{n}",
            name=f"Substitute {n}",
            unit="1 pc",
            mrp=store_price + 100,
            quantity=sub_quantity,
            unit_price=store_price,
            charged_unit_price=charged_unit_price(store_price, sub_quantity, original.line_total),
            status=SubstitutionStatus.PROPOSED,
            paid_difference=False,
        )
        substitutions.append(offer)
        if fate in ("declined", "lapsed"):
            offer.status = SubstitutionStatus(fate)
            original.status = LineStatus.UNAVAILABLE
            settle()
            continue
        unit_price = store_price if agreed else offer.charged_unit_price
        new = _item(100 + n, unit_price, sub_quantity, substitute_for=original.id)
        new.product_id, new.name, new.mrp = offer.product_id, offer.name, offer.mrp
        if new.line_total > original.line_total and method != "cod":
            # A dearer line (agreed to, or a paisa's rounding): the grown bill's difference is
            # paid first, as a payment of its own.
            others = [
                i.line_total
                for i in items
                if i.status in (LineStatus.ORDERED, LineStatus.PICKED) and i is not original
            ]
            grown = rebill(
                [*others, new.line_total],
                fees_total=fees_total,
                tip=tip,
                coupon=coupon,
                discount_before=order.discount,
            )
            if grown.total > money.net():
                money.capture("difference", grown.total - money.net())
        original.status = LineStatus.SUBSTITUTED
        items.append(new)
        offer.status = SubstitutionStatus.APPROVED
        offer.new_line_id = new.id
        offer.paid_difference = agreed and store_price > offer.charged_unit_price
        settle()

    cash = None
    kept = [i for i in items if i.status in (LineStatus.ORDERED, LineStatus.PICKED)]
    if not kept:  # nothing left to deliver: cancelled, and what is left given back
        order.status = OrderStatus.CANCELLED
        if money.net() > 0:
            money.refund(money.net())
    else:
        order.status = OrderStatus.DELIVERED
        if method == "cod":
            money.capture("order", order.total)
            cash = CashEntryRead(
                id="c",
                rider_id="r",
                kind="collected",
                amount=order.total,
                currency="EUR",
                held_after=order.total,
                order_id="o",
                tendered=order.total + change,
                change=change,
                by_id="u",
                by_name="Rider",
                note=None,
                at=AT,
            )

    receipt = compose(
        order,
        items,
        substitutions,
        paid=money.paid,
        refunds=money.refunds,
        cash=cash,
        store=ReceiptStore(id="s", name="Store", address=""),
        customer_name="Customer",
    )

    assert receipt.subtotal == sum(x.line_total for x in receipt.lines)
    assert all(x.line_total == x.quantity * x.unit_price for x in receipt.lines + receipt.removed)
    assert receipt.total == receipt.subtotal + receipt.fees_total - receipt.discount + receipt.tip
    assert receipt.fees_total == sum(f.amount for f in receipt.fees)
    assert receipt.delivery_fee == (fees[0] if fees else 0)
    assert receipt.paid == sum(p.amount for p in receipt.payments)
    assert receipt.refunded == sum(r.amount for r in receipt.refunds)
    assert receipt.net_paid == receipt.paid - receipt.refunded
    assert receipt.balance_due == 0
    if receipt.status == OrderStatus.CANCELLED:
        assert receipt.net_paid == 0 and receipt.lines == []
    else:
        assert receipt.net_paid == receipt.total  # the auditor's invariant, line by line
    # No payment gives back more than it took.
    for p in receipt.payments:
        assert sum(r.amount for r in receipt.refunds if r.payment_id == p.payment_id) <= p.amount
    if receipt.cash is not None:
        assert receipt.cash.tendered - receipt.cash.change == receipt.net_paid
    # Every line ordered shows once: on the bill, as what a substitute replaced, or removed.
    shown = [x.replaces.line_id if x.replaces else x.line_id for x in receipt.lines]
    shown += [x.replaces.line_id if x.replaces else x.line_id for x in receipt.removed]
    assert sorted(shown) == sorted(f"l{n}" for n in range(len(lines)))
    for x in receipt.lines:
        if x.replaces is not None and not x.paid_difference and x.replaces.line_total >= x.quantity:
            assert x.line_total <= x.replaces.line_total  # never dearer unless agreed
