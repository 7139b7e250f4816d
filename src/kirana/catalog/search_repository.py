"""Every query of catalog search.

The two databases index differently and are asked the same questions, each in its own
spelling, with the same answers:

| question | PostgreSQL | SQLite |
|---|---|---|
| words starting with a prefix | range on ``search_words.word`` ("C" collation) | the same range |
| words containing a piece | ``LIKE '%piece%'``, pg_trgm GIN index | ``LIKE`` on the FTS5 trigram table |
| words within a typo | ``search_word_keys`` by key | the same |
| documents holding any of some words | ``tsvector @@ tsquery``, GIN index | FTS5 ``MATCH``, ascii tokenizer |

Words are always whole, normalised tokens (``search_text.words``): nothing here tokenises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, column, delete, func, literal_column, select, table, update
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import cast

from kirana.catalog.models import (
    Product,
    SearchDocument,
    SearchQueryStat,
    SearchSynonym,
    SearchWord,
    SearchWordKey,
    Stock,
)
from kirana.catalog.repository import LISTING_COLUMNS
from kirana.kit.db import dialect_insert, is_postgresql, table_of

_DOC = SearchDocument
# The FTS5 tables of SQLite (migration 0013): their rowid is the content row's id.
_WORDS_FTS = table("search_words_fts", column("rowid"), column("word"))
_DOCS_FTS = table("search_documents_fts", column("rowid"))
_TOP = "\U0010ffff"  # above every character: [prefix, prefix + _TOP) is "starts with prefix"
CHUNK = 500


def _insert(session: AsyncSession, model: Any) -> Any:
    return dialect_insert(session, table_of(model))


# --- the index ------------------------------------------------------------------------------


async def document_sources(
    session: AsyncSession, product_ids: Sequence[str] | None
) -> Sequence[Any]:
    """(id, name, brand, category_id) of ``product_ids``, or of every product."""
    query = select(Product.id, Product.name, Product.brand, Product.category_id)
    if product_ids is not None:
        query = query.where(Product.id.in_(product_ids))
    return (await session.execute(query.order_by(Product.id))).all()


async def product_ids_in(session: AsyncSession, category_ids: Sequence[str]) -> list[str]:
    query = select(Product.id).where(Product.category_id.in_(category_ids))
    return list((await session.execute(query)).scalars())


async def write_documents(session: AsyncSession, documents: Sequence[Mapping[str, str]]) -> None:
    """Insert or rewrite these products' documents (their popularity stays)."""
    if not documents:
        return
    statement = _insert(session, SearchDocument)
    statement = statement.on_conflict_do_update(
        index_elements=["product_id"],
        set_={
            name: statement.excluded[name]
            for name in ("name_words", "brand_words", "category_words", "words")
        },
    )
    await session.execute(statement, [dict(d) for d in documents])  # one executemany


async def known_words(session: AsyncSession, words: Iterable[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted(set(words))
    for start in range(0, len(wanted), CHUNK):
        query = select(SearchWord.word).where(SearchWord.word.in_(wanted[start : start + CHUNK]))
        found.update((await session.execute(query)).scalars())
    return found


async def add_words(
    session: AsyncSession, words: Sequence[str], keys: Sequence[tuple[str, str]]
) -> None:
    """Add words to the vocabulary with their typo keys (ones already there are kept)."""
    if words:  # executemany: one statement compiled once, whatever the number of rows
        statement = _insert(session, SearchWord).on_conflict_do_nothing(index_elements=["word"])
        await session.execute(statement, [{"word": w} for w in words])
    if keys:
        statement = _insert(session, SearchWordKey).on_conflict_do_nothing(
            index_elements=["key", "word"]
        )
        await session.execute(statement, [{"key": k, "word": w} for k, w in keys])


async def set_popularity(session: AsyncSession, scores: Mapping[str, int]) -> None:
    """Each product's popularity: ``scores`` for those named, 0 for every other."""
    await session.execute(
        update(table_of(SearchDocument)).where(SearchDocument.popularity != 0).values(popularity=0)
    )
    for product_id, score in scores.items():
        await session.execute(
            update(table_of(SearchDocument))
            .where(SearchDocument.product_id == product_id)
            .values(popularity=score)
        )


# --- lookups --------------------------------------------------------------------------------


async def words_with_prefix(session: AsyncSession, prefix: str, limit: int) -> list[str]:
    """Vocabulary words starting with ``prefix`` (itself included), shortest first."""
    query = (
        select(SearchWord.word)
        .where(SearchWord.word >= prefix, SearchWord.word < prefix + _TOP)
        .order_by(func.length(SearchWord.word), SearchWord.word)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def words_containing(session: AsyncSession, piece: str, limit: int) -> list[str]:
    """Vocabulary words with ``piece`` (three characters or more) inside: those starting with
    it first, then the shortest."""
    # Words hold letters and digits only: nothing in a pattern needs escaping.
    word: Any = SearchWord.word if is_postgresql(session) else _WORDS_FTS.c.word
    query = select(word).where(word.like(f"%{piece}%"))
    starts = case((word.like(f"{piece}%"), 0), else_=1)
    query = query.order_by(starts, func.length(word), word).limit(limit)
    return list((await session.execute(query)).scalars())


async def words_by_keys(session: AsyncSession, keys: Iterable[str], limit: int) -> list[str]:
    """Vocabulary words indexed under any of ``keys`` (typo candidates)."""
    query = (
        select(SearchWordKey.word)
        .where(SearchWordKey.key.in_(sorted(set(keys))))
        .distinct()
        .order_by(SearchWordKey.word)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


# A query for candidates: readings (any of them) of groups (all of them) of words (any).
Readings = Sequence[Sequence[Sequence[str]]]


def _tsquery(readings: Readings) -> str:
    return " | ".join(
        "(" + " & ".join("(" + " | ".join(f"'{w}'" for w in group) + ")" for group in reading) + ")"
        for reading in readings
    )


def _fts5_match(readings: Readings) -> str:
    return " OR ".join(
        "("
        + " AND ".join("(" + " OR ".join(f'"{w}"' for w in group) + ")" for group in reading)
        + ")"
        for reading in readings
    )


# The most popular matching documents looked at first (``candidates``), per candidate wanted.
FIRST_LOOK = 2


async def candidates(
    session: AsyncSession, store_id: str, readings: Readings, limit: int
) -> Sequence[Any]:
    """The store's active stocked products whose document matches ``readings`` (for one of
    them, a word of every group), in listing form with their document fields: in stock first,
    then the most popular, at most ``limit``.

    A broad word matches thousands of documents, and ordering them all by this store's stock
    means joining every one of them to it. So the ``FIRST_LOOK x limit`` most popular matches
    are joined first. That is exactly the answer if it looked at every match, or if ``limit``
    of them are in stock here (any match further down is less popular, so it ranks after them
    in stock or not); otherwise every match is ordered."""
    look = FIRST_LOOK * limit
    first = (await session.execute(_candidates(session, store_id, readings, limit, look))).all()
    if first and (
        first[0].considered < look or sum(1 for row in first if row.available > 0) >= limit
    ):
        return first
    return (await session.execute(_candidates(session, store_id, readings, limit, None))).all()


def _candidates(
    session: AsyncSession, store_id: str, readings: Readings, limit: int, look: int | None
) -> Any:
    """The candidates' query; with ``look``, among the ``look`` most popular matches only."""
    fields = (
        _DOC.product_id,
        _DOC.name_words,
        _DOC.brand_words,
        _DOC.category_words,
        _DOC.popularity,
    )
    if is_postgresql(session):
        tsvector = func.array_to_tsvector(func.string_to_array(_DOC.words, literal_column("' '")))
        tsquery = cast(_tsquery(readings), TSQUERY)
        matches = select(*fields).where(tsvector.op("@@")(tsquery))
    else:
        matches = (
            select(*fields)
            .select_from(_DOCS_FTS)
            .join(_DOC, _DOC.id == _DOCS_FTS.c.rowid)
            .where(literal_column("search_documents_fts").op("MATCH")(_fts5_match(readings)))
        )
    if look is not None:
        matches = matches.order_by(_DOC.popularity.desc(), _DOC.product_id).limit(look)
    matched = matches.cte("matched")
    available = Stock.on_hand - Stock.reserved
    considered = select(func.count()).select_from(matched).scalar_subquery()
    return (
        select(
            *LISTING_COLUMNS,
            matched.c.name_words,
            matched.c.brand_words,
            matched.c.category_words,
            matched.c.popularity,
            considered.label("considered"),
        )
        .select_from(matched)
        .join(Product, Product.id == matched.c.product_id)
        .join(Stock, and_(Stock.product_id == matched.c.product_id, Stock.store_id == store_id))
        .where(Product.is_active.is_(True))
        .order_by((available > 0).desc(), matched.c.popularity.desc(), Product.id)
        .limit(limit)
    )


# --- synonyms -------------------------------------------------------------------------------


async def synonym_rows(session: AsyncSession) -> Sequence[Any]:
    query = select(SearchSynonym.term, SearchSynonym.expansion).order_by(SearchSynonym.term)
    return (await session.execute(query)).all()


async def synonyms(session: AsyncSession) -> list[SearchSynonym]:
    query = select(SearchSynonym).order_by(SearchSynonym.term, SearchSynonym.id)
    return list((await session.execute(query)).scalars())


async def synonym(session: AsyncSession, synonym_id: str) -> SearchSynonym | None:
    return await session.get(SearchSynonym, synonym_id)


async def synonym_term_taken(session: AsyncSession, term: str, except_id: str | None) -> bool:
    query = select(SearchSynonym.id).where(SearchSynonym.term == term)
    if except_id is not None:
        query = query.where(SearchSynonym.id != except_id)
    return (await session.execute(query.limit(1))).first() is not None


async def delete_synonym(session: AsyncSession, synonym_id: str) -> None:
    await session.execute(delete(SearchSynonym).where(SearchSynonym.id == synonym_id))


# --- query statistics -----------------------------------------------------------------------


async def add_query_stats(
    session: AsyncSession, counts: Mapping[tuple[str, date], tuple[int, int]]
) -> None:
    """Add (searches, zero_results) to each (query, day)."""
    for (query, day), (searches, zero) in sorted(counts.items()):
        statement = _insert(session, SearchQueryStat).values(
            query=query, day=day, searches=searches, zero_results=zero
        )
        statement = statement.on_conflict_do_update(
            index_elements=["query", "day"],
            set_={
                "searches": SearchQueryStat.searches + statement.excluded.searches,
                "zero_results": SearchQueryStat.zero_results + statement.excluded.zero_results,
            },
        )
        await session.execute(statement)


async def query_stats(
    session: AsyncSession, since: date, *, zero_only: bool, limit: int
) -> Sequence[Any]:
    searches = func.sum(SearchQueryStat.searches).label("searches")
    zero = func.sum(SearchQueryStat.zero_results).label("zero_results")
    query = (
        select(SearchQueryStat.query, searches, zero)
        .where(SearchQueryStat.day >= since)
        .group_by(SearchQueryStat.query)
    )
    if zero_only:
        query = query.having(func.sum(SearchQueryStat.zero_results) > 0).order_by(
            zero.desc(), SearchQueryStat.query
        )
    else:
        query = query.order_by(searches.desc(), SearchQueryStat.query)
    return (await session.execute(query.limit(limit))).all()


async def unindexed_product_ids(session: AsyncSession, limit: int) -> list[str]:
    query = (
        select(Product.id)
        .outerjoin(SearchDocument, SearchDocument.product_id == Product.id)
        .where(SearchDocument.id.is_(None))
        .order_by(Product.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
