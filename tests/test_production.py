"""Production refuses what only development may use: unset, short or published secrets."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from kirana.config import PAYMENT_SECRETS, PROVIDER_SECRETS, SECRETS, Settings

ROOT = Path(__file__).resolve().parents[1]
GOOD = "q" * 48
PUBLISHED = {
    "secret_key": "kirana-dev-secret-change-me-0123456789abcdef",
    "payment_webhook_secret": "kirana-dev-webhook-secret-0123456789",
}


def production(**overrides: str) -> Settings:
    values = {name: GOOD for name in SECRETS} | overrides
    return Settings(env="production", database_url="sqlite+aiosqlite:///x.db", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize(
    ("value", "says"),
    [("", "is not set"), ("short", "is shorter than 32"), (None, "is a published default")],
)
def test_production_refuses_a_weak_secret(name: str, value: str | None, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        production(**{name: PUBLISHED[name] if value is None else value})
    message = caught.value.errors()[0]["msg"]
    assert f"KIRANA_{name.upper()} {says}" in message
    assert "token_urlsafe" in message  # and what to do about it
    assert "\n" not in message


def test_production_starts_with_strong_secrets() -> None:
    settings = production()
    assert settings.secret_key == GOOD and settings.payment_webhook_secret == GOOD


def test_every_secret_like_setting_is_checked() -> None:
    """A secret added to Settings later is refused in production too, not forgotten."""
    words = ("secret", "password", "token_key", "auth_token", "auth_key", "private_key")
    secretish = {n for n in Settings.model_fields if any(w in n for w in words)}
    payment = {name for needed in PAYMENT_SECRETS.values() for name in needed}
    assert secretish <= set(SECRETS) | set(PROVIDER_SECRETS) | payment | {"vapid_private_key"}


STRIPE = {
    "stripe_secret_key": "sk_live_" + "s" * 91,
    "stripe_publishable_key": "pk_live_" + "p" * 91,
    "stripe_webhook_secret": "whsec_" + "w" * 32,
}
RAZORPAY = {
    "razorpay_key_id": "rzp_live_" + "k" * 14,
    "razorpay_key_secret": "r" * 24,
    "razorpay_webhook_secret": "h" * 24,
}


@pytest.mark.parametrize(
    ("provider", "overrides", "says"),
    [
        ("stripe", {"stripe_webhook_secret": ""}, "KIRANA_STRIPE_WEBHOOK_SECRET is not set"),
        (
            "stripe",
            {"stripe_webhook_secret": "whsec_short"},
            "KIRANA_STRIPE_WEBHOOK_SECRET is shorter",
        ),
        ("stripe", {"stripe_publishable_key": ""}, "KIRANA_STRIPE_PUBLISHABLE_KEY is not set"),
        ("stripe", {"stripe_secret_key": "sk_live_x"}, "KIRANA_STRIPE_SECRET_KEY is shorter"),
        ("razorpay", {"razorpay_webhook_secret": ""}, "KIRANA_RAZORPAY_WEBHOOK_SECRET is not set"),
        (
            "razorpay",
            {"razorpay_webhook_secret": "short"},
            "KIRANA_RAZORPAY_WEBHOOK_SECRET is shorter",
        ),
        ("razorpay", {"razorpay_key_secret": "short"}, "KIRANA_RAZORPAY_KEY_SECRET is shorter"),
    ],
)
def test_production_refuses_a_payment_provider_without_its_secrets(
    provider: str, overrides: dict[str, str], says: str
) -> None:
    keys = (STRIPE if provider == "stripe" else RAZORPAY) | overrides
    with pytest.raises(ValidationError) as caught:
        production(**keys)
    message = caught.value.errors()[0]["msg"]
    assert says in message and "\n" not in message


def test_payment_providers_are_chosen_by_their_keys() -> None:
    assert (production().card_provider, production().upi_provider) == ("sandbox", "sandbox")
    stripe = production(**STRIPE)
    assert (stripe.card_provider, stripe.upi_provider) == ("stripe", None)
    both = production(**STRIPE, **RAZORPAY)
    assert (both.card_provider, both.upi_provider) == ("stripe", "razorpay")
    razorpay = production(**RAZORPAY)
    assert (razorpay.card_provider, razorpay.upi_provider) == ("razorpay", "razorpay")
    with pytest.raises(ValidationError, match="KIRANA_STRIPE_SECRET_KEY is not set"):
        production(payment_provider="stripe")


TWILIO = {"twilio_account_sid": "AC" + "0" * 32, "twilio_from": "+15005550006"}


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"sms_provider": "console"}, "KIRANA_SMS_PROVIDER=console only logs messages"),
        ({"sms_provider": "twilio", **TWILIO}, "KIRANA_TWILIO_AUTH_TOKEN is not set"),
        (
            {"sms_provider": "twilio", **TWILIO, "twilio_auth_token": "short"},
            "KIRANA_TWILIO_AUTH_TOKEN is shorter than 32",
        ),
        ({"sms_provider": "msg91", "msg91_auth_key": "k" * 24}, "KIRANA_MSG91_TEMPLATE_ID is not"),
        (
            {"sms_provider": "msg91", "msg91_auth_key": "k" * 8, "msg91_template_id": "t"},
            "KIRANA_MSG91_AUTH_KEY is shorter than 20",
        ),
        (
            {"smtp_host": "mail", "smtp_username": "u", "smtp_password": "pw"},
            "KIRANA_SMTP_PASSWORD is shorter than 12",
        ),
        ({"vapid_private_key": "not-a-key"}, "KIRANA_VAPID_PRIVATE_KEY is not a P-256"),
    ],
)
def test_production_refuses_a_weak_provider_setting(overrides: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        production(**overrides)
    message = caught.value.errors()[0]["msg"]
    assert says in message and "\n" not in message


def test_production_sends_no_sms_and_no_push_unless_told() -> None:
    settings = production()
    assert settings.sms_provider == "none" and settings.vapid_private_key == ""
    good = production(sms_provider="twilio", **TWILIO, twilio_auth_token="f" * 32)
    assert good.sms_provider == "twilio"


def test_serve_in_production_says_which_secret_in_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KIRANA_ENV": "production",
        "KIRANA_SECRET_KEY": GOOD,
        "KIRANA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "kirana.cli", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "KIRANA_PAYMENT_WEBHOOK_SECRET is not set" in lines[0]
    assert "Traceback" not in done.stderr


def test_development_makes_its_own_secret_under_var(tmp_path: Path) -> None:
    first = Settings(env="development", var_dir=tmp_path / "var")
    again = Settings(env="development", var_dir=tmp_path / "var")
    assert first.secret_key == again.secret_key  # kept: tokens outlive a restart
    assert len(first.secret_key) >= 32
    assert first.payment_webhook_secret != first.secret_key
    for name in SECRETS:
        path = tmp_path / "var" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().strip() == getattr(first, name)
    other = Settings(env="development", var_dir=tmp_path / "elsewhere")
    assert other.secret_key != first.secret_key  # never a constant in the code
    assert first.secret_key not in PUBLISHED.values()


def test_test_settings_get_a_random_secret() -> None:
    assert Settings(env="test").secret_key != Settings(env="test").secret_key


def test_production_doc_lists_every_setting() -> None:
    doc = (ROOT / "docs" / "production.md").read_text()
    missing = [
        f"KIRANA_{n.upper()}" for n in Settings.model_fields if f"`KIRANA_{n.upper()}`" not in doc
    ]
    assert not missing, f"docs/production.md does not describe {missing}"


def _production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KIRANA_ENV": "production",
        "KIRANA_SECRET_KEY": GOOD,
        "KIRANA_PAYMENT_WEBHOOK_SECRET": GOOD + "w",
        "KIRANA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
    }


def test_seed_demo_is_refused_in_production(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kirana.cli", "seed", "--demo"],
        capture_output=True,
        text=True,
        env=_production_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "never loaded with KIRANA_ENV=production" in lines[0], done.stderr
    assert "createuser" in lines[0]
    assert not (tmp_path / "k.db").exists()


async def test_seed_demo_itself_refuses_production() -> None:
    from kirana.seed.demo import seed_demo

    with pytest.raises(RuntimeError, match="never loaded"):
        await seed_demo(production())


INDIA = {
    "KIRANA_CURRENCY": "INR",
    "KIRANA_PHONE_REGION": "IN",
    "KIRANA_TIME_ZONE": "Asia/Kolkata",
    "KIRANA_LOCALE": "en-IN",
}


@pytest.mark.parametrize(
    "where, says",
    [
        ("production", "KIRANA_ENV=production: the demo city is not loaded"),
        # The demo city is Helsinki's, in euros: an Indian deployment starts without it.
        ("india", "The demo city is not loaded: the demo city is central Helsinki"),
    ],
)
def test_up_loads_no_demo_users_in_production_or_another_market(
    tmp_path: Path, where: str, says: str
) -> None:
    import socket
    import time

    import httpx

    from kirana.seed.demo import ADMIN_PHONE, DEMO_PASSWORD

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "up.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kirana.cli", "up", "--port", str(port)],
        env=_production_env(tmp_path)
        if where == "production"
        else {**_production_env(tmp_path), "KIRANA_ENV": "development", **INDIA},
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "up.log").read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "up.log").read_text()
            time.sleep(0.3)
        r = httpx.post(
            f"{url}/api/v1/auth/login", json={"phone": ADMIN_PHONE, "password": DEMO_PASSWORD}
        )
        assert r.status_code == 401, r.text
        assert httpx.get(f"{url}/api/v1/stores").json()["items"] == []
        assert says in (tmp_path / "up.log").read_text()
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_redis_event_broker_needs_a_redis_url() -> None:
    with pytest.raises(ValidationError, match="KIRANA_EVENT_BROKER=redis needs KIRANA_REDIS_URL"):
        Settings(env="test", event_broker="redis", redis_url=None)
    assert Settings(env="test", event_broker="redis", redis_url="redis://h:6379/0").event_broker
