"""GET /api/v1/config tells the web app who takes cards, UPI and cash, with the public keys and
script URLs of the providers' browser flows, and never a secret; the page's
Content-Security-Policy lets it load exactly those providers' scripts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from kirana.config import Settings
from kirana.main import create_app
from tests.payments.test_razorpay import KEY_ID, KEY_SECRET, WEBHOOK_SECRET
from tests.payments.test_stripe import PK, SK, WHSEC

STRIPE = {"stripe_secret_key": SK, "stripe_publishable_key": PK, "stripe_webhook_secret": WHSEC}
RAZORPAY = {
    "razorpay_key_id": KEY_ID,
    "razorpay_key_secret": KEY_SECRET,
    "razorpay_webhook_secret": WEBHOOK_SECRET,
}
SECRETS = (SK, WHSEC, KEY_SECRET, WEBHOOK_SECRET)


async def _answers(settings: Settings, **keys: str) -> tuple[dict[str, object], str]:
    """The config the web app reads and the policy of its page, for ``settings`` + ``keys``."""
    web = settings.media_dir.parent / "web"
    web.mkdir(exist_ok=True)
    (web / "index.html").write_text("<!doctype html><title>k</title>")
    app = create_app(settings.model_copy(update={**keys, "static_dir": web}))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            r = await c.get("/api/v1/config")
            assert r.status_code == 200, r.text
            for secret in SECRETS:
                assert secret not in r.text
            page = await c.get("/")
    return r.json(), page.headers["content-security-policy"]


def _directives(policy: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())


async def test_no_keys_the_sandbox_takes_cards_and_upi(settings: Settings) -> None:
    config, policy = await _answers(settings)
    assert config["currency"] and config["time_zone"]  # the market is still there
    assert config["payments"] == {
        "card": {"provider": "sandbox", "public_key": None, "script_url": None, "test_mode": True},
        "upi": {"provider": "sandbox", "public_key": None, "script_url": None, "test_mode": True},
        "cod": {"provider": "cod", "public_key": None, "script_url": None, "test_mode": True},
    }
    assert _directives(policy)["script-src"] == "'self'"
    assert "stripe" not in policy and "razorpay" not in policy


async def test_stripe_takes_cards_and_upi_is_not_offered(settings: Settings) -> None:
    config, _ = await _answers(settings, **STRIPE)
    payments = config["payments"]
    assert isinstance(payments, dict)
    assert payments["card"] == {
        "provider": "stripe",
        "public_key": PK,
        "script_url": "https://js.stripe.com/v3/",
        "test_mode": True,
    }
    assert payments["upi"] is None


async def test_razorpay_alone_takes_cards_and_upi(settings: Settings) -> None:
    config, policy = await _answers(settings, **RAZORPAY)
    payments = config["payments"]
    assert isinstance(payments, dict)
    checkout = {
        "provider": "razorpay",
        "public_key": KEY_ID,
        "script_url": "https://checkout.razorpay.com/v1/checkout.js",
        "test_mode": True,
    }
    assert payments["card"] == checkout and payments["upi"] == checkout
    d = _directives(policy)
    assert d["script-src"] == "'self' https://checkout.razorpay.com"
    assert d["frame-src"] == "'self' https://checkout.razorpay.com https://api.razorpay.com"
    assert "stripe" not in policy


async def test_both_with_scripts_on_loopback_allow_exactly_those_origins(
    settings: Settings,
) -> None:
    """The browser tests serve both scripts from a loopback fake: the policy follows the
    settings, and names no provider origin the settings do not."""
    config, policy = await _answers(
        settings,
        **(STRIPE | {"stripe_publishable_key": "pk_live_" + "x" * 24}),
        **RAZORPAY,
        stripe_script_url="http://127.0.0.1:4101/v3/",
        stripe_api_base="http://127.0.0.1:4101",
        razorpay_script_url="http://127.0.0.1:4102/v1/checkout.js",
        razorpay_base_url="http://127.0.0.1:4102",
    )
    payments = config["payments"]
    assert isinstance(payments, dict)
    assert payments["card"]["provider"] == "stripe" and payments["card"]["test_mode"] is False
    assert payments["card"]["script_url"] == "http://127.0.0.1:4101/v3/"
    assert payments["upi"]["provider"] == "razorpay"
    assert payments["upi"]["script_url"] == "http://127.0.0.1:4102/v1/checkout.js"
    d = _directives(policy)
    assert d["script-src"] == "'self' http://127.0.0.1:4101 http://127.0.0.1:4102"
    assert d["connect-src"] == "'self' http://127.0.0.1:4101 http://127.0.0.1:4102"
    assert "stripe.com" not in policy and "razorpay.com" not in policy


async def test_the_sandbox_named_with_keys_set_allows_no_provider(settings: Settings) -> None:
    """The policy follows the config the web app reads, not the keys that happen to be set."""
    config, policy = await _answers(settings, **STRIPE, **RAZORPAY, payment_provider="sandbox")
    payments = config["payments"]
    assert isinstance(payments, dict)
    assert payments["card"]["provider"] == "sandbox" and payments["upi"]["provider"] == "sandbox"
    d = _directives(policy)
    assert d["script-src"] == "'self'"
    assert d["frame-src"] == "'self'" and d["connect-src"] == "'self'"


async def test_stripe_and_razorpay_on_their_own_hosts(settings: Settings) -> None:
    _, policy = await _answers(settings, **STRIPE, **RAZORPAY)
    d = _directives(policy)
    assert d["script-src"] == "'self' https://js.stripe.com https://checkout.razorpay.com"
    assert d["frame-src"] == (
        "'self' https://js.stripe.com https://checkout.razorpay.com https://api.stripe.com "
        "https://hooks.stripe.com https://api.razorpay.com"
    )
    assert "hooks.stripe.com" not in d["script-src"]


@pytest.mark.parametrize("path", ["/api/v1/config?x=1", "/api/v1/config/"])
async def test_config_takes_no_input(settings: Settings, path: str, tmp_path: Path) -> None:
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            r = await c.get(path)
            posted = await c.post("/api/v1/config", json={"payments": {}})
    assert r.status_code in (200, 404)
    assert posted.status_code == 405
    assert posted.headers["content-type"].startswith("application/problem+json")
