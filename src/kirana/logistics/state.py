"""The delivery state machine, in one place: the statuses and the moves between them.

waiting → assigned (dispatch gives it a rider, on a trip) → picked_up → delivered; cancelled
from any of the first three when the order is cancelled; assigned → waiting when its trip is
planned again before the bag was picked up (the rider late or gone silent): back in the pool.
Nothing leaves delivered or cancelled.
"""

from __future__ import annotations

from enum import StrEnum

from kirana.kit.transitions import Transitions


class DeliveryStatus(StrEnum):
    WAITING = "waiting"
    ASSIGNED = "assigned"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


_S = DeliveryStatus
# A rider is on the delivery in these (all on the rider's one open trip).
ACTIVE_STATUSES = (_S.ASSIGNED, _S.PICKED_UP)
FINAL_STATUSES = frozenset({_S.DELIVERED, _S.CANCELLED})

DELIVERY = Transitions[DeliveryStatus](
    "delivery",
    {
        _S.WAITING: {_S.ASSIGNED, _S.CANCELLED},
        _S.ASSIGNED: {_S.PICKED_UP, _S.CANCELLED, _S.WAITING},
        _S.PICKED_UP: {_S.DELIVERED, _S.CANCELLED},
    },
)


def sources(target: DeliveryStatus) -> tuple[DeliveryStatus, ...]:
    """The statuses a delivery may become ``target`` from, for a conditional update."""
    return tuple(s for s in DeliveryStatus if DELIVERY.allowed(s, target))
