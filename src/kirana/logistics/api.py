"""REST routes of the logistics service: the rider app's endpoints and riders admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from kirana.deps import AdminUser, AppSettings, RiderUser, Session
from kirana.kit.openapi import problems
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from kirana.kit.validation import Latitude, Longitude
from kirana.logistics import cash, fleet, service, team, wayfinding
from kirana.logistics import handlers as _handlers  # noqa: F401  (subscribes to order events)
from kirana.logistics.ports import OrderDesk
from kirana.logistics.schemas import (
    AdjustmentIn,
    CashEntryRead,
    CashLedger,
    DeliveredIn,
    DeliveryRead,
    FleetReport,
    RiderCreate,
    RiderRead,
    RiderRoute,
    RiderTask,
    Serviceability,
    SettlementIn,
    ShiftIn,
    TeamMember,
    TeamMemberCreate,
    TeamMemberUpdate,
    TeamRole,
)

router = APIRouter(prefix="/api/v1", tags=["logistics"])

DeliveryId = Annotated[str, Path(min_length=1, max_length=26)]
RiderId = Annotated[str, Path(min_length=1, max_length=26)]
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=100, description="Same key and body: same answer"),
]


async def _order_desk(request: Request) -> OrderDesk:  # async: no thread-pool hop
    """The orders service, as ``main.create_app`` wired it."""
    desk: OrderDesk = request.app.state.order_desk
    return desk


Orders = Annotated[OrderDesk, Depends(_order_desk)]


@router.get("/serviceability", operation_id="checkServiceability")
async def check_serviceability(
    session: Session,
    settings: AppSettings,
    orders: Orders,
    lat: Annotated[Latitude, Query()],
    lng: Annotated[Longitude, Query()],
) -> Serviceability:
    return await service.serviceability(session, settings, orders, lat, lng)


@router.post(
    "/rider/shift",
    operation_id="setRiderShift",
    description="Go on or off shift. Off shift on a trip: the trip is finished first, no new"
    " one is given, and the shift ends at its last drop (off_after_trip until then).",
)
async def set_shift(body: ShiftIn, principal: RiderUser, session: Session) -> RiderRead:
    return await service.set_shift(session, principal.id, online=body.online)


@router.get("/rider/tasks", operation_id="listRiderTasks", responses=problems(404))
async def list_tasks(principal: RiderUser, session: Session, orders: Orders) -> Page[RiderTask]:
    return await service.rider_tasks(session, orders, principal.id)


@router.get(
    "/rider/route",
    operation_id="getRiderRoute",
    responses=problems(404, 503),
    description="The route to ride now for the current delivery, turn by turn: to the store"
    " until the bag is picked up, then to the drop (404 `no_current_delivery` when there is none).",
)
async def rider_route(
    principal: RiderUser, session: Session, orders: Orders, settings: AppSettings
) -> RiderRoute:
    return await wayfinding.current_route(session, orders, settings, principal.id)


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
    return await service.mark_delivered(
        session, orders, principal.id, delivery_id, otp=body.otp, cash_tendered=body.cash
    )


@router.get("/rider/cash", operation_id="getRiderCash")
async def rider_cash(
    principal: RiderUser, session: Session, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> CashLedger:
    return await service.my_cash(session, principal.id, cursor=cursor, limit=limit)


@router.post("/admin/riders", status_code=201, operation_id="createRider")
async def create_rider(body: RiderCreate, _: AdminUser, session: Session) -> RiderRead:
    return await service.register_rider(session, body)


@router.post(
    "/admin/team",
    status_code=201,
    operation_id="onboardTeamMember",
    responses=problems(404, 409),
    description="Add a picker (store_staff) or a rider to a store. The account has no"
    " password: the person signs in with a code sent to the phone (/auth/otp).",
)
async def onboard_team_member(body: TeamMemberCreate, _: AdminUser, session: Session) -> TeamMember:
    return await team.onboard(session, body)


@router.get("/admin/team", operation_id="listTeam")
async def list_team(
    _: AdminUser,
    session: Session,
    role: TeamRole | None = None,
    store_id: Annotated[str | None, Query(min_length=1, max_length=26)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[TeamMember]:
    return await team.team(session, role=role, store_id=store_id, cursor=cursor, limit=limit)


@router.patch(
    "/admin/team/{user_id}",
    operation_id="updateTeamMember",
    responses=problems(404, 409),
    description="Move someone to another store, rename them, change a rider's vehicle, or"
    " deactivate the account (it is refused at once; a rider's shift ends). A rider on a"
    " delivery is 409 delivery_in_progress.",
)
async def update_team_member(
    user_id: Annotated[str, Path(min_length=1, max_length=26)],
    body: TeamMemberUpdate,
    _: AdminUser,
    session: Session,
) -> TeamMember:
    return await team.update_member(session, user_id, body)


@router.get("/admin/riders", operation_id="listRiders")
async def list_riders(
    _: AdminUser,
    session: Session,
    store_id: Annotated[str | None, Query(min_length=1, max_length=26)] = None,
    holding_cash: Annotated[bool, Query(description="Only riders holding cash")] = False,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[RiderRead]:
    return await service.list_riders(
        session, store_id=store_id, cursor=cursor, limit=limit, holding_cash=holding_cash
    )


@router.get("/admin/fleet", operation_id="fleetReport")
async def fleet_report(
    _: AdminUser,
    session: Session,
    since: Annotated[
        datetime | None, Query(description="Start of the window (default: 24 hours before until)")
    ] = None,
    until: Annotated[datetime | None, Query(description="End of the window (default: now)")] = None,
    store_id: Annotated[str | None, Query(min_length=1, max_length=26)] = None,
) -> FleetReport:
    """Each rider's time on shift, busy and idle, utilisation, orders per rider-hour and
    distance per order over a window of at most 31 days, and the fleet's totals."""
    return await fleet.report(session, since=since, until=until, store_id=store_id)


@router.get("/admin/riders/{rider_id}/cash", operation_id="adminRiderCash")
async def admin_rider_cash(
    rider_id: RiderId,
    _: AdminUser,
    session: Session,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> CashLedger:
    return await cash.ledger(session, rider_id, cursor=cursor, limit=limit)


# The same key and body answer with the first settlement; without a key, two requests settle
# twice if the rider holds enough for both.
@router.post(
    "/admin/riders/{rider_id}/cash/settlements",
    status_code=201,
    operation_id="settleRiderCash",
    responses=problems(404, 409),
)
async def settle_rider_cash(
    rider_id: RiderId,
    body: SettlementIn,
    principal: AdminUser,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> CashEntryRead:
    return await cash.settle(
        session,
        rider_id,
        body,
        admin_id=principal.id,
        idempotency_key=idempotency_key,
    )


@router.post(
    "/admin/riders/{rider_id}/cash/adjustments",
    status_code=201,
    operation_id="adjustRiderCash",
    responses=problems(404, 409),
)
async def adjust_rider_cash(
    rider_id: RiderId,
    body: AdjustmentIn,
    principal: AdminUser,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> CashEntryRead:
    return await cash.adjust(
        session,
        rider_id,
        body,
        admin_id=principal.id,
        idempotency_key=idempotency_key,
    )


@router.post("/admin/deliveries/{delivery_id}/unlock", operation_id="unlockDelivery")
async def unlock_delivery(delivery_id: DeliveryId, _: AdminUser, session: Session) -> DeliveryRead:
    return await service.unlock_delivery(session, delivery_id)
