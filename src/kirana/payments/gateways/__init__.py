"""Payment gateways behind one protocol: the sandbox (cards, UPI) and cash on delivery."""

from __future__ import annotations

from kirana.kit.errors import NotFound
from kirana.payments.gateways.base import Charge, Gateway, Instrument
from kirana.payments.gateways.cod import CashOnDelivery
from kirana.payments.gateways.sandbox import Sandbox

__all__ = ["Charge", "Gateway", "Instrument", "gateway_for", "provider_for"]


def gateway_for(provider: str) -> Gateway:
    gateways: dict[str, Gateway] = {"sandbox": Sandbox(), "cod": CashOnDelivery()}
    try:
        return gateways[provider]
    except KeyError:
        raise NotFound(f"No payment provider {provider!r}", code="unknown_provider") from None


def provider_for(method: str) -> str:
    return "cod" if method == "cod" else "sandbox"
