"""The payment state machine, in one place: the statuses and the moves between them.

pending → succeeded (captured), failed, or cancelled (voided: replaced, or its order
cancelled); succeeded → refunded once all of the capture is given back. A cancelled or failed
intent the gateway captured anyway (a page still holding a Stripe client secret paid it, a
UPI collect answered late) becomes succeeded, no longer the order's own payment, and is
refunded at once. Nothing leaves refunded.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from kirana.kit.transitions import Transitions


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


_S = PaymentStatus
# An order has at most one intent in these; a failed or voided one may be replaced.
LIVE_STATUSES = (_S.PENDING, _S.SUCCEEDED, _S.REFUNDED)
# Money was taken: these may be refunded.
CAPTURED_STATUSES = (_S.SUCCEEDED, _S.REFUNDED)
# What a gateway answers to a charge: settled now, or later through a webhook.
Outcome = Literal[PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.PENDING]
OUTCOMES: tuple[PaymentStatus, ...] = get_args(Outcome)

PAYMENT = Transitions[PaymentStatus](
    "payment",
    {
        _S.PENDING: {_S.SUCCEEDED, _S.FAILED, _S.CANCELLED},
        _S.SUCCEEDED: {_S.REFUNDED},
        _S.CANCELLED: {_S.SUCCEEDED},
        _S.FAILED: {_S.SUCCEEDED},
    },
)
