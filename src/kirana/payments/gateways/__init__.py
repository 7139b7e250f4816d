"""Payment gateways behind one protocol: the sandbox (cards, UPI) and cash on delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.errors import NotFound
from kirana.payments.models import PaymentIntent, PaymentRefund

Outcome = Literal["succeeded", "failed", "pending"]


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


def gateway_for(provider: str) -> Gateway:
    from kirana.payments.gateways.cod import CashOnDelivery
    from kirana.payments.gateways.sandbox import Sandbox

    gateways: dict[str, Gateway] = {"sandbox": Sandbox(), "cod": CashOnDelivery()}
    try:
        return gateways[provider]
    except KeyError:
        raise NotFound(f"No payment provider {provider!r}", code="unknown_provider") from None


def provider_for(method: str) -> str:
    return "cod" if method == "cod" else "sandbox"
