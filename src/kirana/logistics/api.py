"""REST routes of the logistics service: the rider app's endpoints and riders admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from kirana.deps import AdminUser, AppSettings, RiderUser, Session
from kirana.kit.openapi import problems
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from kirana.kit.validation import Latitude, Longitude
from kirana.logistics import handlers as _handlers  # noqa: F401  (subscribes to order events)
from kirana.logistics import service
from kirana.logistics.ports import OrderDesk
from kirana.logistics.schemas import (
    DeliveredIn,
    DeliveryRead,
    RiderCreate,
    RiderRead,
    RiderTask,
    Serviceability,
    ShiftIn,
)

router = APIRouter(prefix="/api/v1", tags=["logistics"])

DeliveryId = Annotated[str, Path(min_length=1, max_length=26)]


async def _order_desk(request: Request) -> OrderDesk:  # async: no thread-pool hop
    """The orders service, as ``main.create_app`` wired it."""
    desk: OrderDesk = request.app.state.order_desk
    return desk


Orders = Annotated[OrderDesk, Depends(_order_desk)]


@router.get("/serviceability", operation_id="checkServiceability")
async def check_serviceability(
    session: Session,
    settings: AppSettings,
    lat: Annotated[Latitude, Query()],
    lng: Annotated[Longitude, Query()],
) -> Serviceability:
    return await service.serviceability(session, settings, lat, lng)


@router.post("/rider/shift", operation_id="setRiderShift")
async def set_shift(body: ShiftIn, principal: RiderUser, session: Session) -> RiderRead:
    return await service.set_shift(session, principal.id, online=body.online)


@router.get("/rider/tasks", operation_id="listRiderTasks", responses=problems(404))
async def list_tasks(principal: RiderUser, session: Session, orders: Orders) -> Page[RiderTask]:
    return await service.rider_tasks(session, orders, principal.id)


@router.post("/rider/deliveries/{delivery_id}/picked-up", operation_id="markPickedUp")
async def picked_up(
    delivery_id: DeliveryId, principal: RiderUser, session: Session, orders: Orders
) -> DeliveryRead:
    return await service.mark_picked_up(session, orders, principal.id, delivery_id)


@router.post(
    "/rider/deliveries/{delivery_id}/delivered",
    operation_id="markDelivered",
    responses=problems(423),
)
async def delivered(
    delivery_id: DeliveryId,
    body: DeliveredIn,
    principal: RiderUser,
    session: Session,
    orders: Orders,
) -> DeliveryRead:
    return await service.mark_delivered(session, orders, principal.id, delivery_id, otp=body.otp)


@router.post("/admin/riders", status_code=201, operation_id="createRider")
async def create_rider(body: RiderCreate, _: AdminUser, session: Session) -> RiderRead:
    return await service.register_rider(session, body)


@router.get("/admin/riders", operation_id="listRiders")
async def list_riders(
    _: AdminUser,
    session: Session,
    store_id: Annotated[str | None, Query(min_length=1, max_length=26)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[RiderRead]:
    return await service.list_riders(session, store_id=store_id, cursor=cursor, limit=limit)


@router.post("/admin/deliveries/{delivery_id}/unlock", operation_id="unlockDelivery")
async def unlock_delivery(delivery_id: DeliveryId, _: AdminUser, session: Session) -> DeliveryRead:
    return await service.unlock_delivery(session, delivery_id)
