"""The way a rider rides now: from where they are to the store until the bag is picked up,
then on to the drop, over the streets for the rider's vehicle (kirana.maps)."""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit.errors import NotFound
from kirana.logistics import locations, service
from kirana.logistics import repository as repo
from kirana.logistics.ports import OrderDesk
from kirana.logistics.schemas import RiderRoute
from kirana.logistics.state import DeliveryStatus
from kirana.maps import LatLng, Vehicle
from kirana.maps import service as maps


async def current_route(
    session: AsyncSession, orders: OrderDesk, settings: Settings, user_id: str
) -> RiderRoute:
    """The route of the rider's first active delivery (404 when they have none)."""
    tasks = (await service.rider_tasks(session, orders, user_id)).items
    rider = await repo.rider_by_user(session, user_id)
    if not tasks or rider is None:
        raise NotFound("You have no delivery to ride now", code="no_current_delivery")
    task = tasks[0]
    fix = await locations.current().get(rider.id)
    here: LatLng | None = (
        (fix.lat, fix.lng)
        if fix is not None
        else (rider.lat, rider.lng)
        if rider.lat is not None and rider.lng is not None
        else None
    )
    store: LatLng = (task.store.lat, task.store.lng)
    drop: LatLng = (task.drop.lat, task.drop.lng)
    heading: Literal["store", "drop"] = "store"
    if task.status == DeliveryStatus.PICKED_UP:
        heading = "drop"
        waypoints, labels = [here or store, drop], [task.drop.line1]
    elif here is None:  # no fix yet: the rider is waiting at the store
        waypoints, labels = [store, drop], [task.drop.line1]
    else:
        waypoints, labels = [here, store, drop], [task.store.name, task.drop.line1]
    route = await maps.route(settings, waypoints, cast(Vehicle, rider.vehicle), labels)
    return RiderRoute(
        delivery_id=task.delivery_id,
        order_number=task.order_number,
        heading_to=heading,
        route=route,
    )
