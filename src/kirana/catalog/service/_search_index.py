"""Keeping the search index: product documents and the vocabulary, synonyms, query statistics.

Documents are written in the transaction that changes a product or renames a category, so a
search in the next request sees the change (stock is never copied into the index: search joins
the live stock rows). Synonyms are read through the catalog cache, which an edit bumps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import cache, search_text
from kirana.catalog import repository as repo
from kirana.catalog import search_repository as srepo
from kirana.catalog.errors import SynonymNotFound, SynonymTaken
from kirana.catalog.models import SearchSynonym
from kirana.catalog.schemas import QueryStat, SynonymRead, SynonymWrite
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.errors import ValidationFailed
from kirana.kit.ids import new_id

# --- documents ------------------------------------------------------------------------------


async def reindex_products(session: AsyncSession, product_ids: Sequence[str] | None) -> int:
    """Rewrite the search documents of ``product_ids`` (every product if None) from the
    products and the category tree as this transaction sees them; returns how many."""
    categories = {r.id: r for r in await repo.all_category_rows(session)}

    def category_names(category_id: str) -> list[str]:
        names: list[str] = []
        seen: set[str] = set()
        current: str | None = category_id
        while current is not None and current in categories and current not in seen:
            seen.add(current)
            names.append(categories[current].name)
            current = categories[current].parent_id
        return names

    documents: list[dict[str, str]] = []
    for row in await srepo.document_sources(session, product_ids):
        category_words = search_text.document(category_names(row.category_id))
        documents.append(
            {
                "product_id": row.id,
                "name_words": search_text.document([row.name]),
                "brand_words": search_text.document([row.brand]),
                "category_words": category_words,
                "words": search_text.document([row.name, row.brand, category_words]),
            }
        )
    if not documents:
        return 0
    vocabulary = {w for d in documents for w in d["words"].split()}
    new_words = sorted(vocabulary - await srepo.known_words(session, vocabulary))
    keys = [(k, w) for w in new_words for k in sorted(search_text.keys(w))]
    await srepo.add_words(session, new_words, keys)
    await srepo.write_documents(session, documents)
    cache.mark_changed(session)
    return len(documents)


async def reindex_category(session: AsyncSession, category_id: str) -> int:
    """Rewrite the documents of every product in this category or under it (after a rename
    or a move)."""
    children: dict[str | None, list[str]] = {}
    for r in await repo.all_category_rows(session):
        children.setdefault(r.parent_id, []).append(r.id)
    subtree, stack = [], [category_id]
    while stack:
        current = stack.pop()
        subtree.append(current)
        stack.extend(children.get(current, ()))
    return await reindex_products(session, await srepo.product_ids_in(session, subtree))


async def set_popularity(session: AsyncSession, scores: dict[str, int]) -> None:
    """How popular each product is (recent units sold), the tie-break between equally relevant
    hits; products not named go back to 0."""
    await srepo.set_popularity(session, scores)
    cache.mark_changed(session)


# --- synonyms -------------------------------------------------------------------------------


async def synonym_table(
    session: AsyncSession, settings: Settings
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(term words, expansion words) of every synonym; cached."""

    async def build() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        table = []
        for row in await srepo.synonym_rows(session):
            term = tuple(search_text.words(row.term))
            expansion = tuple(search_text.words(row.expansion))
            if term and expansion and term != expansion:
                table.append((term, expansion))
        return table

    return await cache.get_or_build(settings, ("search.synonyms",), build)


def _checked(data: SynonymWrite) -> tuple[str, str]:
    term = " ".join(search_text.words(data.term))
    expansion = " ".join(search_text.words(data.expansion))
    if not term:
        raise ValidationFailed(
            "The term has no letters or digits",
            errors=[{"field": "term", "message": "needs a letter or digit"}],
        )
    if not expansion:
        raise ValidationFailed(
            "The expansion has no letters or digits",
            errors=[{"field": "expansion", "message": "needs a letter or digit"}],
        )
    if term == expansion:
        raise ValidationFailed(
            "The expansion must differ from the term",
            errors=[{"field": "expansion", "message": "must differ from the term"}],
        )
    return term, expansion


async def list_synonyms(session: AsyncSession) -> list[SynonymRead]:
    return [SynonymRead.model_validate(s) for s in await srepo.synonyms(session)]


async def create_synonym(session: AsyncSession, data: SynonymWrite) -> SynonymRead:
    term, expansion = _checked(data)
    if await srepo.synonym_term_taken(session, term, None):
        raise SynonymTaken(f"The term {term!r} already has a synonym; edit that one")
    synonym = SearchSynonym(id=new_id(), term=term, expansion=expansion)
    session.add(synonym)
    await session.flush()
    cache.mark_changed(session)
    return SynonymRead.model_validate(synonym)


async def update_synonym(session: AsyncSession, synonym_id: str, data: SynonymWrite) -> SynonymRead:
    synonym = await srepo.synonym(session, synonym_id)
    if synonym is None:
        raise SynonymNotFound(f"No synonym with id {synonym_id}")
    term, expansion = _checked(data)
    if await srepo.synonym_term_taken(session, term, synonym_id):
        raise SynonymTaken(f"The term {term!r} already has a synonym; edit that one")
    synonym.term, synonym.expansion = term, expansion
    await session.flush()
    cache.mark_changed(session)
    return SynonymRead.model_validate(synonym)


async def delete_synonym(session: AsyncSession, synonym_id: str) -> None:
    if await srepo.synonym(session, synonym_id) is None:
        raise SynonymNotFound(f"No synonym with id {synonym_id}")
    await srepo.delete_synonym(session, synonym_id)
    cache.mark_changed(session)


# --- query statistics -----------------------------------------------------------------------
# Searches are counted in the process and written by the worker's flush (a GET never writes):
# the normalised words only, no caller, no store, and nothing that looks like a phone number or
# an e-mail address.

_PERSONAL = re.compile(r"\d{6,}|@")
# Per database URL (one in a deployment; tests run apps over many in one process).
_pending: dict[str, Counter[tuple[str, date]]] = {}
_pending_zero: dict[str, Counter[tuple[str, date]]] = {}
MAX_PENDING = 10_000


def stat_key(q: str) -> str | None:
    """What a query is recorded as, or None when it is not recorded."""
    if _PERSONAL.search(q):
        return None
    text = " ".join(search_text.query_words(q))[:100]
    return text or None


def record_search(settings: Settings, q: str, *, zero_results: bool) -> None:
    """Count one search of ``q`` (and whether it found nothing) for the next flush."""
    key = stat_key(q)
    if key is None:
        return
    pending = _pending.setdefault(settings.database_url, Counter())
    slot = (key, clock.now().date())
    if slot not in pending and len(pending) >= MAX_PENDING:
        return  # the flush is behind; drop rather than grow without bound
    pending[slot] += 1
    if zero_results:
        _pending_zero.setdefault(settings.database_url, Counter())[slot] += 1


async def flush_search_stats(session: AsyncSession, settings: Settings) -> int:
    """Write the searches counted in this process; returns how many (query, day) rows."""
    pending = _pending.pop(settings.database_url, None)
    zero = _pending_zero.pop(settings.database_url, Counter())
    if not pending:
        return 0
    await srepo.add_query_stats(session, {s: (n, zero.get(s, 0)) for s, n in pending.items()})
    return len(pending)


async def query_stats(
    session: AsyncSession, *, days: int, zero_only: bool, limit: int
) -> list[QueryStat]:
    since = clock.now().date() - timedelta(days=days - 1)
    rows = await srepo.query_stats(session, since, zero_only=zero_only, limit=limit)
    return [
        QueryStat(query=r.query, searches=int(r.searches), zero_results=int(r.zero_results))
        for r in rows
    ]
