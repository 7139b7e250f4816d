"""The recommendation models, as pure functions over baskets: what the service's job builds and
what ``benchmarks/recommendations.py`` measures (the same code, no other path).

A customer's history is their baskets, oldest first, each a set of product ids.

* **Repeat** (buy it again): each product's weight is the sum, over the customer's baskets that
  held it, of ``RECENCY ** (baskets since)``, so frequency and recency count together; divided
  by the sum over all baskets, it is the share of recent baskets that held it.
* **Pairs** (frequently bought together): in how many baskets two products met, over all
  customers, damped by the partner's own popularity (``count / (n_i * n_j) ** 0.5``, cosine).
* **Popular** (trending): baskets holding each product, each counted ``TREND ** (days ago)``.
* **Next basket** (what the customer will buy next, "you may have forgotten"): the repeat
  weights, plus what the customer's recent products are bought with, plus a little popularity
  for a customer with little history, with the cart (if any) standing in as recent products.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

RECENCY = 0.85  # a basket's weight against the next newer one's
TREND = 0.93  # a day's weight against the next newer day's, for trending
PAIRS_PER_PRODUCT = 30
PAIR_WEIGHT = 0.35
POPULAR_WEIGHT = 0.05
CONTEXT_BASKETS = 3  # the newest baskets whose products lead to their partners
POPULAR_KEPT = 100  # products kept per trending list


def repeat_scores(history: Sequence[Iterable[str]]) -> dict[str, float]:
    """Each product's repeat weight in ``history`` (oldest first), between 0 and 1."""
    weights: dict[str, float] = defaultdict(float)
    total = 0.0
    n = len(history)
    for k, basket in enumerate(history):
        w = RECENCY ** (n - 1 - k)
        total += w
        for product in set(basket):
            weights[product] += w
    return {p: w / total for p, w in weights.items()} if total else {}


def pair_counts(baskets: Iterable[Iterable[str]]) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """(baskets holding each ordered pair, baskets holding each product)."""
    pairs: Counter[tuple[str, str]] = Counter()
    singles: Counter[str] = Counter()
    for basket in baskets:
        items = sorted(set(basket))
        singles.update(items)
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                pairs[(a, b)] += 1
                pairs[(b, a)] += 1
    return pairs, singles


def cosine(together: int, orders_a: int, orders_b: int) -> float:
    """How strongly two products go together: baskets holding both over the geometric mean of
    the baskets holding each."""
    return together / math.sqrt(orders_a * orders_b) if orders_a and orders_b else 0.0


def pair_scores(
    pairs: Mapping[tuple[str, str], int],
    singles: Mapping[str, int],
    per_product: int = PAIRS_PER_PRODUCT,
) -> dict[str, list[tuple[str, float]]]:
    """Each product's partners, best first: cosine of their basket counts."""
    partners: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (a, b), n in pairs.items():
        if n < 1:
            continue
        score = cosine(n, singles[a], singles[b])
        heap = partners[a]
        if len(heap) < per_product:
            heapq.heappush(heap, (score, b))
        elif (score, b) > heap[0]:
            heapq.heapreplace(heap, (score, b))
    return {a: [(b, s) for s, b in sorted(h, reverse=True)] for a, h in partners.items()}


def popularity(
    dated_baskets: Iterable[tuple[float, Iterable[str]]], limit: int = POPULAR_KEPT
) -> dict[str, float]:
    """The ``limit`` most popular products' trend weights, from (days ago, basket) pairs."""
    weights: dict[str, float] = defaultdict(float)
    for days_ago, basket in dated_baskets:
        w = TREND ** max(0.0, days_ago)
        for product in set(basket):
            weights[product] += w
    return {p: weights[p] for p in top(weights, limit)}


def next_basket(
    repeat: Mapping[str, float],
    partners: Mapping[str, Sequence[tuple[str, float]]],
    popular: Mapping[str, float],
    context: Iterable[str],
    history_size: int,
) -> dict[str, float]:
    """Scores of what the customer will want next: ``repeat`` (their repeat weights), the
    partners of ``context`` (their newest products, or the cart), and popularity, fading as
    the customer's own history grows."""
    scores: dict[str, float] = dict(repeat)
    seeds = list(dict.fromkeys(context))
    if seeds:
        share = PAIR_WEIGHT / len(seeds)
        for seed in seeds:
            strength = repeat.get(seed, 1.0 / max(1, history_size))
            for other, score in partners.get(seed, ()):
                scores[other] = scores.get(other, 0.0) + share * score * strength
    if popular:
        top = max(popular.values())
        fade = POPULAR_WEIGHT / (1 + history_size)
        for product, weight in popular.items():
            scores[product] = scores.get(product, 0.0) + fade * weight / top
    return scores


def context_of(history: Sequence[Iterable[str]], baskets: int = CONTEXT_BASKETS) -> list[str]:
    """The products of the newest ``baskets`` baskets, newest first."""
    seen: dict[str, None] = {}
    for basket in reversed(history[-baskets:]):
        for product in basket:
            seen.setdefault(product, None)
    return list(seen)


def top(scores: Mapping[str, float], k: int, exclude: Iterable[str] = ()) -> list[str]:
    """The ``k`` best of ``scores`` (ties by id), leaving out ``exclude``."""
    left_out = set(exclude)
    best = heapq.nsmallest(k + len(left_out), scores.items(), key=lambda ps: (-ps[1], ps[0]))
    return [p for p, _ in best if p not in left_out][:k]
