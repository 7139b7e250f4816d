"""The demo city is one market: Helsinki's streets, euro prices, Finnish phones, the Helsinki
clock, and a deployment's default market is that one. A deployment set to another market
(an Indian city: INR, +91, Asia/Kolkata) does not get the Helsinki demo city mixed into it."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import httpx
import phonenumbers
import pytest
from sqlalchemy import func, select

import kirana
from kirana.catalog.models import Product, Store
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.orders.models import FeeRule
from kirana.seed import demo
from kirana.users.models import Address

INDIA = {"currency": "INR", "phone_region": "IN", "time_zone": "Asia/Kolkata", "locale": "en-IN"}


def test_the_default_market_is_the_demo_citys() -> None:
    assert Settings(env="test").market == demo.DEMO_MARKET
    assert demo.DEMO_MARKET.currency == "EUR" and demo.DEMO_MARKET.phone_region == "FI"
    assert demo.DEMO_MARKET.time_zone == "Europe/Helsinki"


def test_every_demo_phone_is_of_the_demo_region() -> None:
    for login in demo._logins():
        number = phonenumbers.parse(login.phone)
        assert phonenumbers.is_valid_number(number), login
        assert phonenumbers.region_code_for_number(number) == "FI", login


def test_demo_prices_are_plausible_euro_shelf_prices() -> None:
    _, products = demo.build_catalog(random.Random(42), 3000, clock.now())
    assert {p["currency"] for p in products} == {"EUR"}
    assert all(p["mrp"] % 10 == 9 and p["price"] % 10 == 9 for p in products)  # 2,49 €
    cents = sorted(p["mrp"] for p in products)
    median = cents[len(cents) // 2]
    assert cents[0] >= 49 and cents[-1] <= 150_00, (cents[0], cents[-1])
    assert 2_00 <= median <= 15_00, median  # a grocery item, not a rupee figure read as cents


async def test_the_seeded_city_shows_one_market(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    await demo.seed_demo(settings, product_count=200)
    async with db.transaction(write=False) as s:
        currencies = set((await s.execute(select(Product.currency).distinct())).scalars())
        addresses = (await s.execute(select(Store.address))).scalars().all()
        cities = set((await s.execute(select(Address.city).distinct())).scalars())
        count = await s.scalar(select(func.count()).select_from(Product))
        fees = dict((await s.execute(select(FeeRule.code, FeeRule.amount))).all())
    assert count == 200 and currencies == {"EUR"}
    # Fees in euro cents too: a few euros at most, not rupee figures read as cents (€25 delivery).
    assert set(fees) == {"delivery", "small_cart", "handling", "late_night", "surge"}
    assert all(0 < amount <= 3_00 for amount in fees.values()), fees
    assert all(a.endswith("Helsinki") for a in addresses) and cities == {"Helsinki"}
    config = (await client.get("/api/v1/config")).json()
    assert (config["currency"], config["phone_region"], config["time_zone"]) == (
        "EUR",
        "FI",
        "Europe/Helsinki",
    )
    assert config["locale"] == demo.DEMO_MARKET.locale
    store = (await client.get("/api/v1/stores")).json()["items"][0]["id"]
    page = (await client.get(f"/api/v1/stores/{store}/products")).json()["items"]
    assert page and {p["currency"] for p in page} == {"EUR"}


async def test_seed_refuses_a_deployment_of_another_market(db_url: str) -> None:
    india = Settings(env="test", database_url=db_url, **INDIA)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError) as refused:
        await demo.seed_demo(india, product_count=10)
    for named in ("KIRANA_CURRENCY=INR", "KIRANA_PHONE_REGION=IN", "Helsinki", "--no-demo"):
        assert named in str(refused.value)
    # One setting out of four is enough to be refused.
    with pytest.raises(RuntimeError, match="KIRANA_TIME_ZONE=Asia/Kolkata"):
        await demo.seed_demo(Settings(env="test", time_zone="Asia/Kolkata"), product_count=10)


def test_seed_command_in_another_market_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(kirana.__file__).parents[1]),  # the kirana this test imports
        "KIRANA_ENV": "test",
        "KIRANA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
        **{f"KIRANA_{k.upper()}": v for k, v in INDIA.items()},
    }
    done = subprocess.run(
        [sys.executable, "-m", "kirana.cli", "seed", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "KIRANA_CURRENCY=INR" in lines[0], done.stderr
    assert not (tmp_path / "k.db").exists()


def test_messages_name_amounts_in_the_markets_currency() -> None:
    """Cart, coupon and refund messages say "EUR 2.49", never a count of paise."""
    from kirana.kit import market, money

    assert money.in_words(249) == "EUR 2.49"
    before = market.current()
    market.configure(market.Market(**INDIA))
    try:
        assert money.in_words(54_100) == "INR 541.00"
    finally:
        market.configure(before)
