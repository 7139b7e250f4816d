"""What every payment gateway speaks: the instrument it charges, its answer, its protocol.

:class:`Gateway` is what the sandbox and cash on delivery implement: a charge made by our server
and a refund recorded in the caller's transaction. :class:`RemoteGateway` is a provider's API
reached over HTTP (Stripe, Razorpay): the customer's browser confirms the payment with the
provider's script (:meth:`~RemoteGateway.start` gives it what it needs), the provider reports
by signed webhook, refunds are sent after their transaction commits, a payment left pending
is asked about (:meth:`~RemoteGateway.look_up`), and one we voided is cancelled there
(:meth:`~RemoteGateway.void`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.payments.models import PaymentIntent, PaymentRefund
from kirana.payments.state import Outcome
from kirana.payments.webhooks import WebhookEvent


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


@dataclass(frozen=True, slots=True)
class ClientCheckout:
    """What the web app needs to run the provider's own payment flow for one intent."""

    provider: str
    public_key: str
    script_url: str
    gateway_ref: str
    # Stripe: the PaymentIntent's client secret, for ``stripe.confirmCardPayment``.
    client_secret: str | None = None
    # Razorpay: the order id that Razorpay Checkout opens.
    provider_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """What the provider says of a payment when asked (a callback, the reconciliation job)."""

    outcome: Outcome
    reason: str | None = None
    payment_ref: str | None = None
    amount: int | None = None
    currency: str | None = None


class RemoteGateway(Gateway, Protocol):
    public_key: str

    async def start(self, intent: PaymentIntent) -> ClientCheckout: ...

    async def look_up(self, intent: PaymentIntent) -> ProviderPayment: ...

    async def send_refund(self, intent: PaymentIntent, refund: PaymentRefund) -> str: ...

    async def void(self, intent: PaymentIntent) -> ProviderPayment:
        """Make a payment we voided unpayable at the provider where its API can, and say
        what the provider holds of it now (a capture that beat us is refunded)."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent: ...
