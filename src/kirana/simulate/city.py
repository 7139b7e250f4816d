"""The simulated city: dark stores on central Helsinki's streets, the demo catalog (smaller),
stock enough for the run, pickers, riders and customers at the map's street addresses.

Built with the demo seed's own catalog and stock builders and the services' own functions for
riders and addresses, from one ``random.Random(seed)``: the same seed makes the same city.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.catalog.models import Category, Product, Stock, Store
from kirana.kit import security
from kirana.kit.geo import haversine_m
from kirana.kit.ids import new_id
from kirana.logistics import service as logistics
from kirana.maps.geocoding import Place
from kirana.seed.demo import STORES, VEHICLES, build_catalog, build_stock
from kirana.users import service as users
from kirana.users.models import User
from kirana.users.schemas import AddressCreate

PRODUCTS = 400
# Every address of the map lies within this of every store placed on it: each customer can be
# served by the nearest store, as serviceability picks it.
SERVICE_RADIUS_M = 3000
PASSWORD = "kirana-simulated"
PHONE_PREFIX = "+358401"  # Finnish mobile numbers no demo login uses
ON_HAND = 1_000_000  # shelves that never empty: the run measures logistics, not stock-outs


@dataclass(frozen=True, slots=True)
class SimStore:
    id: str
    name: str
    lat: float
    lng: float
    prep_minutes: int
    products: tuple[str, ...]  # what it sells


@dataclass(frozen=True, slots=True)
class SimRider:
    user_id: str
    rider_id: str
    store_id: str
    vehicle: str


@dataclass(frozen=True, slots=True)
class SimCustomer:
    user_id: str
    address_id: str
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class City:
    stores: tuple[SimStore, ...]
    pickers: dict[str, tuple[str, ...]]  # store id -> the staff user ids who pick there
    riders: tuple[SimRider, ...]
    customers: tuple[SimCustomer, ...]


def _store_points(
    rng: random.Random, count: int, places: list[Place]
) -> list[tuple[str, float, float]]:
    """The demo city's stores first, then street addresses spread over the map."""
    points = [(s.name, s.lat, s.lng) for s in STORES[:count]]
    spare = rng.sample(places, min(len(places), max(0, count - len(points))))
    points += [(f"{p.street} Dark Store {i + 1}", p.lat, p.lng) for i, p in enumerate(spare)]
    return points


def riders_by_demand(
    stores: list[tuple[float, float]], homes: list[Place], riders: int
) -> list[int]:
    """How many of ``riders`` each store gets: in proportion to the customers it is the nearest
    store of (whom serviceability gives it: every address is within every store's radius), the
    remainder to the largest fractions (ties to the first store), and at least one each."""
    near = [0] * len(stores)
    for home in homes:
        nearest = min(range(len(stores)), key=lambda i: haversine_m(home.lat, home.lng, *stores[i]))
        near[nearest] += 1
    total = max(1, sum(near))
    exact = [riders * n / total for n in near]
    counts = [int(x) for x in exact]
    by_fraction = sorted(range(len(stores)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_fraction[: riders - sum(counts)]:
        counts[i] += 1
    for i, n in enumerate(counts):
        if n == 0:  # a store nobody is nearest to still has its rider
            counts[i] = 1
            counts[counts.index(max(counts))] -= 1
    return counts


async def build_city(
    session: AsyncSession,
    rng: random.Random,
    *,
    stores: int,
    riders: int,
    pickers: int,
    customers: int,
    places: list[Place],
    now: datetime,
) -> City:
    points = _store_points(rng, stores, places)
    store_rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "name": name,
            "address": name,
            "lat": lat,
            "lng": lng,
            "service_radius_m": SERVICE_RADIUS_M,
            "service_area": None,
            "is_open": True,
            "prep_minutes": 2,
            "created_at": now,
            "updated_at": now,
        }
        for name, lat, lng in points
    ]
    await session.execute(insert(Store), store_rows)
    categories, products = build_catalog(rng, PRODUCTS, now)
    await session.execute(insert(Category), categories)
    await session.execute(insert(Product), products)
    aisles = {c["id"]: "A" for c in categories}
    stock = build_stock(rng, [s["id"] for s in store_rows], products, aisles, now)
    for row in stock:
        row["on_hand"] = ON_HAND
    await session.execute(insert(Stock), stock)
    await catalog.reindex_products(session, None)

    password_hash = security.hash_password(PASSWORD)
    phones = (f"{PHONE_PREFIX}{n:06d}" for n in range(1, 1_000_000))

    def user_row(role: str, name: str, store_id: str | None) -> dict[str, Any]:
        return {
            "id": new_id(),
            "phone": next(phones),
            "password_hash": password_hash,
            "name": name,
            "email": None,
            "role": role,
            "store_id": store_id,
            "is_active": True,
            "created_at": now,
            "updated_at": now,
        }

    staff = {
        s["id"]: [user_row("store_staff", f"Picker {i + 1}", s["id"]) for i in range(pickers)]
        for s in store_rows
    }
    homes = [rng.choice(places) for _ in range(customers)]
    shares = riders_by_demand([(s["lat"], s["lng"]) for s in store_rows], homes, riders)
    rider_stores = [row["id"] for row, n in zip(store_rows, shares, strict=True) for _ in range(n)]
    rider_users = [
        user_row("rider", f"Rider {n + 1}", store_id) for n, store_id in enumerate(rider_stores)
    ]
    customer_users = [user_row("customer", f"Customer {n + 1}", None) for n in range(customers)]
    everyone = [u for rows in staff.values() for u in rows] + rider_users + customer_users
    await session.execute(insert(User), everyone)

    sim_riders = []
    for n, user in enumerate(rider_users):
        made = await logistics.create_rider(
            session,
            user_id=user["id"],
            store_id=user["store_id"],
            vehicle=VEHICLES[n % len(VEHICLES)],
        )
        sim_riders.append(SimRider(made.user_id, made.id, made.store_id, made.vehicle))

    sim_customers = []
    for user, home in zip(customer_users, homes, strict=True):
        address = await users.add_address(
            session,
            user["id"],
            AddressCreate(
                label="Home",
                line1=home.label,
                city=home.city or "Helsinki",
                pincode=home.postcode or "00100",
                lat=home.lat,
                lng=home.lng,
            ),
        )
        sim_customers.append(SimCustomer(user["id"], address.id, home.lat, home.lng))

    sold: dict[str, list[str]] = {s["id"]: [] for s in store_rows}
    for row in stock:
        sold[row["store_id"]].append(row["product_id"])
    return City(
        stores=tuple(
            SimStore(
                s["id"], s["name"], s["lat"], s["lng"], s["prep_minutes"], tuple(sold[s["id"]])
            )
            for s in store_rows
        ),
        pickers={sid: tuple(u["id"] for u in rows) for sid, rows in staff.items()},
        riders=tuple(sim_riders),
        customers=tuple(sim_customers),
    )
