"""Every query of the logistics service about deliveries: opened, found, moved through their
states, and the trail their riders leave (riders: repository; trips: trips_repository)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.cache import CACHE_KEYS, CACHE_NEUTRAL, forget_after_commit
from kirana.logistics.models import Delivery, Rider, RiderBreadcrumb
from kirana.logistics.repository import RIDER_STATES, rowcount
from kirana.logistics.state import ACTIVE_STATUSES, DeliveryStatus


async def add_deliveries(session: AsyncSession, deliveries: Sequence[Delivery]) -> None:
    session.add_all(deliveries)
    await session.flush()


async def orders_with_delivery(session: AsyncSession, order_ids: Sequence[str]) -> set[str]:
    """Which of ``order_ids`` have a delivery already."""
    if not order_ids:
        return set()
    rows = await session.execute(
        select(Delivery.order_id).where(Delivery.order_id.in_(sorted(set(order_ids))))
    )
    return set(rows.scalars())


async def delivery_by_id(
    session: AsyncSession, delivery_id: str, *, lock: bool = False
) -> Delivery | None:
    query = (
        select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def delivery_by_order(
    session: AsyncSession, order_id: str, *, lock: bool = False
) -> Delivery | None:
    query = (
        select(Delivery)
        .where(Delivery.order_id == order_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def deliveries_by_ids(session: AsyncSession, ids: Sequence[str]) -> dict[str, Delivery]:
    if not ids:
        return {}
    rows = await session.execute(select(Delivery).where(Delivery.id.in_(list(ids))))
    return {d.id: d for d in rows.scalars()}


async def active_deliveries_of(session: AsyncSession, rider_id: str) -> list[Delivery]:
    """The rider's drops not yet handed over, in the trip's order."""
    rows = await session.execute(
        select(Delivery)
        .where(Delivery.rider_id == rider_id, Delivery.status.in_(ACTIVE_STATUSES))
        .order_by(Delivery.trip_seq, Delivery.created_at, Delivery.id)
    )
    return list(rows.scalars())


async def record_packed(session: AsyncSession, order_id: str, at: datetime) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.order_id == order_id, Delivery.packed_at.is_(None))
        .values(packed_at=at)
        .execution_options(**{CACHE_NEUTRAL: True})  # nothing a rider's state holds
    )


async def pick_after_of(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, datetime]:
    """When the store should start picking each order, where dispatch planned a later start."""
    if not order_ids:
        return {}
    rows = await session.execute(
        select(Delivery.order_id, Delivery.pick_after).where(
            Delivery.order_id.in_(list(order_ids)), Delivery.pick_after.is_not(None)
        )
    )
    return {str(o): at for o, at in rows.all() if at is not None}


async def waiting_deliveries(session: AsyncSession, store_id: str, limit: int) -> list[Delivery]:
    """The store's oldest unassigned deliveries, skipping rows another dispatcher holds."""
    rows = await session.execute(
        select(Delivery)
        .where(Delivery.store_id == store_id, Delivery.status == DeliveryStatus.WAITING)
        .order_by(Delivery.created_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def stores_with_waiting(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        select(Delivery.store_id).where(Delivery.status == DeliveryStatus.WAITING).distinct()
    )
    return [r[0] for r in rows.all()]


async def move_delivery(
    session: AsyncSession,
    delivery_id: str,
    *,
    from_statuses: Sequence[DeliveryStatus],
    **values: Any,
) -> bool:
    """Conditionally move a delivery; False if it was no longer in ``from_statuses``. The
    state of the rider on it is forgotten (of every rider, if the move changes the rider)."""
    statement = (
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(list(from_statuses)))
        .values(**values)
    )
    if "rider_id" in values:
        return rowcount(await session.execute(statement)) == 1
    moved = (
        await session.execute(
            statement.returning(Delivery.rider_id).execution_options(
                **{CACHE_KEYS: {RIDER_STATES: ()}}
            )
        )
    ).first()
    if moved is not None and moved[0] is not None:
        forget_after_commit(session, RIDER_STATES, [moved[0]])
    return moved is not None


async def count_wrong_otp(
    session: AsyncSession, delivery_id: str, *, lock_at: int, at: datetime
) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            otp_attempts=Delivery.otp_attempts + 1,
            locked=Delivery.otp_attempts + 1 >= lock_at,
            updated_at=at,
        )
        .execution_options(**{CACHE_NEUTRAL: True})  # nothing a rider's state holds
    )


async def rider_on_order(session: AsyncSession, order_id: str) -> tuple[Delivery, Rider] | None:
    row = (
        await session.execute(
            select(Delivery, Rider)
            .join(Rider, Rider.id == Delivery.rider_id)
            .where(Delivery.order_id == order_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def last_breadcrumb_at(session: AsyncSession, delivery_id: str) -> datetime | None:
    value: datetime | None = await session.scalar(
        select(func.max(RiderBreadcrumb.recorded_at)).where(
            RiderBreadcrumb.delivery_id == delivery_id
        )
    )
    return value


async def add_breadcrumb(session: AsyncSession, crumb: RiderBreadcrumb) -> None:
    session.add(crumb)
    await session.flush()


async def breadcrumbs_of(session: AsyncSession, delivery_id: str) -> list[RiderBreadcrumb]:
    rows = await session.execute(
        select(RiderBreadcrumb)
        .where(RiderBreadcrumb.delivery_id == delivery_id)
        .order_by(RiderBreadcrumb.recorded_at, RiderBreadcrumb.id)
    )
    return list(rows.scalars())
