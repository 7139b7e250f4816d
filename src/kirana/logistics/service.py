"""The logistics service's public interface: riders and their shifts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.errors import Conflict, ValidationFailed
from kirana.kit.ids import new_id
from kirana.logistics.models import Rider

VEHICLES = ("bicycle", "scooter", "motorbike", "on_foot")


async def create_rider(
    session: AsyncSession, *, user_id: str, store_id: str, vehicle: str = "scooter"
) -> Rider:
    if vehicle not in VEHICLES:
        raise ValidationFailed(
            f"vehicle must be one of {', '.join(VEHICLES)}", code="invalid_vehicle"
        )
    existing = await session.execute(select(Rider.id).where(Rider.user_id == user_id))
    if existing.first() is not None:
        raise Conflict("This user is a rider already", code="rider_exists")
    rider = Rider(id=new_id(), user_id=user_id, store_id=store_id, vehicle=vehicle)
    session.add(rider)
    await session.flush()
    return rider
