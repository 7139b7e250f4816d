"""The invariant auditor: stock and money, every breach reported (never fixed silently).

Stock: ``reserved`` equals the open reservations and nothing is negative (catalog.stock.audit).
Money: each order's total is subtotal + fees - discount + tip and never negative, its fees add
up, its billed lines (not those the store could not fill or that were substituted) add up to
its subtotal, each at its unit price times its quantity; no substitute is still on offer once
picking is over; and what payments captured (net of refunds) for each order
equals what that order should have been paid: its total once paid (card/UPI: confirmed onward;
cash: once delivered), nothing for unpaid or cancelled orders. Cash: each delivered cash order
has one collection in its rider's ledger, of exactly its total, and no other order has one; each
rider's cash held is the sum of their ledger (collected - settled + adjustments). Money moved by events settles
after the relay runs, so audit a quiet system (tests drain first).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import stock
from kirana.logistics import service as logistics
from kirana.orders import repository as repo
from kirana.orders import state
from kirana.orders.schemas import AuditReport, Breach
from kirana.orders.state import OrderStatus
from kirana.payments import service as payments


def expected_capture(status: str, payment_method: str, total: int) -> int:
    if payment_method == "cod":
        return total if status == OrderStatus.DELIVERED else 0
    return total if status in state.PAID_STATUSES else 0


def order_breaches(row: Any, item_sum: int) -> list[Breach]:
    """What is wrong with one order's own arithmetic."""
    found: list[Breach] = []
    data = {"order_id": row.id, "number": row.number}
    fee_sum = sum(int(f.get("amount", 0)) for f in (row.fees or []))
    expected = row.subtotal + row.fees_total - row.discount + row.tip
    if row.total != expected:
        found.append(
            Breach(
                kind="order_total_mismatch",
                detail=f"{row.number}: total {row.total} != subtotal + fees - discount + tip = {expected}",
                data=data | {"total": row.total, "expected": expected},
            )
        )
    if row.total < 0:
        found.append(
            Breach(
                kind="order_total_negative", detail=f"{row.number}: total {row.total}", data=data
            )
        )
    if fee_sum != row.fees_total:
        found.append(
            Breach(
                kind="order_fees_mismatch",
                detail=f"{row.number}: fee lines add up to {fee_sum}, fees_total is {row.fees_total}",
                data=data | {"fee_lines": fee_sum, "fees_total": row.fees_total},
            )
        )
    if item_sum != row.subtotal:
        found.append(
            Breach(
                kind="order_subtotal_mismatch",
                detail=f"{row.number}: lines add up to {item_sum}, subtotal is {row.subtotal}",
                data=data | {"lines": item_sum, "subtotal": row.subtotal},
            )
        )
    return found


def cash_breaches(row: Any, collected: int | None) -> list[Breach]:
    """A delivered cash order's collection is its total; any other order has none."""
    due = (
        row.total if (row.payment_method == "cod" and row.status == OrderStatus.DELIVERED) else None
    )
    if collected == due:
        return []
    return [
        Breach(
            kind="cash_collected_mismatch",
            detail=(
                f"{row.number} ({row.status}, {row.payment_method}): cash collected"
                f" {'none' if collected is None else collected}, due {'none' if due is None else due}"
            ),
            data={"order_id": row.id, "collected": collected, "due": due},
        )
    ]


async def audit(session: AsyncSession) -> AuditReport:
    breaches: list[Breach] = [
        Breach(
            kind="stock",
            detail=(
                f"store {b.store_id} product {b.product_id}: on_hand {b.on_hand}, "
                f"reserved {b.reserved}, open reservations {b.open_reserved}"
            ),
            data={
                "store_id": b.store_id,
                "product_id": b.product_id,
                "on_hand": b.on_hand,
                "reserved": b.reserved,
                "open_reserved": b.open_reserved,
            },
        )
        for b in await stock.audit(session)
    ]
    for line in await repo.mispriced_lines(session):
        breaches.append(
            Breach(
                kind="line_total_mismatch",
                detail=f"order {line.order_id} line {line.name}: total {line.line_total} is not unit price x quantity",
                data={"order_id": line.order_id, "line_id": line.id, "line_total": line.line_total},
            )
        )
    for left in await repo.proposals_left_open(session):
        breaches.append(
            Breach(
                kind="substitution_left_open",
                detail=f"{left.number} ({left.status}): substitution {left.id} still proposed",
                data={"order_id": left.order_id, "substitution_id": left.id},
            )
        )
    rows = await repo.money_rows(session)
    sums = await repo.item_sums(session)
    captured = await payments.captured_by_order(session)
    collected, held_mismatches = await logistics.cash_audit(session)
    expected_total = 0
    for row in rows:
        breaches.extend(order_breaches(row, sums.get(row.id, 0)))
        breaches.extend(cash_breaches(row, collected.pop(row.id, None)))
        expected = expected_capture(row.status, row.payment_method, row.total)
        expected_total += expected
        got = captured.pop(row.id, 0)
        if got != expected:
            breaches.append(
                Breach(
                    kind="captured_mismatch",
                    detail=f"{row.number} ({row.status}, {row.payment_method}): captured {got}, expected {expected}",
                    data={"order_id": row.id, "captured": got, "expected": expected},
                )
            )
    for order_id, got in captured.items():
        if got:
            breaches.append(
                Breach(
                    kind="captured_without_order",
                    detail=f"{got} captured for unknown order {order_id}",
                    data={"order_id": order_id, "captured": got},
                )
            )
    for order_id, amount in collected.items():
        breaches.append(
            Breach(
                kind="cash_without_order",
                detail=f"{amount} cash collected for unknown order {order_id}",
                data={"order_id": order_id, "collected": amount},
            )
        )
    for m in held_mismatches:
        breaches.append(
            Breach(
                kind="cash_held_mismatch",
                detail=f"rider {m.name or m.rider_id} holds {m.cash_held}, the ledger adds up to {m.ledger_total}",
                data={"rider_id": m.rider_id, "cash_held": m.cash_held, "ledger": m.ledger_total},
            )
        )
    total_captured = await payments.sum_captured(session)
    if total_captured != expected_total:
        breaches.append(
            Breach(
                kind="captured_total_mismatch",
                detail=f"captured {total_captured} in all, paid orders total {expected_total}",
                data={"captured": total_captured, "expected": expected_total},
            )
        )
    return AuditReport(ok=not breaches, breaches=breaches)
