"""The riders' cash ledgers: cash collected at cash-on-delivery hand-overs, deposits admins take
from riders (settlements) and adjustments, and the cash each rider holds now.

Every entry moves ``riders.cash_held`` with one conditional update (never below zero) and is
written in the same transaction, so the balance is always the sum of the ledger, and two
settlements raced for the same cash settle it once: the second finds too little held (409).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock, market
from kirana.kit.errors import Conflict, NotFound, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.money import Money
from kirana.kit.pagination import DEFAULT_LIMIT, decode_cursor, encode_cursor
from kirana.logistics import cash_repository as cash_repo
from kirana.logistics import repository as repo
from kirana.logistics.models import Rider, RiderCashEntry
from kirana.logistics.schemas import (
    AdjustmentIn,
    CashEntryRead,
    CashLedger,
    CashTendered,
    SettlementIn,
)
from kirana.users import service as users


class CashMismatch(ValidationFailed):
    code = "cash_mismatch"
    title = "The cash does not add up"


class CashNotHeld(Conflict):
    code = "cash_exceeds_held"
    title = "More than the rider holds"


@dataclass(frozen=True, slots=True)
class Collection:
    """Cash checked against an order's amount due, ready to be written at the hand-over."""

    amount: int
    tendered: int
    change: int
    currency: str


def check_collection(
    cash: CashTendered | None, *, payment_method: str, due: int, currency: str
) -> Collection | None:
    """What the rider says was handed over, checked against the amount due (422 otherwise);
    None for an order paid online. Omitted cash on a cash order means the exact amount."""
    if payment_method != "cod":
        if cash is not None:
            raise ValidationFailed(
                "This order was paid online; there is no cash to collect, leave cash out",
                code="cash_not_due",
            )
        return None
    if cash is None:
        return Collection(due, due, 0, currency)

    def words(amount: int) -> str:
        return Money(amount, currency).format()

    change = cash.tendered - due if cash.change is None else cash.change
    if cash.tendered < due:
        raise CashMismatch(
            f"{words(due)} is due but only {words(cash.tendered)} was tendered;"
            " collect the rest before handing over",
            extra={"due": due},
        )
    if cash.tendered - change != due:
        raise CashMismatch(
            f"{words(cash.tendered)} tendered less {words(change)} change is"
            f" {words(cash.tendered - change)}, but {words(due)} is due; check the change",
            extra={"due": due, "expected_change": cash.tendered - due},
        )
    return Collection(due, cash.tendered, change, currency)


async def record_collection(
    session: AsyncSession,
    rider: Rider,
    collection: Collection,
    *,
    order_id: str,
    delivery_id: str,
) -> None:
    """The rider took ``collection`` for ``order_id``: it joins the cash they hold."""
    held = await cash_repo.move_cash_held(session, rider.id, collection.amount)
    assert held is not None  # adding a non-negative amount cannot go below zero
    await cash_repo.add_cash_entry(
        session,
        RiderCashEntry(
            id=new_id(),
            rider_id=rider.id,
            kind="collected",
            amount=collection.amount,
            currency=collection.currency,
            held_after=held,
            order_id=order_id,
            delivery_id=delivery_id,
            tendered=collection.tendered,
            change_given=collection.change,
            actor_id=rider.user_id,
            actor_name=rider.name,
            at=clock.now(),
        ),
    )


async def _rider(session: AsyncSession, rider_id: str, *, lock: bool = False) -> Rider:
    rider = await repo.rider_by_id(session, rider_id, lock=lock)
    if rider is None:
        raise NotFound("No such rider", code="rider_not_found")
    return rider


async def _record(
    session: AsyncSession,
    rider_id: str,
    *,
    kind: str,
    amount: int,
    note: str | None,
    actor_id: str,
    idempotency_key: str | None,
) -> CashEntryRead:
    # The rider's row is locked first: a second request with the same key waits here, then
    # finds the first one's entry and answers with it.
    rider = await _rider(session, rider_id, lock=True)
    if idempotency_key is not None:
        first = await cash_repo.cash_entry_by_key(session, rider.id, idempotency_key)
        if first is not None:
            if (first.kind, first.amount) != (kind, amount):
                raise ValidationFailed(
                    "This Idempotency-Key was used with another body",
                    code="idempotency_key_reused",
                )
            return entry_read(first)
    currency = market.current().currency
    held = await cash_repo.move_cash_held(session, rider.id, amount)
    if held is None:
        raise CashNotHeld(
            f"{rider.name or 'The rider'} holds {Money(rider.cash_held, currency).format()};"
            f" record no more than that",
            extra={"cash_held": rider.cash_held},
        )
    entry = RiderCashEntry(
        id=new_id(),
        rider_id=rider.id,
        kind=kind,
        amount=amount,
        currency=currency,
        held_after=held,
        actor_id=actor_id,
        actor_name=(await users.get_user(session, actor_id)).name,
        note=note,
        idempotency_key=idempotency_key,
        at=clock.now(),
    )
    await cash_repo.add_cash_entry(session, entry)
    return entry_read(entry)


async def settle(
    session: AsyncSession,
    rider_id: str,
    body: SettlementIn,
    *,
    admin_id: str,
    idempotency_key: str | None = None,
) -> CashEntryRead:
    """An admin took ``body.amount`` of cash from the rider; refused (409) beyond what is held."""
    return await _record(
        session,
        rider_id,
        kind="settled",
        amount=-body.amount,
        note=body.note,
        actor_id=admin_id,
        idempotency_key=idempotency_key,
    )


async def adjust(
    session: AsyncSession,
    rider_id: str,
    body: AdjustmentIn,
    *,
    admin_id: str,
    idempotency_key: str | None = None,
) -> CashEntryRead:
    """An admin corrects the cash held (a miscount), with a reason on the ledger."""
    if body.amount == 0:
        raise ValidationFailed(
            "An adjustment of zero changes nothing; give the amount to add or take off",
            code="invalid_amount",
            errors=[{"field": "amount", "message": "must not be zero"}],
        )
    return await _record(
        session,
        rider_id,
        kind="adjustment",
        amount=body.amount,
        note=body.note,
        actor_id=admin_id,
        idempotency_key=idempotency_key,
    )


def entry_read(entry: RiderCashEntry) -> CashEntryRead:
    return CashEntryRead(
        id=entry.id,
        rider_id=entry.rider_id,
        kind=entry.kind,
        amount=entry.amount,
        currency=entry.currency,
        held_after=entry.held_after,
        order_id=entry.order_id,
        tendered=entry.tendered,
        change=entry.change_given,
        by_id=entry.actor_id,
        by_name=entry.actor_name,
        note=entry.note,
        at=entry.at,
    )


async def collection_for_order(session: AsyncSession, order_id: str) -> CashEntryRead | None:
    """The cash collected at an order's hand-over, with what was tendered and the change."""
    entry = await cash_repo.cash_entry_for_order(session, order_id)
    return None if entry is None else entry_read(entry)


async def ledger_of(
    session: AsyncSession, rider: Rider, *, cursor: str | None, limit: int = DEFAULT_LIMIT
) -> CashLedger:
    key = decode_cursor(cursor, 1)
    rows = await cash_repo.cash_entries_page(
        session, rider.id, before_id=str(key[0]) if key else None, limit=limit + 1
    )
    more, rows = len(rows) > limit, rows[:limit]
    totals = await cash_repo.cash_totals_by_kind(session, rider.id)
    return CashLedger(
        rider_id=rider.id,
        name=rider.name,
        store_id=rider.store_id,
        cash_held=rider.cash_held,
        currency=market.current().currency,
        collected_total=totals.get("collected", 0),
        settled_total=-totals.get("settled", 0),
        adjustments_total=totals.get("adjustment", 0),
        items=[entry_read(e) for e in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


async def ledger(
    session: AsyncSession, rider_id: str, *, cursor: str | None, limit: int = DEFAULT_LIMIT
) -> CashLedger:
    """Admin: a rider's cash ledger (404 for an unknown rider)."""
    return await ledger_of(session, await _rider(session, rider_id), cursor=cursor, limit=limit)


@dataclass(frozen=True, slots=True)
class HeldMismatch:
    rider_id: str
    name: str
    cash_held: int
    ledger_total: int


async def audit_rows(session: AsyncSession) -> tuple[dict[str, int], list[HeldMismatch]]:
    """For the money auditor: each collection's amount by order id, and every rider whose cash
    held is not the sum of their ledger."""
    return (
        await cash_repo.cash_collected_by_order(session),
        [HeldMismatch(*row) for row in await cash_repo.cash_held_against_ledger(session)],
    )
