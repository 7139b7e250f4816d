"""The order state machine, in one place: which transitions exist and who may make them.

pending_payment → confirmed → picking → packed → out_for_delivery → delivered, and cancelled
from pending_payment, confirmed or picking (customer, system, admin). Admins may also cancel a
packed order (a bag that never left the store); nothing leaves delivered or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from kirana.kit.errors import Conflict

PENDING_PAYMENT = "pending_payment"
CONFIRMED = "confirmed"
PICKING = "picking"
PACKED = "packed"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
CANCELLED = "cancelled"

OPEN_STATUSES = frozenset({PENDING_PAYMENT, CONFIRMED, PICKING, PACKED, OUT_FOR_DELIVERY})
# Orders holding the store's attention (used by the surge rule and the store queue).
ACTIVE_STATUSES = frozenset({CONFIRMED, PICKING, PACKED, OUT_FOR_DELIVERY})
# The customer's money is (or will be) kept for these.
PAID_STATUSES = frozenset({CONFIRMED, PICKING, PACKED, OUT_FOR_DELIVERY, DELIVERED})

# (from, to) -> roles that may make the move. "system" is the platform itself (payment events,
# the expiry job); "rider" acts through logistics.
_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (PENDING_PAYMENT, CONFIRMED): frozenset({"system"}),
    (CONFIRMED, PICKING): frozenset({"store_staff", "admin"}),
    (PICKING, PACKED): frozenset({"store_staff", "admin"}),
    (PACKED, OUT_FOR_DELIVERY): frozenset({"rider", "admin", "system"}),
    (OUT_FOR_DELIVERY, DELIVERED): frozenset({"rider", "admin", "system"}),
    (PENDING_PAYMENT, CANCELLED): frozenset({"customer", "system", "admin"}),
    (CONFIRMED, CANCELLED): frozenset({"customer", "system", "admin"}),
    (PICKING, CANCELLED): frozenset({"customer", "system", "admin"}),
    (PACKED, CANCELLED): frozenset({"admin"}),
}


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Not possible in the order's current state"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a transition: a user id and role, or the platform ("system")."""

    id: str
    role: str


SYSTEM = Actor("system", "system")


def allowed(current: str, target: str, role: str) -> bool:
    return role in _TRANSITIONS.get((current, target), frozenset())


def check(current: str, target: str, actor: Actor) -> None:
    """Raise 409 ``invalid_transition`` unless ``actor`` may move an order from ``current``."""
    if not allowed(current, target, actor.role):
        raise InvalidTransition(
            f"An order that is {current} cannot become {target}"
            + (f" by a {actor.role}" if (current, target) in _TRANSITIONS else ""),
            extra={"status_now": current, "requested": target},
        )


def customer_may_cancel(status: str) -> bool:
    return allowed(status, CANCELLED, "customer")
