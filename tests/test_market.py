"""Currency, phone region, time zone and locale are deployment settings: changing them changes
what the API answers (the currency of products and carts, how a phone number is read, the late
night fee's clock, what the web app is told to format in)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager

from kirana.config import Settings
from kirana.kit import market
from kirana.kit.db import Database
from kirana.main import create_app
from kirana.orders import pricing
from tests.factories import login, make_category, make_product, make_store, make_user

FINLAND = {
    "currency": "EUR",
    "phone_region": "FI",
    "time_zone": "Europe/Helsinki",
    "locale": "fi-FI",
}
INDIA = {"currency": "INR", "phone_region": "IN", "time_zone": "Asia/Kolkata", "locale": "en-IN"}


@pytest.fixture(autouse=True)
def _restore_market() -> Iterator[None]:
    before = market.current()
    yield
    market.configure(before)


@dataclass
class Deployment:
    values: dict[str, str]
    client: httpx.AsyncClient
    db: Database


@pytest.fixture(params=["finland", "india"])
async def deployment(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[Deployment]:
    values = FINLAND if request.param == "finland" else INDIA
    app = create_app(settings.model_copy(update=values))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Deployment(values, client, app.state.db)


async def test_the_web_app_is_told_the_market(
    deployment: Deployment,
) -> None:
    values, client = deployment.values, deployment.client
    config = (await client.get("/api/v1/config")).json()
    assert {k: config[k] for k in values} == values
    prefix = "+358" if values["phone_region"] == "FI" else "+91"
    assert config["phone_example"].startswith(prefix)


async def test_prices_are_in_the_deployments_currency(
    deployment: Deployment,
) -> None:
    values, client = deployment.values, deployment.client
    app_db = deployment.db
    store = await make_store(app_db)
    category = await make_category(app_db)
    product = await make_product(app_db, category, store_id=store)
    admin = await login(client, await make_user(app_db, "admin"))
    body = {"name": "Oat milk", "unit": "1 l", "category_id": category, "mrp": 300, "price": 250}
    created = await client.post("/api/v1/admin/products", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["currency"] == values["currency"]
    listing = (await client.get(f"/api/v1/stores/{store}/products")).json()["items"]
    assert {p["currency"] for p in listing} == {values["currency"]}
    customer = await login(client, await make_user(app_db, "customer"))
    cart = await client.put(
        f"/api/v1/cart/items/{product}", json={"quantity": 1, "store_id": store}, headers=customer
    )
    assert cart.status_code == 200, cart.text
    assert cart.json()["currency"] == values["currency"]


async def test_phone_numbers_are_read_in_the_deployments_region(
    deployment: Deployment,
) -> None:
    values, client = deployment.values, deployment.client
    national = {"FI": ("040 1234567", "+358401234567"), "IN": ("98765 43210", "+919876543210")}
    typed, e164 = national[values["phone_region"]]
    body = {"phone": typed, "password": "long-enough-pw", "name": "Local"}
    r = await client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["user"]["phone"] == e164
    signed_in = await client.post(
        "/api/v1/auth/login", json={"phone": typed, "password": "long-enough-pw"}
    )
    assert signed_in.status_code == 200
    # The other region's national number is not read as that region's.
    other_typed, other_e164 = national["IN" if values["phone_region"] == "FI" else "FI"]
    r = await client.post("/api/v1/auth/register", json={**body, "phone": other_typed})
    assert r.status_code == 422 or r.json()["user"]["phone"] != other_e164
    # E.164 works in every region.
    r = await client.post("/api/v1/auth/register", json={**body, "phone": other_e164})
    assert r.status_code == 201 and r.json()["user"]["phone"] == other_e164


def test_the_late_night_fee_follows_the_deployments_time_zone() -> None:
    at = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)  # 23:30 in Helsinki, 03:00 in Kolkata
    params = pricing.DEFAULT_RULES["late_night"].params
    market.configure(market.Market(time_zone="Europe/Helsinki"))
    assert pricing.in_late_night(at, params)
    early = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # 21:00 in Helsinki, 00:30 in Kolkata
    assert not pricing.in_late_night(early, params)
    market.configure(market.Market(time_zone="Asia/Kolkata"))
    assert pricing.in_late_night(early, params)


def test_a_wrong_market_setting_is_refused() -> None:
    for wrong in ({"phone_region": "XX"}, {"time_zone": "Mars/Olympus"}, {"currency": "rupees"}):
        with pytest.raises(ValueError):
            Settings(env="test", **wrong)
