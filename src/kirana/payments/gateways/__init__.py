"""Payment gateways behind one protocol: the sandbox (cards, UPI), cash on delivery, and the
providers the settings name (Stripe, Razorpay; docs/payments.md).

:func:`configure` builds them from the settings once per process (the app and the worker call
it); until then only the sandbox and cash on delivery are there, as with no keys set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from kirana.config import Settings
from kirana.kit.errors import NotFound, ValidationFailed
from kirana.payments.gateways.base import (
    Charge,
    ClientCheckout,
    Gateway,
    Instrument,
    ProviderPayment,
    RemoteGateway,
)
from kirana.payments.gateways.cod import CashOnDelivery
from kirana.payments.gateways.razorpay import RazorpayGateway
from kirana.payments.gateways.sandbox import Sandbox
from kirana.payments.gateways.stripe import StripeGateway
from kirana.payments.schemas import MethodSetup, PaymentSetup

__all__ = [
    "BrowserOrigins",
    "Charge",
    "ClientCheckout",
    "Gateway",
    "Instrument",
    "ProviderPayment",
    "RemoteGateway",
    "browser_origins",
    "client_setup",
    "configure",
    "gateway_for",
    "provider_for",
    "remote_gateway",
]


@dataclass(slots=True)
class _Registry:
    card: str = "sandbox"
    upi: str | None = "sandbox"
    remote: dict[str, RemoteGateway] = field(default_factory=dict)
    settings: Settings | None = None


class BrowserOrigins(NamedTuple):
    """The payment providers' browser flows, as the page's Content-Security-Policy allows them."""

    payment_scripts: tuple[str, ...]
    payment_frames: tuple[str, ...]


_LOCAL: dict[str, Gateway] = {"sandbox": Sandbox(), "cod": CashOnDelivery()}
_registry = _Registry()


def configure(settings: Settings) -> None:
    """Use the gateways ``settings`` name (again only if they are other settings)."""
    global _registry
    if _registry.settings is settings:
        return
    remote: dict[str, RemoteGateway] = {}
    used = {settings.card_provider, settings.upi_provider}
    if "stripe" in used:
        remote["stripe"] = StripeGateway(settings)
    if "razorpay" in used:
        remote["razorpay"] = RazorpayGateway(settings)
    _registry = _Registry(settings.card_provider, settings.upi_provider, remote, settings)


def gateway_for(provider: str) -> Gateway:
    found = _LOCAL.get(provider) or _registry.remote.get(provider)
    if found is None:
        raise NotFound(f"No payment provider {provider!r}", code="unknown_provider")
    return found


def remote_gateway(provider: str) -> RemoteGateway | None:
    """The provider's API gateway, or None for the sandbox and cash on delivery."""
    return _registry.remote.get(provider)


def provider_for(method: str) -> str:
    if method == "cod":
        return "cod"
    if method == "card":
        return _registry.card
    if _registry.upi is None:
        raise ValidationFailed(
            "UPI is not offered here; pay by card or cash on delivery",
            code="payment_method_unavailable",
        )
    return _registry.upi


class _BrowserFlow(NamedTuple):
    """A provider's browser flow, by the names of its settings."""

    key: str  # the public key's setting
    script: str  # the script URL's
    api: str  # the API base's, which the script calls
    live_prefix: str  # a live key starts so; any other is the provider's test mode
    # A script served from this domain also frames these (Stripe's 3-D Secure challenge
    # pages are on hooks.stripe.com); a script served elsewhere (a test's fake) frames only
    # its own origin and the API's.
    domain: str
    domain_frames: tuple[str, ...] = ()


_BROWSER_FLOWS = {
    "stripe": _BrowserFlow(
        "stripe_publishable_key",
        "stripe_script_url",
        "stripe_api_base",
        "pk_live_",
        "stripe.com",
        ("https://hooks.stripe.com",),
    ),
    "razorpay": _BrowserFlow(
        "razorpay_key_id", "razorpay_script_url", "razorpay_base_url", "rzp_live_", "razorpay.com"
    ),
}


def _method_setup(settings: Settings, provider: str) -> MethodSetup:
    if provider not in _BROWSER_FLOWS:
        return MethodSetup(provider="sandbox")
    flow = _BROWSER_FLOWS[provider]
    key: str = getattr(settings, flow.key)
    return MethodSetup(
        provider="stripe" if provider == "stripe" else "razorpay",
        public_key=key,
        script_url=getattr(settings, flow.script),
        test_mode=not key.startswith(flow.live_prefix),
    )


def client_setup(settings: Settings) -> PaymentSetup:
    """What GET /api/v1/config tells the web app: who takes cards, UPI and cash, with the
    public keys and script URLs of the providers' browser flows (no secrets)."""
    upi = settings.upi_provider
    return PaymentSetup(
        card=_method_setup(settings, settings.card_provider),
        upi=_method_setup(settings, upi) if upi is not None else None,
        cod=MethodSetup(provider="cod"),
    )


def browser_origins(settings: Settings) -> BrowserOrigins:
    """What the web app's Content-Security-Policy lets the configured providers' scripts do:
    the script URLs the config names may run; they and the providers' APIs may be framed and
    called; a script served from the provider's own domain may frame that domain's extra
    hosts. With the sandbox alone, nothing."""
    setup = client_setup(settings)
    scripts: list[str] = []
    frames: list[str] = []
    for method in (setup.card, setup.upi):
        if method is None or method.provider not in _BROWSER_FLOWS or not method.script_url:
            continue
        flow = _BROWSER_FLOWS[method.provider]
        scripts.append(method.script_url)
        frames.append(getattr(settings, flow.api))
        host = urlsplit(method.script_url).hostname or ""
        if host == flow.domain or host.endswith("." + flow.domain):
            frames.extend(flow.domain_frames)
    return BrowserOrigins(tuple(scripts), tuple(frames))
