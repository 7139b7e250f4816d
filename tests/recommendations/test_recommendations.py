"""Recommendation rails on both databases: what each rail holds, the in-stock and not-in-cart
rules, popular items for a customer without history, refresh as orders arrive, the rebuild."""

from __future__ import annotations

import httpx
import pytest

from kirana.catalog import service as catalog
from kirana.catalog.schemas import StockSet
from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.recommendations import engine
from kirana.recommendations.jobs import rebuild_models
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
