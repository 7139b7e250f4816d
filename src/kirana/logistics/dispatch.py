"""Dispatch: give each confirmed order the nearest idle online rider of its store.

Nearest is straight-line (haversine) distance from the rider's last position (the location
index's, else the sample on the rider's row) to the store; a rider who has not sent a position
yet is taken to be at the store. With no idle rider the
delivery waits and is assigned, oldest first, when a rider of the store comes online or frees
up (and by a periodic sweep, which also catches a wakeup lost to a concurrent transaction).

Double assignment is impossible by construction: a rider is claimed with a conditional update
(``current_delivery_id IS NULL``), a delivery with another (still waiting), candidate
rows held by a concurrent dispatcher are skipped rather than waited on, and a partial unique
index allows one active delivery per rider.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog.geo import haversine_m
from kirana.kit import clock
from kirana.kit.outbox import emit
from kirana.logistics import locations
from kirana.logistics import repository as repo
from kirana.logistics.models import Delivery, Rider
from kirana.logistics.state import DeliveryStatus, sources


def distance_to_store(
    rider: Rider,
    store_lat: float | None,
    store_lng: float | None,
    fix: locations.Fix | None = None,
) -> float:
    """From the rider's freshest position (the location index's, else the row's sample)."""
    lat, lng = (fix.lat, fix.lng) if fix is not None else (rider.lat, rider.lng)
    if lat is None or lng is None or store_lat is None or store_lng is None:
        return 0.0  # no fix yet: the rider is waiting at the store
    return haversine_m(lat, lng, store_lat, store_lng)


def by_distance(
    riders: list[Rider],
    store_lat: float | None,
    store_lng: float | None,
    fixes: dict[str, locations.Fix] | None = None,
) -> list[Rider]:
    fixes = fixes or {}
    return sorted(
        riders,
        key=lambda r: (distance_to_store(r, store_lat, store_lng, fixes.get(r.id)), r.id),
    )


async def _assign(
    session: AsyncSession, delivery: Delivery, candidates: list[Rider]
) -> Rider | None:
    """Give ``delivery`` the first candidate that can still be claimed."""
    for rider in candidates:
        if not await repo.claim_rider(session, rider.id, delivery.id):
            continue
        now = clock.now()
        if not await repo.move_delivery(
            session,
            delivery.id,
            from_statuses=sources(DeliveryStatus.ASSIGNED),
            status=DeliveryStatus.ASSIGNED,
            rider_id=rider.id,
            assigned_at=now,
            updated_at=now,
        ):
            await repo.release_rider(session, rider.id, delivery.id)
            return None  # someone else assigned or cancelled it meanwhile
        await emit(
            session,
            "delivery.assigned",
            {
                "delivery_id": delivery.id,
                "order_id": delivery.order_id,
                "rider_id": rider.id,
                "rider_user_id": rider.user_id,
                "store_id": delivery.store_id,
            },
        )
        return rider
    return None


async def dispatch_waiting(
    session: AsyncSession,
    store_id: str,
    *,
    store_lat: float | None = None,
    store_lng: float | None = None,
) -> int:
    """Assign the store's waiting deliveries, oldest first, while idle riders remain."""
    riders = await repo.idle_riders(session, store_id)
    if not riders:
        return 0
    assigned = 0
    fixes = await locations.current().many([r.id for r in riders])
    for delivery in await repo.waiting_deliveries(session, store_id, limit=len(riders)):
        rider = await _assign(session, delivery, by_distance(riders, store_lat, store_lng, fixes))
        if rider is None:
            continue
        assigned += 1
        riders = [r for r in riders if r.id != rider.id]
        if not riders:
            break
    return assigned
