"""Every query of the riders' cash ledgers: the cash each rider holds, its entries, and what
the auditor checks them against."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.logistics.models import Rider, RiderCashEntry
from kirana.logistics.repository import only_rider


async def move_cash_held(session: AsyncSession, rider_id: str, amount: int) -> int | None:
    """Add ``amount`` (signed) to the cash the rider holds unless that would take it below zero;
    the new balance, or None (nothing changed)."""
    result = await session.execute(
        update(Rider)
        .where(Rider.id == rider_id, Rider.cash_held + amount >= 0)
        .values(cash_held=Rider.cash_held + amount)
        .returning(Rider.cash_held)
        .execution_options(**only_rider(rider_id))
    )
    held = result.scalar_one_or_none()
    return None if held is None else int(held)


async def add_cash_entry(session: AsyncSession, entry: RiderCashEntry) -> None:
    session.add(entry)
    await session.flush()


async def cash_entry_by_key(
    session: AsyncSession, rider_id: str, key: str
) -> RiderCashEntry | None:
    query = select(RiderCashEntry).where(
        RiderCashEntry.rider_id == rider_id, RiderCashEntry.idempotency_key == key
    )
    return (await session.execute(query)).scalar_one_or_none()


async def cash_entry_for_order(session: AsyncSession, order_id: str) -> RiderCashEntry | None:
    query = select(RiderCashEntry).where(RiderCashEntry.order_id == order_id)
    return (await session.execute(query)).scalar_one_or_none()


async def cash_entries_page(
    session: AsyncSession, rider_id: str, *, before_id: str | None, limit: int
) -> list[RiderCashEntry]:
    """The rider's ledger, newest first."""
    query = (
        select(RiderCashEntry)
        .where(RiderCashEntry.rider_id == rider_id)
        .order_by(RiderCashEntry.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(RiderCashEntry.id < before_id)
    return list((await session.execute(query)).scalars())


async def cash_totals_by_kind(session: AsyncSession, rider_id: str) -> dict[str, int]:
    rows = await session.execute(
        select(RiderCashEntry.kind, func.sum(RiderCashEntry.amount))
        .where(RiderCashEntry.rider_id == rider_id)
        .group_by(RiderCashEntry.kind)
    )
    return {kind: int(total or 0) for kind, total in rows.all()}


async def cash_collected_by_order(session: AsyncSession) -> dict[str, int]:
    """Every collection's amount, by order id (for the auditor)."""
    rows = await session.execute(
        select(RiderCashEntry.order_id, RiderCashEntry.amount).where(
            RiderCashEntry.kind == "collected"
        )
    )
    return {str(order_id): int(amount) for order_id, amount in rows.all()}


async def cash_held_against_ledger(session: AsyncSession) -> list[tuple[str, str, int, int]]:
    """(rider id, name, cash held, sum of the ledger) for every rider whose two differ."""
    ledger = (
        select(RiderCashEntry.rider_id, func.sum(RiderCashEntry.amount).label("total"))
        .group_by(RiderCashEntry.rider_id)
        .subquery()
    )
    total = func.coalesce(ledger.c.total, 0)
    rows = await session.execute(
        select(Rider.id, Rider.name, Rider.cash_held, total)
        .outerjoin(ledger, ledger.c.rider_id == Rider.id)
        .where(Rider.cash_held != total)
    )
    return [(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows.all()]
