"""What every payment gateway speaks: the instrument it charges, its answer, its protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.payments.models import PaymentIntent, PaymentRefund
from kirana.payments.state import Outcome


@dataclass(frozen=True, slots=True)
class Instrument:
    """What the customer pays with: a card number or a UPI address."""

    kind: Literal["card", "upi"]
    value: str

    def masked(self) -> str:
        return f"card ****{self.value[-4:]}" if self.kind == "card" else f"upi {self.value}"


@dataclass(frozen=True, slots=True)
class Charge:
    """The gateway's immediate answer. ``pending`` resolves later, through a webhook."""

    outcome: Outcome
    reason: str | None
    gateway_ref: str


class Gateway(Protocol):
    name: str

    async def charge(
        self, session: AsyncSession, intent: PaymentIntent, instrument: Instrument
    ) -> Charge: ...

    async def refund(
        self, session: AsyncSession, intent: PaymentIntent, refund: PaymentRefund
    ) -> None: ...
