"""The order state machine, in one place: the statuses, which moves exist and who may make them.

pending_payment → confirmed → picking → packed → out_for_delivery → delivered, and cancelled
from pending_payment, confirmed or picking (customer, system, admin). Admins may also cancel a
packed order (a bag that never left the store); nothing leaves delivered or cancelled.
The lines of an order and the substitutions a picker proposes have machines of their own below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kirana.kit.transitions import Transitions, refuse


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    PICKING = "picking"
    PACKED = "packed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# How long an order waits for payment: until then the customer may pay again (another card,
# UPI or cash on delivery); then the order expires (orders.payment_window).
PAYMENT_WINDOW_MINUTES = 15

_S = OrderStatus
OPEN_STATUSES = frozenset(
    {_S.PENDING_PAYMENT, _S.CONFIRMED, _S.PICKING, _S.PACKED, _S.OUT_FOR_DELIVERY}
)
# Orders holding the store's attention (used by the surge rule and the store queue).
ACTIVE_STATUSES = frozenset({_S.CONFIRMED, _S.PICKING, _S.PACKED, _S.OUT_FOR_DELIVERY})
# The customer's money is (or will be) kept for these.
PAID_STATUSES = ACTIVE_STATUSES | {_S.DELIVERED}
# Waiting for the store: what its queue shows unless asked for one status.
STORE_QUEUE = (_S.CONFIRMED, _S.PICKING, _S.PACKED)

# (from, to) -> roles that may make the move (a StrEnum member hashes as its value, so a status
# read as a plain string finds its entry). "system" is the platform itself (payment events,
# the expiry job); "rider" acts through logistics.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (_S.PENDING_PAYMENT, _S.CONFIRMED): frozenset({"system"}),
    (_S.CONFIRMED, _S.PICKING): frozenset({"store_staff", "admin"}),
    (_S.PICKING, _S.PACKED): frozenset({"store_staff", "admin"}),
    (_S.PACKED, _S.OUT_FOR_DELIVERY): frozenset({"rider", "admin", "system"}),
    (_S.OUT_FOR_DELIVERY, _S.DELIVERED): frozenset({"rider", "admin", "system"}),
    (_S.PENDING_PAYMENT, _S.CANCELLED): frozenset({"customer", "system", "admin"}),
    (_S.CONFIRMED, _S.CANCELLED): frozenset({"customer", "system", "admin"}),
    (_S.PICKING, _S.CANCELLED): frozenset({"customer", "system", "admin"}),
    (_S.PACKED, _S.CANCELLED): frozenset({"admin"}),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a transition: a user id and role, or the platform ("system")."""

    id: str
    role: str


SYSTEM = Actor("system", "system")


def allowed(current: str, target: OrderStatus, role: str) -> bool:
    return role in TRANSITIONS.get((current, target), frozenset())


def check(current: str, target: OrderStatus, actor: Actor) -> None:
    """Raise 409 ``invalid_transition`` unless ``actor`` may move an order from ``current``."""
    if not allowed(current, target, actor.role):
        known = (current, target) in TRANSITIONS
        raise refuse("order", current, target, by=actor.role if known else None)


def customer_may_cancel(status: str) -> bool:
    return allowed(status, OrderStatus.CANCELLED, "customer")


# --- lines and substitutions while picking --------------------------------------------------
# A line is ordered until the picker finds it (picked), finds none (unavailable: it leaves the
# bill) or the customer takes a substitute for it (substituted: the substitute is a new line).
# A substitution is proposed by the picker, then approved or declined by the customer, or
# lapses when its time runs out (as declined: the line leaves the bill).


class LineStatus(StrEnum):
    ORDERED = "ordered"
    PICKED = "picked"
    UNAVAILABLE = "unavailable"
    SUBSTITUTED = "substituted"


class SubstitutionStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"
    LAPSED = "lapsed"


# The lines on the bill (their totals make the subtotal, their units are delivered).
BILLED_LINES = (LineStatus.ORDERED, LineStatus.PICKED)

LINE = Transitions[LineStatus](
    "order line",
    {
        LineStatus.ORDERED: {LineStatus.PICKED, LineStatus.UNAVAILABLE, LineStatus.SUBSTITUTED},
        LineStatus.PICKED: {LineStatus.UNAVAILABLE},
    },
)

SUBSTITUTION = Transitions[SubstitutionStatus](
    "substitution",
    {
        SubstitutionStatus.PROPOSED: {
            SubstitutionStatus.APPROVED,
            SubstitutionStatus.DECLINED,
            SubstitutionStatus.LAPSED,
        },
    },
)
