"""The people who run a store: pickers (store staff) and riders, onboarded by admins.

An admin adds someone with a role, a phone and a store; the account has no password anyone
knows, so the person signs in with a code sent to that phone (``/auth/otp``). Moving someone to
another store or deactivating them counts at once: every request reads the account, and a
rider's shift at the old store ends. A rider on a delivery is neither moved nor deactivated
until it is finished."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.kit import clock, security
from kirana.kit.errors import Conflict, NotFound, ValidationFailed
from kirana.kit.pagination import Page, decode_cursor, id_page
from kirana.logistics import repository as repo
from kirana.logistics.models import Rider
from kirana.logistics.schemas import (
    TeamMember,
    TeamMemberCreate,
    TeamMemberUpdate,
    TeamRole,
)
from kirana.logistics.service import create_rider
from kirana.users import service as users
from kirana.users.models import User

TEAM_ROLES: tuple[TeamRole, ...] = ("store_staff", "rider")


def _member(user: User, rider: Rider | None) -> TeamMember:
    return TeamMember(
        user_id=user.id,
        role=user.role,
        phone=user.phone,
        name=user.name,
        store_id=user.store_id,
        is_active=user.is_active,
        created_at=user.created_at,
        rider_id=rider.id if rider else None,
        vehicle=rider.vehicle if rider else None,
        is_online=rider.is_online if rider else None,
    )


async def onboard(session: AsyncSession, data: TeamMemberCreate) -> TeamMember:
    if data.role != "rider" and data.vehicle is not None:
        raise ValidationFailed("Only a rider has a vehicle", code="vehicle_for_rider_only")
    await catalog.get_admin_store(session, data.store_id)  # 404 store_not_found
    user = await users.create_user(
        session,
        phone=data.phone,
        password=security.new_opaque_token(),
        name=data.name,
        role=data.role,
        store_id=data.store_id,
    )
    rider = None
    if data.role == "rider":
        rider = await create_rider(
            session, user_id=user.id, store_id=data.store_id, vehicle=data.vehicle or "scooter"
        )
    return _member(user, rider)


async def team(
    session: AsyncSession,
    *,
    role: TeamRole | None,
    store_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[TeamMember]:
    key = decode_cursor(cursor, 1)
    rows = await repo.team_page(
        session,
        roles=[role] if role else TEAM_ROLES,
        store_id=store_id,
        after_id=str(key[0]) if key else None,
        limit=limit + 1,
    )
    return id_page(rows, limit, lambda row: _member(*row), key=lambda row: row[0].id)


async def _team_member(session: AsyncSession, user_id: str) -> tuple[User, Rider | None]:
    user = await users.find_user(session, user_id)
    if user is None or user.role not in TEAM_ROLES:
        raise NotFound("No store staff or rider with this id", code="team_member_not_found")
    rider = await repo.rider_by_user(session, user.id, lock=True)
    return user, rider


async def update_member(session: AsyncSession, user_id: str, data: TeamMemberUpdate) -> TeamMember:
    changes = data.model_dump(exclude_unset=True)
    if not changes or any(v is None for v in changes.values()):
        raise ValidationFailed(
            "Say what changes: name, store_id, vehicle or is_active (none may be null)",
            code="nothing_to_change",
        )
    user, rider = await _team_member(session, user_id)
    if "vehicle" in changes and rider is None:
        raise ValidationFailed("Only a rider has a vehicle", code="vehicle_for_rider_only")
    leaving = ("store_id" in changes and changes["store_id"] != user.store_id) or (
        changes.get("is_active") is False and user.is_active
    )
    if leaving and rider is not None:
        if rider.current_delivery_id is not None:
            raise Conflict(
                "This rider is on a delivery; move or deactivate them once it is finished",
                code="delivery_in_progress",
            )
        if rider.is_online:  # the shift at this store ends here
            await repo.set_online(session, rider.id, False, clock.now())
            rider.is_online = False
    if "store_id" in changes:
        await catalog.get_admin_store(session, changes["store_id"])  # 404 store_not_found
        user.store_id = changes["store_id"]
        if rider is not None:
            rider.store_id = changes["store_id"]
    if "name" in changes:
        user.name = changes["name"]
        if rider is not None:
            rider.name = changes["name"]
    if "vehicle" in changes and rider is not None:
        rider.vehicle = changes["vehicle"]
    if "is_active" in changes:
        await users.set_active(session, user, changes["is_active"])
    await session.flush()
    return _member(user, rider)
