"""An order's itemised receipt: the lines as picked (a substitute with the line it replaced, the
lines that left the bill), the bill, every capture and refund, and the cash taken at the door.

:func:`compose` is a pure function of what the order, payments and logistics hold, so its
sums are tested for any order (tests/orders/test_receipt_sums.py); :func:`receipt` reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.logistics import service as logistics
from kirana.logistics.schemas import CashEntryRead
from kirana.orders import lifecycle
from kirana.orders import repository as repo
from kirana.orders import substitution_repository as substitution_repo
from kirana.orders.models import Order, OrderItem, OrderSubstitution
from kirana.orders.receipt_schemas import (
    CashPaid,
    ReceiptLine,
    ReceiptRead,
    ReceiptStore,
    RemovedBecause,
    ReplacedLine,
)
from kirana.orders.schemas import FeeLine
from kirana.orders.state import BILLED_LINES, LineStatus, OrderStatus, SubstitutionStatus
from kirana.payments import service as payments
from kirana.payments.schemas import PaidLine, RefundLine
from kirana.users import service as users
from kirana.users.schemas import Principal

_REMOVED_BECAUSE: dict[str, RemovedBecause] = {
    SubstitutionStatus.DECLINED: "substitute_declined",
    SubstitutionStatus.LAPSED: "substitute_lapsed",
}


def _replaced(line: OrderItem) -> ReplacedLine:
    return ReplacedLine(
        line_id=line.id,
        name=line.name,
        unit=line.unit,
        quantity=line.quantity,
        unit_price=line.unit_price,
        line_total=line.line_total,
    )


def _lines(
    items: Sequence[OrderItem], substitutions: Sequence[OrderSubstitution]
) -> tuple[list[ReceiptLine], list[ReceiptLine]]:
    """(the bill's lines, the lines removed), in the order's own order."""
    by_id = {i.id: i for i in items}
    approved = {s.new_line_id: s for s in substitutions if s.status == SubstitutionStatus.APPROVED}
    closed = {s.line_id: s for s in substitutions if s.status in _REMOVED_BECAUSE}

    def original(line: OrderItem) -> OrderItem | None:
        first, seen = None, {line.id}
        while line.substitute_for is not None and line.substitute_for in by_id:
            line = by_id[line.substitute_for]
            if line.id in seen:  # never so; a cycle must not hang a receipt
                break
            seen.add(line.id)
            first = line
        return first

    billed: list[ReceiptLine] = []
    removed: list[ReceiptLine] = []
    for line in items:
        if line.status == LineStatus.SUBSTITUTED:
            continue  # shown as what its substitute replaces
        replaced = original(line)
        offer = approved.get(line.id)
        because: RemovedBecause | None = None
        if line.status == LineStatus.UNAVAILABLE:
            gone = closed.get(line.id)
            because = _REMOVED_BECAUSE[gone.status] if gone is not None else "out_of_stock"
        read = ReceiptLine(
            line_id=line.id,
            product_id=line.product_id,
            name=line.name,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
            mrp=line.mrp,
            replaces=_replaced(replaced) if replaced is not None else None,
            store_unit_price=offer.unit_price if offer is not None else None,
            paid_difference=offer.paid_difference if offer is not None else False,
            removed_because=because,
        )
        (billed if line.status in BILLED_LINES else removed).append(read)
    return billed, removed


def _cash(entry: CashEntryRead | None) -> CashPaid | None:
    if entry is None or entry.tendered is None:
        return None
    return CashPaid(
        amount=entry.amount,
        tendered=entry.tendered,
        change=entry.change or 0,
        rider_name=entry.by_name,
        at=entry.at,
    )


def compose(
    order: Order,
    items: Sequence[OrderItem],
    substitutions: Sequence[OrderSubstitution],
    *,
    paid: Sequence[PaidLine],
    refunds: Sequence[RefundLine],
    cash: CashEntryRead | None,
    store: ReceiptStore,
    customer_name: str,
) -> ReceiptRead:
    """The receipt of ``order`` from its lines, substitutions, captures, refunds and cash."""
    billed, removed = _lines(items, substitutions)
    paid_total = sum(p.amount for p in paid)
    refunded = sum(r.amount for r in refunds)
    net_paid = paid_total - refunded
    fees = [FeeLine(**f) for f in order.fees]
    return ReceiptRead(
        order_id=order.id,
        number=order.number,
        status=order.status,
        currency=order.currency,
        payment_method=order.payment_method,
        placed_at=order.created_at,
        delivered_at=order.delivered_at,
        store=store,
        customer_name=customer_name,
        address={
            k: order.address.get(k)
            for k in ("label", "line1", "city", "pincode")
            if k in order.address
        },
        lines=billed,
        removed=removed,
        item_count=sum(line.quantity for line in billed),
        subtotal=order.subtotal,
        fees=fees,
        fees_total=order.fees_total,
        delivery_fee=sum(f.amount for f in fees if f.code == "delivery"),
        coupon_code=order.coupon_code,
        discount=order.discount,
        tip=order.tip,
        total=order.total,
        mrp_savings=sum(max(0, line.mrp - line.unit_price) * line.quantity for line in billed),
        payments=list(paid),
        refunds=list(refunds),
        paid=paid_total,
        refunded=refunded,
        net_paid=net_paid,
        balance_due=0 if order.status == OrderStatus.CANCELLED else order.total - net_paid,
        cash=_cash(cash),
    )


async def receipt(
    session: AsyncSession, settings: Settings, principal: Principal, order_id: str
) -> ReceiptRead:
    """The caller's own order's receipt (admins: any order's); anyone else's is not found."""
    order = await lifecycle.customer_order(session, principal, order_id)
    paid, refunds = await payments.money_of_order(session, order.id)
    found = (await catalog.stores(session, settings)).get(order.store_id)
    return compose(
        order,
        await repo.items_of(session, order.id),
        await substitution_repo.substitutions_of(session, order.id),
        paid=paid,
        refunds=refunds,
        cash=await logistics.cash_collected_for_order(session, order.id),
        store=ReceiptStore(
            id=order.store_id,
            name=found.name if found else "",
            address=found.address if found else "",
        ),
        customer_name=(await users.get_user(session, order.customer_id)).name,
    )
