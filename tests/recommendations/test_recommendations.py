"""Recommendation rails on both databases: what each rail holds, the in-stock and not-in-cart
rules, popular items for a customer without history, refresh as orders arrive, the rebuild."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from kirana.catalog import service as catalog
from kirana.catalog.schemas import StockSet
from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.outbox import DEFER, OutboxEvent, drain
from kirana.recommendations import engine
from kirana.recommendations.jobs import rebuild_models
from kirana.recommendations.models import CustomerProduct, ProductOrders, ProductPair
from tests.kit.relays import race_two_relays
from tests.orders.shop import add_customer, fill_cart, make_shop, place

pytestmark = pytest.mark.asyncio


async def rail(client: httpx.AsyncClient, headers: dict[str, str], **params: object) -> dict:
    r = await client.get("/api/v1/me/recommendations", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def buy(client: httpx.AsyncClient, shop, db: Database, lines: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    await fill_cart(client, shop, lines=lines)
    r = await place(client, shop)
    assert r.status_code == 201, r.text
    await drain(db)


async def test_rails_follow_each_order_and_the_rules(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    shop = await make_shop(db, client, prices=(1000, 2000, 3000, 4000, 5000))
    p = shop.products
    # Refreshed as each order arrives: no rebuild between these.
    await buy(client, shop, db, {p[0]: 1, p[1]: 1})
    await buy(client, shop, db, {p[0]: 1, p[1]: 1})
    await buy(client, shop, db, {p[0]: 1, p[2]: 1})
    body = await rail(client, shop.headers, store_id=shop.store_id, kind="buy_again", limit=3)
    assert body["kind"] == "buy_again" and body["source"] == "personal"
    assert [i["id"] for i in body["items"]] == [p[0], p[1], p[2]]
    # Frequently bought together with p0: p1 (twice) before p2 (once), never p0 itself.
    body = await rail(
        client, shop.headers, store_id=shop.store_id, kind="bought_together", product_id=p[0]
    )
    ids = [i["id"] for i in body["items"]]
    assert ids[:2] == [p[1], p[2]] and p[0] not in ids
    # Never what is in the cart.
    await fill_cart(client, shop, lines={p[0]: 1})
    body = await rail(client, shop.headers, store_id=shop.store_id, kind="buy_again", limit=2)
    assert [i["id"] for i in body["items"]] == [p[1], p[2]]
    forgotten = await rail(client, shop.headers, store_id=shop.store_id, kind="forgotten")
    ids = [i["id"] for i in forgotten["items"]]
    assert ids[0] == p[1] and p[0] not in ids
    together = await rail(client, shop.headers, store_id=shop.store_id, kind="bought_together")
    assert together["items"][0]["id"] == p[1]  # the cart's partners
    # Only what is in stock at the store.
    async with db.transaction() as session:
        # Two units are held by the open orders: none left to sell.
        await catalog.set_stock(session, shop.store_id, p[1], StockSet(on_hand=2))
    body = await rail(client, shop.headers, store_id=shop.store_id, kind="buy_again", limit=1)
    assert [i["id"] for i in body["items"]] == [p[2]]
    assert all(i["in_stock"] for i in body["items"])
    # Trending is the rebuild's.
    assert (await rebuild_models(db, settings))["customers"] == 1
    trending = await rail(client, shop.headers, store_id=shop.store_id, kind="trending")
    assert trending["source"] == "personal"
    ids = [i["id"] for i in trending["items"]]
    assert ids[0] == p[2] and p[0] not in ids and p[1] not in ids


async def test_a_customer_without_history_gets_popular_items(
    client: httpx.AsyncClient, db: Database
) -> None:
    shop = await make_shop(db, client, prices=(1000, 2000, 3000))
    await buy(client, shop, db, {shop.products[2]: 3})
    _, headers, _ = await add_customer(db, client)
    for kind in ("buy_again", "forgotten", "bought_together"):
        body = await rail(client, headers, store_id=shop.store_id, kind=kind, limit=2)
        assert body["source"] == "popular", kind
        assert body["items"][0]["id"] == shop.products[2], kind  # the store's best seller
        assert len(body["items"]) == 2


async def test_the_rebuild_matches_the_incremental_refresh(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    shop = await make_shop(db, client, prices=(1000, 2000, 3000))
    p = shop.products
    await buy(client, shop, db, {p[0]: 1, p[1]: 1})
    await buy(client, shop, db, {p[2]: 1})
    before = await rail(client, shop.headers, store_id=shop.store_id, kind="buy_again")
    together = await rail(
        client, shop.headers, store_id=shop.store_id, kind="bought_together", product_id=p[0]
    )
    await rebuild_models(db, settings)
    assert await rail(client, shop.headers, store_id=shop.store_id, kind="buy_again") == before
    assert (
        await rail(
            client, shop.headers, store_id=shop.store_id, kind="bought_together", product_id=p[0]
        )
        == together
    )
    # The newer basket first: recency counts with frequency.
    assert [i["id"] for i in before["items"]][:1] == [p[2]]


async def _counts(db: Database) -> tuple[dict[str, int], dict[tuple[str, str], int], int]:
    async with db.transaction(write=False) as session:
        singles = {
            p: n
            for p, n in await session.execute(
                select(ProductOrders.product_id, ProductOrders.orders)
            )
        }
        pairs = {
            (a, b): n
            for a, b, n in await session.execute(
                select(ProductPair.product_id, ProductPair.other_id, ProductPair.orders)
            )
        }
        scored = await session.scalar(select(func.count()).select_from(CustomerProduct))
    return singles, pairs, int(scored or 0)


async def test_relays_side_by_side_count_every_paid_order_once(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """Two relays share the paid orders of customers buying the same products: no handler
    fails (no deadlock, no duplicate key), and the counts equal a rebuild from scratch."""
    shop = await make_shop(db, client, on_hand=500, prices=(1000, 2000, 3000, 4000, 5000))
    p = shop.products
    buyers, addresses = [shop.headers], [shop.address_id]
    for _ in range(2):
        _, headers, address_id = await add_customer(db, client)
        buyers.append(headers)
        addresses.append(address_id)
    for n in range(18):
        k = n % 3
        lines = {p[(n + i) % 5]: 1 for i in range(2 + n % 3)}
        await fill_cart(client, shop, headers=buyers[k], lines=lines)
        r = await place(client, shop, headers=buyers[k], address_id=addresses[k])
        assert r.status_code == 201, r.text
    # DEFER * 2: past the wait of an event held back for an earlier one of its order.
    await race_two_relays(db, batch=4, rounds=30, advance=DEFER * 2)
    async with db.transaction(write=False) as session:
        failed = (
            await session.execute(
                select(OutboxEvent.type, OutboxEvent.last_error).where(OutboxEvent.attempts > 0)
            )
        ).all()
    assert failed == []
    incremental = await _counts(db)
    assert sum(incremental[0].values()) == sum(2 + n % 3 for n in range(18))
    await rebuild_models(db, settings)
    assert await _counts(db) == incremental


async def test_bad_requests(client: httpx.AsyncClient, db: Database) -> None:
    shop = await make_shop(db, client)
    base = "/api/v1/me/recommendations"
    r = await client.get(base, params={"store_id": shop.store_id})
    assert r.status_code == 401
    for params, status in (
        ({"store_id": "NOPE"}, 404),
        ({"store_id": shop.store_id, "kind": "everything"}, 422),
        ({"store_id": shop.store_id, "limit": 0}, 422),
        ({"store_id": shop.store_id, "limit": 31}, 422),
        ({}, 422),
    ):
        r = await client.get(base, params=params, headers=shop.headers)
        assert r.status_code == status, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    body = await rail(
        client, shop.headers, store_id=shop.store_id, kind="bought_together", product_id="NOPE"
    )
    assert body["source"] == "popular"


def test_engine_weights_frequency_and_recency() -> None:
    history = [["a", "b"], ["a"], ["c"]]
    scores = engine.repeat_scores(history)
    assert engine.top(scores, 3) == ["a", "c", "b"]
    assert engine.top(scores, 3, exclude=["a"]) == ["c", "b"]
    pairs, singles = engine.pair_counts([["a", "b"], ["a", "b"], ["a", "c"]])
    partners = engine.pair_scores(pairs, singles)
    assert [b for b, _ in partners["a"]] == ["b", "c"]
