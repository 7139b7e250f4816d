"""Cash on delivery: nothing to charge online; the rider collects the total at the door."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.errors import Conflict
from kirana.payments.gateways.base import Charge, Instrument
from kirana.payments.models import PaymentIntent, PaymentRefund


class CashOnDelivery:
    name = "cod"

    async def charge(
        self, session: AsyncSession, intent: PaymentIntent, instrument: Instrument
    ) -> Charge:
        raise Conflict(
            "Cash on delivery is paid to the rider at the door; there is nothing to confirm",
            code="cod_not_confirmable",
        )

    async def refund(
        self, session: AsyncSession, intent: PaymentIntent, refund: PaymentRefund
    ) -> None:
        """Cash is handed back by support; nothing moves through a gateway."""
