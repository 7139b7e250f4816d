"""The recommendations service: rails read precomputed rows; the job and the order handler
write them. Its public interface.

Every rail answers in-stock products of the customer's store only, never one already in the
cart, in listing form; a customer without history gets the store's best sellers."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.orders import service as orders
from kirana.recommendations import engine
from kirana.recommendations import repository as repo
from kirana.recommendations.schemas import Kind

HISTORY = timedelta(days=180)  # the orders the models learn from
RANKED = 60  # candidates ranked per rail before the stock check
PARTNERS = engine.PAIRS_PER_PRODUCT


# --- serving ----------------------------------------------------------------------------------


async def _partner_scores(
    session: AsyncSession, seeds: list[str]
) -> dict[str, list[tuple[str, float]]]:
    rows = await repo.partners(session, seeds, PARTNERS)
    return {
        seed: sorted(
            ((other, engine.cosine(n, mine, theirs)) for other, n, mine, theirs in found),
            key=lambda os: (-os[1], os[0]),
        )
        for seed, found in rows.items()
    }


async def recommend(
    session: AsyncSession,
    settings: Settings,
    customer_id: str,
    store_id: str,
    kind: Kind,
    product_id: str | None,
    limit: int,
) -> dict[str, Any]:
    """One rail: ``{kind, items, source}``."""
    cart = await orders.cart_product_ids(session, customer_id)
    exclude = set(cart)
    scores: dict[str, float] = {}
    if kind == Kind.BUY_AGAIN:
        scores = await repo.customer_scores(session, customer_id, RANKED)
    elif kind == Kind.BOUGHT_TOGETHER:
        seeds = [product_id] if product_id else sorted(cart)
        exclude |= set(seeds)
        for found in (await _partner_scores(session, seeds[:10])).values():
            for other, score in found:
                scores[other] = scores.get(other, 0.0) + score
    elif kind == Kind.FORGOTTEN:
        repeat = await repo.customer_scores(session, customer_id, RANKED)
        if repeat:  # nothing to forget without history: popular items below
            partners = await _partner_scores(session, sorted(cart)[:10])
            popular = await repo.trending(session, store_id, engine.POPULAR_KEPT)
            scores = engine.next_basket(repeat, partners, popular, sorted(cart), len(repeat))
    else:
        scores = await repo.trending(session, store_id, RANKED)
    ranked = engine.top(scores, RANKED, exclude)
    items = await catalog.in_stock_items(
        session, settings, store_id, ranked, on_offer=False, limit=limit, fill=False
    )
    source = "personal" if items or kind == Kind.TRENDING else "popular"
    if len(items) < limit:
        # A customer without history, or a rail that ran short: the store's best sellers.
        chosen = {i["id"] for i in items} | exclude
        popular_items = await orders.popular_products(
            session, settings, store_id, on_offer=False, limit=limit + len(chosen)
        )
        items += [i for i in popular_items["items"] if i["id"] not in chosen][: limit - len(items)]
    return {"kind": kind, "items": items, "source": source}


# --- building ---------------------------------------------------------------------------------


async def rebuild(session: AsyncSession) -> dict[str, int]:
    """Rebuild every model from the paid orders of the last 180 days; returns row counts."""
    now = clock.now()
    purchases = await orders.purchases(session, now - HISTORY)
    history: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    dated: dict[str, list[tuple[float, tuple[str, ...]]]] = defaultdict(list)
    for p in purchases:
        history[p.customer_id].append(p.product_ids)
        dated[p.store_id].append(((now - p.placed_at).total_seconds() / 86400, p.product_ids))
    scores = {c: engine.repeat_scores(b) for c, b in history.items()}
    await repo.lock_for_rebuild(session)  # for the writes only, not the read above
    await repo.replace_customers(session, scores, everyone=True)
    pairs, singles = engine.pair_counts(p.product_ids for p in purchases)
    await repo.replace_pairs(session, pairs, singles)
    trending = {store: engine.popularity(baskets) for store, baskets in dated.items()}
    await repo.replace_trending(session, trending)
    # Search breaks ties between equally relevant products by what sells (catalog's column).
    everywhere = engine.popularity(b for baskets in dated.values() for b in baskets)
    await catalog.set_popularity(session, {p: round(w * 100) for p, w in everywhere.items()})
    return {"customers": len(history), "pairs": len(pairs), "stores": len(trending)}


async def orders_paid(session: AsyncSession, paid: list[tuple[str, str]]) -> None:
    """Refresh at once what paid orders ``(customer, order)`` change: their customers' repeat
    scores and the counts of their products and pairs (trending waits for the next rebuild).
    The customers' histories are read in one query and their scores replaced in one statement
    per table, their rows in key order, and each count row is written once, in key order."""
    since = clock.now() - HISTORY
    new_orders = {order_id for _, order_id in paid}
    customers = {customer_id for customer_id, _ in paid}
    history: dict[str, list[tuple[str, ...]]] = {c: [] for c in customers}
    baskets: list[tuple[str, ...]] = []
    for purchase in await orders.purchases(session, since, customers):  # oldest first
        history[purchase.customer_id].append(purchase.product_ids)
        if purchase.order_id in new_orders:
            baskets.append(purchase.product_ids)
    scores = {c: engine.repeat_scores(history[c]) for c in sorted(customers)}
    await repo.replace_customers(session, scores, everyone=False)
    pairs, singles = engine.pair_counts(baskets)
    await repo.add_counts(session, pairs, singles)
