"""The demo city: dark stores in central Helsinki, a ~3,000-product grocery catalog, stock,
staff, riders and customers, with logins printed for each role.

Deterministic (``random.Random(42)``: the same names, prices and stock every time; only ids
differ) and fast: rows go in with Core multi-row inserts in chunks, and the one demo password
is hashed once. Progress goes to stderr, one line per step.

The city is written for one market, ``DEMO_MARKET`` (Finland's: euro prices, +358 phones, the
Helsinki clock), which is also the deployment's default. A deployment set to another market
(KIRANA_CURRENCY and the rest) does not load it, so no one sees rupees beside Helsinki streets.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.catalog.models import Category, Product, Stock, Store
from kirana.catalog.service import search_name, slugify
from kirana.config import Settings
from kirana.kit import clock, security
from kirana.kit.db import Base, Database
from kirana.kit.ids import new_id
from kirana.kit.market import Market
from kirana.logistics import service as logistics
from kirana.orders.models import FeeRule
from kirana.orders.pricing import DEFAULT_RULES
from kirana.recommendations import service as recommendations
from kirana.seed import history
from kirana.seed.art import category_art, product_art
from kirana.seed.catalog_data import CATALOG, Sub
from kirana.users import service as users
from kirana.users.models import User
from kirana.users.schemas import AddressCreate

DEMO_PASSWORD = "kirana-demo"
# The market the demo city is written for: its prices, phones, addresses and clock.
DEMO_MARKET = Market(currency="EUR", phone_region="FI", time_zone="Europe/Helsinki", locale="en-FI")
# Finnish mobile numbers, +358 400 000 NNN: 001 the admin, 1SS staff, 2SR riders, 5NN customers.
PHONE_PREFIX = "+358400000"
ADMIN_PHONE = f"{PHONE_PREFIX}001"
CHUNK = 1000
RIDERS_PER_STORE = 3
VEHICLES = ("bicycle", "scooter", "motorbike")


@dataclass(frozen=True, slots=True)
class Login:
    role: str
    phone: str
    password: str
    name: str
    store: str | None = None


@dataclass(frozen=True, slots=True)
class DemoStore:
    name: str
    address: str
    lat: float
    lng: float
    radius_m: int | None = None
    polygon: tuple[tuple[float, float], ...] | None = None  # (lng, lat), closed by the seed
    prep_minutes: int = 4


# Central Helsinki, inside the OpenStreetMap extract the maps route over (kirana.maps: about
# 60.164-60.179 N, 24.935-24.953 E), each store and customer at one of its street addresses, so
# demo routes run on real streets. Service areas may reach past it: there the maps fall back to
# the straight line times the detour factor.
STORES: tuple[DemoStore, ...] = (
    DemoStore("Kamppi Dark Store", "Simonkatu 6, 00100 Helsinki", 60.1690, 24.9377, 1500),
    DemoStore("Hakaniemi Dark Store", "Hakaniemenranta 1, 00530 Helsinki", 60.1779, 24.9505, 1300),
    DemoStore(
        "Kruununhaka Dark Store",
        "Snellmaninkatu 10, 00170 Helsinki",
        60.1727,
        24.9523,
        polygon=(
            (24.9440, 60.1660),
            (24.9640, 60.1660),
            (24.9680, 60.1740),
            (24.9600, 60.1790),
            (24.9440, 60.1760),
        ),
        prep_minutes=5,
    ),
    DemoStore(
        "Punavuori Dark Store",
        "Bulevardi 12, 00120 Helsinki",
        60.1653,
        24.9404,
        polygon=(
            (24.9250, 60.1560),
            (24.9500, 60.1560),
            (24.9520, 60.1660),
            (24.9350, 60.1680),
            (24.9240, 60.1630),
        ),
    ),
)

CUSTOMERS = (
    ("Aino Virtanen", f"{PHONE_PREFIX}501", "Home", "Annankatu 18", "00120", 60.1658, 24.9382),
    (
        "Rahul Mehta",
        f"{PHONE_PREFIX}502",
        "Home",
        "John Stenbergin ranta 6",
        "00530",
        60.1779,
        24.9515,
    ),
)


# The demo city's fees, in euro cents (the built-in rules, orders.pricing.DEFAULT_RULES, are sized
# for no currency in particular): (code, amount, params over the rule's own).
DEMO_FEES: tuple[tuple[str, int, dict[str, Any]], ...] = (
    ("delivery", 290, {"free_above": 25_00}),
    ("small_cart", 200, {"below": 10_00}),
    ("handling", 39, {}),
    ("late_night", 190, {}),
    ("surge", 150, {}),
)


def _progress(step: str, count: int, started: float) -> None:
    print(f"  seed: {step:<22} {count:>6}  ({time.perf_counter() - started:.2f}s)", file=sys.stderr)


async def _insert(session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), list(rows[start : start + CHUNK]))


def _shelf_price(cents: float) -> int:
    """A price as Finnish shops write them: whole tens of cents less one (2,49 €), 49 c at least."""
    return max(49, round(cents / 10) * 10 - 1)


def _mrp_and_price(rng: random.Random, sub: Sub, unit_index: int) -> tuple[int, int]:
    low, high = sub.cents
    mrp = _shelf_price(rng.randint(low, high) * (1.0, 1.8, 3.2, 5.0)[min(unit_index, 3)])
    if rng.random() < 0.35:  # on offer: 5-25 % off, still ending in 9 cents
        price = min(mrp, _shelf_price(mrp * (100 - rng.randint(5, 25)) / 100 - 5))
    else:
        price = mrp
    return mrp, price


def build_catalog(
    rng: random.Random, product_count: int, now: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Category rows (top level and subcategories) and ``product_count`` product rows, priced in
    the demo market's currency."""
    currency = DEMO_MARKET.currency
    categories: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    subs = [(top, sub) for top in CATALOG for sub in top.subs]
    per_sub, extra = divmod(product_count, len(subs))
    sub_ids: dict[str, str] = {}
    for t, top in enumerate(CATALOG):
        top_id = new_id()
        categories.append(_category_row(top_id, top.name, None, t, now))
        for s, sub in enumerate(top.subs):
            sub_ids[sub.name] = new_id()
            categories.append(_category_row(sub_ids[sub.name], sub.name, top_id, s, now))
    for i, (top, sub) in enumerate(subs):
        combos = [
            (brand, variant, item, u)
            for brand in top.brands
            for variant in sub.variants
            for item in sub.items
            for u in range(len(sub.units))
        ]
        want = min(len(combos), per_sub + (1 if i < extra else 0))
        for brand, variant, item, u in sorted(rng.sample(combos, want)):
            name = " ".join(part for part in (brand, variant, item) if part)
            mrp, price = _mrp_and_price(rng, sub, u)
            products.append(
                {
                    "id": new_id(),
                    "name": name,
                    "search_name": search_name(name, brand),
                    "brand": brand,
                    "unit": sub.units[u],
                    "category_id": sub_ids[sub.name],
                    "mrp": mrp,
                    "price": price,
                    "currency": currency,
                    "image_url": product_art(item, sub.name),
                    "description": f"{name}, {sub.units[u]}. {top.blurb}",
                    "is_active": True,
                    "max_per_order": rng.choice((5, 6, 10, 10, 12)),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return categories, products


def _category_row(
    category_id: str, name: str, parent_id: str | None, position: int, now: Any
) -> dict[str, Any]:
    return {
        "id": category_id,
        "name": name,
        "slug": slugify(name),
        "parent_id": parent_id,
        "position": position,
        "image_url": category_art(name),
        "created_at": now,
        "updated_at": now,
    }


def build_stock(
    rng: random.Random,
    store_ids: Sequence[str],
    products: Sequence[dict[str, Any]],
    aisles: dict[str, str],
    now: Any,
) -> list[dict[str, Any]]:
    """Each store carries ~90 % of the range; ~7 % of what it carries is sold out."""
    rows: list[dict[str, Any]] = []
    for store_id in store_ids:
        shelf: dict[str, int] = {}
        for product in products:
            if rng.random() > 0.9:
                continue
            aisle_letter = aisles[product["category_id"]]
            shelf[aisle_letter] = shelf.get(aisle_letter, 0) + 1
            on_hand = 0 if rng.random() < 0.07 else rng.randint(1, 60)
            store_price = None
            if rng.random() < 0.1 and product["price"] > 200:  # a store's own offer, 10-50 c off
                store_price = max(99, product["price"] - rng.randint(1, 5) * 10)
            rows.append(
                {
                    "store_id": store_id,
                    "product_id": product["id"],
                    "on_hand": on_hand,
                    "reserved": 0,
                    "price": store_price,
                    "aisle": f"{aisle_letter}{shelf[aisle_letter] // 12 + 1}",
                    "updated_at": now,
                }
            )
    return rows


def market_mismatch(settings: Settings) -> str | None:
    """Why the demo city would mix markets in this deployment, or None when it fits."""
    differ = [
        f"KIRANA_{name.upper()}={getattr(settings.market, name)}"
        for name in ("currency", "phone_region", "time_zone", "locale")
        if getattr(settings.market, name) != getattr(DEMO_MARKET, name)
    ]
    if not differ:
        return None
    return (
        f"the demo city is central Helsinki, written for {DEMO_MARKET.currency}, "
        f"{DEMO_MARKET.phone_region} phones, {DEMO_MARKET.time_zone} and {DEMO_MARKET.locale}, "
        f"but this deployment sets {', '.join(differ)}; unset those to load it, "
        "or run without the demo city (`kirana up --no-demo`)"
    )


async def seed_demo(settings: Settings, *, product_count: int = 3000) -> list[Login]:
    """Load the demo city into ``settings.database_url`` (skipped if it is already there);
    never in production, where its public logins would be an open door, nor in a deployment of
    another market, where it would show euro prices and Finnish phones beside that market's."""
    if settings.env == "production":
        raise RuntimeError("the demo city is never loaded with KIRANA_ENV=production")
    if (mismatch := market_mismatch(settings)) is not None:
        raise RuntimeError(mismatch)
    started = time.perf_counter()
    rng = random.Random(42)
    now = clock.now()
    logins = _logins()
    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            taken = await session.scalar(select(User.id).where(User.phone == ADMIN_PHONE))
            if taken is not None:
                print("  seed: the demo city is already loaded", file=sys.stderr)
                return logins
            print("Loading the demo city (central Helsinki) ...", file=sys.stderr)
            store_ids = [new_id() for _ in STORES]
            await _insert(
                session,
                Store,
                [_store_row(i, s, now) for i, s in zip(store_ids, STORES, strict=True)],
            )
            _progress("stores", len(store_ids), started)

            categories, products = build_catalog(rng, product_count, now)
            await _insert(session, Category, categories)
            _progress("categories", len(categories), started)
            await _insert(session, Product, products)
            _progress("products", len(products), started)
            await catalog.reindex_products(session, None)
            _progress("search documents", len(products), started)

            letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
            tops = [c for c in categories if c["parent_id"] is None]
            top_letter = {c["id"]: letters[i % len(letters)] for i, c in enumerate(tops)}
            aisles = {c["id"]: top_letter.get(c["parent_id"] or c["id"], "Z") for c in categories}
            stock = build_stock(rng, store_ids, products, aisles, now)
            await _insert(session, Stock, stock)
            _progress("stock rows", len(stock), started)

            password_hash = security.hash_password(DEMO_PASSWORD)
            store_of = {s.name: i for s, i in zip(STORES, store_ids, strict=True)}
            user_rows: list[dict[str, Any]] = [
                {
                    "id": new_id(),
                    "phone": login.phone,
                    "password_hash": password_hash,
                    "name": login.name,
                    "email": None,
                    "role": login.role,
                    "store_id": store_of[login.store] if login.store else None,
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for login in logins
            ]
            await _insert(session, User, user_rows)
            _progress("users", len(user_rows), started)

            riders = [u for u in user_rows if u["role"] == "rider"]
            rider_rows = []
            for n, rider in enumerate(riders):
                made = await logistics.create_rider(
                    session,
                    user_id=rider["id"],
                    store_id=rider["store_id"],
                    vehicle=VEHICLES[n % len(VEHICLES)],
                )
                rider_rows.append(
                    {
                        "id": made.id,
                        "user_id": made.user_id,
                        "name": made.name,
                        "store_id": made.store_id,
                    }
                )
            _progress("riders", len(riders), started)

            by_phone = {u["phone"]: u["id"] for u in user_rows}
            for _name, phone, label, line1, pincode, lat, lng in CUSTOMERS:
                await users.add_address(
                    session,
                    by_phone[phone],
                    AddressCreate(
                        label=label, line1=line1, city="Helsinki", pincode=pincode, lat=lat, lng=lng
                    ),
                )
            _progress("customer addresses", len(CUSTOMERS), started)

            await _insert(session, FeeRule, [_fee_row(*fee, now) for fee in DEMO_FEES])
            _progress("fee rules", len(DEMO_FEES), started)

            # Past orders of the demo customers, and the recommendation models built from them.
            customers = [
                {
                    "id": by_phone[phone],
                    "lat": lat,
                    "lng": lng,
                    "address": {
                        "label": label,
                        "line1": line1,
                        "city": "Helsinki",
                        "pincode": pincode,
                        "lat": lat,
                        "lng": lng,
                        "instructions": None,
                    },
                }
                for _name, phone, label, line1, pincode, lat, lng in CUSTOMERS
            ]
            store_points = [
                {"id": i, "lat": s.lat, "lng": s.lng}
                for i, s in zip(store_ids, STORES, strict=True)
            ]
            past = history.order_history(
                rng,
                customers,
                store_points,
                {p["id"]: p for p in products},
                stock,
                now,
                settings.currency,
            )
            await history.insert_history(session, *past, history.cash_ledger(past[0], rider_rows))
            _progress("past orders", len(past[0]), started)
            await recommendations.rebuild(session)
            _progress("recommendation models", len(customers), started)
        async with db.transaction() as session:
            # Fresh statistics, so both planners pick the listing's indexes from the start.
            await session.execute(text("ANALYZE"))
    finally:
        await db.dispose()
    print(f"Demo city loaded in {time.perf_counter() - started:.1f}s.", file=sys.stderr)
    return logins


def _fee_row(code: str, amount: int, params: dict[str, Any], now: Any) -> dict[str, Any]:
    rule = DEFAULT_RULES[code]
    return {
        "code": code,
        "label": rule.label,
        "enabled": True,
        "amount": amount,
        "params": {**rule.params, **params},
        "updated_at": now,
    }


def _store_row(store_id: str, store: DemoStore, now: Any) -> dict[str, Any]:
    area = None
    if store.polygon is not None:
        ring = [list(p) for p in store.polygon]
        area = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return {
        "id": store_id,
        "name": store.name,
        "address": store.address,
        "lat": store.lat,
        "lng": store.lng,
        "service_radius_m": store.radius_m,
        "service_area": area,
        "is_open": True,
        "prep_minutes": store.prep_minutes,
        "created_at": now,
        "updated_at": now,
    }


def _logins() -> list[Login]:
    logins = [Login("admin", ADMIN_PHONE, DEMO_PASSWORD, "Demo Admin")]
    for s, store in enumerate(STORES, start=1):
        area = store.name.split()[0]
        logins.append(
            Login(
                "store_staff", f"{PHONE_PREFIX}1{s:02d}", DEMO_PASSWORD, f"{area} Staff", store.name
            )
        )
        for r in range(1, RIDERS_PER_STORE + 1):
            logins.append(
                Login(
                    "rider",
                    f"{PHONE_PREFIX}2{s}{r}",
                    DEMO_PASSWORD,
                    f"{area} Rider {r}",
                    store.name,
                )
            )
    for name, phone, *_ in CUSTOMERS:
        logins.append(Login("customer", phone, DEMO_PASSWORD, name))
    return logins


def print_logins(logins: Sequence[Login]) -> None:
    """The demo logins, one per line, for the console at start."""
    print("\nDemo logins (phone / password):")
    for login in logins:
        where = f"  @ {login.store}" if login.store else ""
        print(f"  {login.role:<12} {login.phone:<15} {login.password}   {login.name}{where}")
    print()
