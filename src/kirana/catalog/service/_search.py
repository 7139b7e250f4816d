"""Catalog search: what a query finds in a store, in what order, with facets.

1. The query's words (``search_text.query_words``), and each synonym's expansion as another
   way of reading it ("cold drink" is also read as "soft drinks").
2. Each word is resolved against the vocabulary: itself, the words it starts (``banan`` ->
   ``bananas``), the words it is inside of (``nut`` -> ``peanut``), and the words within its
   typos (``mlik`` -> ``milk``), each with a weight. Typos are tried only for a word that is
   neither a word of the catalog nor the start of one.
3. The store's products whose documents hold any of those words (one indexed query), scored
   here, in Python, by the same code on both databases: every query word's best weight over
   the product's name (x1), brand (x0.85) and category (x0.6) words, averaged; products that
   match every word of a reading beat those that miss one (and when any matches all, only
   those are kept).
4. Order: in stock at this store first, then relevance, then popularity, then name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import search_repository as srepo
from kirana.catalog import search_text
from kirana.catalog.service._browse import (
    _cached_read,
    _item,
    _search_text,
    category_ids_of,
    category_tree,
    get_store,
)
from kirana.catalog.service._search_index import record_search, synonym_table
from kirana.config import Settings
from kirana.kit.errors import BadRequest
from kirana.kit.pagination import decode_cursor, encode_cursor

# Products scored per search at most (the most popular in-stock ones first). 200 finds the
# same top three as 500 did on the 100,000-product catalog (benchmarks/search.py) at less than
# half the scoring time: scoring was most of the tail's time in Python.
CANDIDATES = 200
WORDS_PER_LOOKUP = 60
WORDS_PER_TYPO = 60
FIELD_WEIGHTS = (1.0, 0.85, 0.6)  # name, brand, category
# A word found in the name and in the category too ("milk" in Toned Milk, under Milk) is what
# the customer meant more surely than in a name alone (Milk Toast, under Breads).
ALSO_CATEGORY = 0.15
EXACT, INFIX, TYPO1, TYPO2, TYPO_PREFIX = 1.0, 0.5, 0.8, 0.6, 0.7
SYNONYM = 0.95  # a reading through a synonym, against the words as typed


@dataclass(frozen=True, slots=True)
class Filters:
    category_ids: tuple[str, ...] | None = None
    brand: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None


NO_FILTERS = Filters()


@dataclass(slots=True)
class Reading:
    words: tuple[str, ...]
    factor: float


@dataclass(slots=True)
class Resolved:
    """What a query's words were taken to mean."""

    readings: list[Reading]
    weights: dict[str, dict[str, float]]
    corrections: dict[str, str] = field(default_factory=dict)

    def all_words(self) -> list[str]:
        return sorted({w for weights in self.weights.values() for w in weights})


@dataclass(slots=True)
class Hit:
    row: Any
    relevance: float
    complete: bool

    def sort_key(self) -> tuple[bool, float, int, str, str]:
        return (
            self.row.available <= 0,
            -round(self.relevance, 4),
            -self.row.popularity,
            self.row.name,
            self.row.id,
        )


def _prefix_weight(token: str, word: str) -> float:
    if word == token:
        return EXACT
    return max(0.7, 0.92 - 0.02 * (len(word) - len(token)))


def _typo_keys(token: str, allowed: int) -> set[str]:
    found = search_text.keys(token)
    if allowed >= 2:
        for d in search_text.deletes(token):
            found |= search_text.deletes(d)
    return found


def _typo_weight(token: str, word: str, allowed: int) -> float:
    """The weight of ``word`` as what ``token`` was mistyped for: within ``allowed`` edits of
    the word, or of how the word starts (a typo in a word still being typed), else 0."""
    d = search_text.distance(token, word)
    if 0 < d <= allowed:
        return TYPO1 if d == 1 else TYPO2
    if d == 0:
        return 0.0
    n = len(token)
    starts = (word[:k] for k in range(max(1, n - 1), min(n + 2, len(word))))
    if any(search_text.distance(token, start) <= allowed for start in starts):
        return TYPO_PREFIX
    return 0.0


async def _typo_words(session: AsyncSession, token: str, allowed: int) -> list[tuple[str, float]]:
    """Vocabulary words ``token`` may be a typo of, with their weights, likeliest first."""
    if allowed <= 0:
        return []
    found = []
    for word in await srepo.words_by_keys(session, _typo_keys(token, allowed), WORDS_PER_TYPO):
        weight = _typo_weight(token, word, allowed)
        if weight > 0:
            found.append((word, weight))
    return sorted(found, key=lambda ww: (-ww[1], abs(len(ww[0]) - len(token)), ww[0]))


async def _resolve_word(
    session: AsyncSession, token: str, *, sole: bool
) -> tuple[dict[str, float], str | None]:
    """(weight of each vocabulary word ``token`` may mean, its typo correction if it was one)."""
    weights: dict[str, float] = {}
    if len(token) >= 3:  # one trigram lookup: the words it starts, then those it is inside
        for word in await srepo.words_containing(session, token, WORDS_PER_LOOKUP):
            weights[word] = _prefix_weight(token, word) if word.startswith(token) else INFIX
    elif len(token) == 2 or sole:
        for word in await srepo.words_with_prefix(session, token, WORDS_PER_LOOKUP):
            weights[word] = _prefix_weight(token, word)
    elif token in await srepo.words_with_prefix(session, token, 1):
        weights[token] = EXACT
    if any(w.startswith(token) for w in weights):
        return weights, None
    typos = await _typo_words(session, token, search_text.allowed_typos(token))
    for word, weight in typos:
        weights[word] = max(weight, weights.get(word, 0.0))
    return weights, typos[0][0] if typos else None


def _readings(
    words: Sequence[str], synonyms: Sequence[tuple[tuple[str, ...], tuple[str, ...]]]
) -> list[Reading]:
    readings = [Reading(tuple(words), 1.0)]
    for term, expansion in synonyms:
        n = len(term)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == term:
                replaced = (*words[:i], *expansion, *words[i + n :])
                readings.append(Reading(tuple(dict.fromkeys(replaced)), SYNONYM))
                break
        if len(readings) == 4:
            break
    return readings


async def resolve(session: AsyncSession, settings: Settings, q: str) -> Resolved:
    words = search_text.query_words(q)
    readings = _readings(words, await synonym_table(session, settings)) if words else []
    weights: dict[str, dict[str, float]] = {}
    corrections: dict[str, str] = {}
    tokens = list(dict.fromkeys(w for r in readings for w in r.words))
    for token in tokens:
        weights[token], correction = await _resolve_word(session, token, sole=len(words) == 1)
        if correction is not None and token in words:
            corrections[token] = correction
    return Resolved(readings, weights, corrections)


def _score(row: Any, resolved: Resolved) -> Hit:
    field_of: dict[str, float] = {}
    name_words = row.name_words.split()
    category_words = set(row.category_words.split())
    for text, weight in zip(
        (row.category_words, row.brand_words, row.name_words), FIELD_WEIGHTS[::-1], strict=True
    ):
        for w in text.split():
            field_of[w] = weight  # name last: the strongest field wins
    best = Hit(row, 0.0, False)
    for reading in resolved.readings:
        total = 0.0
        matched = 0
        named: set[str] = set()
        for token in reading.words:
            weights = resolved.weights[token]
            top = 0.0
            top_word = ""
            for w, f in field_of.items():
                value = weights.get(w)
                if value is not None and value * f > top:
                    top, top_word = value * f, w
            if top > 0:
                matched += 1
                if top_word in category_words and field_of[top_word] > FIELD_WEIGHTS[2]:
                    top += ALSO_CATEGORY
                total += top
                named.add(top_word)
        if not reading.words:
            continue
        relevance = reading.factor * total / len(reading.words)
        # Of products that match equally, the one whose name is most covered by the query
        # ("farmfresh apples" -> FarmFresh Apples before FarmFresh Organic Apples).
        if name_words:
            relevance += 0.1 * len(named.intersection(name_words)) / len(name_words)
        complete = matched == len(reading.words)
        if (complete, relevance) > (best.complete, best.relevance):
            best = Hit(row, relevance, complete)
    return best


def _passes(hit: Hit, filters: Filters, skip: str = "") -> bool:
    """Whether ``hit`` passes every filter but ``skip`` (a facet counts without its own)."""
    if filters == NO_FILTERS:
        return True
    row = hit.row
    checks = (
        skip == "category"
        or filters.category_ids is None
        or row.category_id in filters.category_ids,
        skip == "brand" or filters.brand is None or row.brand == filters.brand,
        skip == "price" or filters.min_price is None or row.price >= filters.min_price,
        skip == "price" or filters.max_price is None or row.price <= filters.max_price,
        skip == "in_stock" or filters.in_stock is None or (row.available > 0) == filters.in_stock,
    )
    return all(checks)


def _facets(
    hits: Sequence[Hit], filters: Filters, category_names: dict[str, str]
) -> dict[str, Any]:
    categories: dict[str, int] = {}
    brands: dict[str, int] = {}
    in_stock = 0
    prices: list[int] = []
    for hit in hits:
        row = hit.row
        if _passes(hit, filters, "category"):
            categories[row.category_id] = categories.get(row.category_id, 0) + 1
        if row.brand and _passes(hit, filters, "brand"):
            brands[row.brand] = brands.get(row.brand, 0) + 1
        if row.available > 0 and _passes(hit, filters, "in_stock"):
            in_stock += 1
        if _passes(hit, filters, "price"):
            prices.append(row.price)
    return {
        "categories": [
            {"id": c, "name": category_names.get(c, ""), "count": n}
            for c, n in sorted(
                categories.items(), key=lambda cn: (-cn[1], category_names.get(cn[0], ""), cn[0])
            )
        ],
        "brands": [
            {"name": b, "count": n}
            for b, n in sorted(brands.items(), key=lambda bn: (-bn[1], bn[0]))
        ],
        "in_stock": in_stock,
        "price": {"min": min(prices), "max": max(prices)} if prices else None,
    }


@dataclass(slots=True)
class Result:
    hits: list[Hit]  # every hit passing the filters, in order
    facets: dict[str, Any]
    did_you_mean: str | None


async def _did_you_mean(
    session: AsyncSession, q: str, resolved: Resolved, found: bool
) -> str | None:
    words = search_text.query_words(q)
    if found:
        if not resolved.corrections:
            return None
        return " ".join(resolved.corrections.get(w, w) for w in words)
    # Nothing found: look one edit further for each word that resolved to nothing.
    corrected = []
    changed = False
    for w in words:
        if resolved.weights.get(w):
            corrected.append(resolved.corrections.get(w, w))
            changed |= w in resolved.corrections
            continue
        typos = await _typo_words(
            session, w, search_text.allowed_typos(w) + 1 if len(w) >= 4 else 0
        )
        if typos:
            corrected.append(typos[0][0])
            changed = True
        else:
            corrected.append(w)
    return " ".join(corrected) if changed else None


async def search(
    session: AsyncSession,
    settings: Settings,
    store_id: str,
    q: str,
    filters: Filters,
) -> Result:
    """Every hit of ``q`` in the store, ordered, with facets and a correction."""
    resolved = await resolve(session, settings, q)
    words = resolved.all_words()
    # First the products that match every word of a reading (the index does the AND: with a
    # big catalog, the cap then holds the best matches, not any); only if none does, any word.
    complete = [
        [sorted(resolved.weights[t]) for t in r.words]
        for r in resolved.readings
        if r.words and all(resolved.weights[t] for t in r.words)
    ]
    rows = await srepo.candidates(session, store_id, complete, CANDIDATES) if complete else []
    if not rows and words:
        rows = await srepo.candidates(session, store_id, [[words]], CANDIDATES)
    hits = [h for h in (_score(r, resolved) for r in rows) if h.relevance > 0]
    if any(h.complete for h in hits):
        hits = [h for h in hits if h.complete]
    hits.sort(key=Hit.sort_key)
    tree = await category_tree(session, settings)
    names = _category_names(tree.roots)
    facets = _facets(hits, filters, names)
    kept = [h for h in hits if _passes(h, filters)]
    return Result(kept, facets, await _did_you_mean(session, q, resolved, bool(hits)))


def _category_names(roots: Sequence[dict[str, Any]]) -> dict[str, str]:
    names: dict[str, str] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        names[node["id"]] = node["name"]
        stack.extend(node["children"])
    return names


def page_body(result: Result, offset: int, limit: int, cursor_of: Any) -> dict[str, Any]:
    page = result.hits[offset : offset + limit]
    more = len(result.hits) > offset + limit
    return {
        "items": [_item(h.row) for h in page],
        "next_cursor": cursor_of(offset + limit) if more else None,
        "total": len(result.hits),
        "facets": result.facets,
        "did_you_mean": result.did_you_mean,
    }


async def suggestions(
    session: AsyncSession, settings: Settings, store_id: str, q: str, limit: int
) -> list[dict[str, Any]]:
    """What to offer under the search box while the customer types ``q``."""
    result = await search(session, settings, store_id, q, Filters())
    found: list[dict[str, Any]] = []
    if result.did_you_mean:
        found.append({"text": result.did_you_mean, "kind": "correction"})
    for category in result.facets["categories"][:2]:
        found.append({"text": category["name"], "kind": "category", "category_id": category["id"]})
    names: set[str] = set()
    for hit in result.hits:
        if len(found) >= limit:
            break
        if hit.row.name in names:
            continue
        names.add(hit.row.name)
        found.append({"text": hit.row.name, "kind": "product", "product_id": hit.row.id})
    return found[:limit]


# --- the listing's q ------------------------------------------------------------------------


def _offset(cursor: str | None) -> int:
    key = decode_cursor(cursor, 1)
    if key is None:
        return 0
    if not isinstance(key[0], int) or isinstance(key[0], bool) or not 0 <= key[0] <= 10_000:
        raise BadRequest("The cursor is not one this API gave out", code="invalid_cursor")
    return key[0]


async def store_search_json(
    session: AsyncSession,
    settings: Settings,
    store_id: str,
    *,
    q: str,
    category_id: str | None,
    brand: str | None,
    min_price: int | None,
    max_price: int | None,
    in_stock: bool | None,
    cursor: str | None,
    limit: int,
) -> bytes:
    """A page of the store's hits for ``q`` as JSON bytes, with total, facets and correction;
    cached like the listing. The first page of each search is counted for the admins."""
    text = _search_text(q) or ""
    offset = _offset(cursor)

    async def build(session: AsyncSession) -> bytes:
        await get_store(session, settings, store_id)
        filters = Filters(
            await category_ids_of(session, settings, category_id),
            brand,
            min_price,
            max_price,
            in_stock,
        )
        result = await search(session, settings, store_id, text, filters)
        return orjson.dumps(page_body(result, offset, limit, lambda n: encode_cursor([n])))

    key = (
        "search",
        store_id,
        text,
        category_id,
        brand,
        min_price,
        max_price,
        in_stock,
        offset,
        limit,
    )
    body = await _cached_read(session, settings, key, build)
    if offset == 0:
        # Nothing found counts as a zero-result query only when no filter narrowed it.
        unfiltered = (category_id, brand, min_price, max_price, in_stock) == (None,) * 5
        record_search(settings, text, zero_results=unfiltered and b'"total":0,' in body)
    return body


async def suggestions_json(
    session: AsyncSession, settings: Settings, store_id: str, q: str, limit: int
) -> bytes:
    text = _search_text(q) or ""

    async def build(session: AsyncSession) -> bytes:
        await get_store(session, settings, store_id)
        found = await suggestions(session, settings, store_id, text, limit) if text else []
        return orjson.dumps({"query": text, "suggestions": found})

    return await _cached_read(session, settings, ("suggest", store_id, text, limit), build)
