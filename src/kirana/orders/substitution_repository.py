"""Queries of substitutions: an order's lines as the store fills them, and the substitutes
proposed to the customer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.orders.models import OrderItem, OrderSubstitution
from kirana.orders.state import SubstitutionStatus


async def line_of(
    session: AsyncSession, order_id: str, line_id: str, *, lock: bool = False
) -> OrderItem | None:
    query = select(OrderItem).where(OrderItem.id == line_id, OrderItem.order_id == order_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def add_line(session: AsyncSession, line: OrderItem) -> None:
    session.add(line)
    await session.flush()


async def substitutions_of(session: AsyncSession, order_id: str) -> list[OrderSubstitution]:
    rows = await session.execute(
        select(OrderSubstitution)
        .where(OrderSubstitution.order_id == order_id)
        .order_by(OrderSubstitution.created_at.desc(), OrderSubstitution.id.desc())
    )
    return list(rows.scalars())


async def substitution_of(
    session: AsyncSession, order_id: str, substitution_id: str
) -> OrderSubstitution | None:
    query = select(OrderSubstitution).where(
        OrderSubstitution.id == substitution_id, OrderSubstitution.order_id == order_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def add_substitution(session: AsyncSession, row: OrderSubstitution) -> None:
    session.add(row)
    await session.flush()


async def open_proposals(session: AsyncSession, order_id: str) -> list[OrderSubstitution]:
    rows = await session.execute(
        select(OrderSubstitution).where(
            OrderSubstitution.order_id == order_id,
            OrderSubstitution.status == SubstitutionStatus.PROPOSED,
        )
    )
    return list(rows.scalars())


async def lapse_open_proposals(session: AsyncSession, order_id: str, at: datetime) -> None:
    """Close every proposal of an order that is being cancelled, unanswered."""
    await session.execute(
        update(OrderSubstitution)
        .where(
            OrderSubstitution.order_id == order_id,
            OrderSubstitution.status == SubstitutionStatus.PROPOSED,
        )
        .values(status=SubstitutionStatus.LAPSED, decided_at=at, decided_by="system")
    )


async def due_proposals(session: AsyncSession, now: datetime, limit: int = 200) -> list[Any]:
    """(id, order_id) of proposals unanswered at ``now``, oldest first."""
    rows = await session.execute(
        select(OrderSubstitution.id, OrderSubstitution.order_id)
        .where(
            OrderSubstitution.status == SubstitutionStatus.PROPOSED,
            OrderSubstitution.expires_at <= now,
        )
        .order_by(OrderSubstitution.expires_at, OrderSubstitution.id)
        .limit(limit)
    )
    return list(rows)
