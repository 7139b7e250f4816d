"""Catalog search: documents, vocabulary, typo keys, synonyms and query statistics

PostgreSQL: pg_trgm's GIN index on the vocabulary (infix lookups) and a GIN index on each
document's words as a tsvector (``array_to_tsvector``: the words go in as they are, PostgreSQL's
parser never splits them). SQLite: two FTS5 tables over the same rows, kept by triggers, one
with the trigram tokenizer over the vocabulary and one with the ascii tokenizer (which splits
on spaces only, as the words are already normalised) over the documents. Existing products are
indexed by ``kirana search reindex`` or the first start (``kirana up``).

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kirana.kit.db
from kirana.kit import clock
from kirana.kit.ids import new_id

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORD = sa.String(40).with_variant(sa.String(40, collation="C"), "postgresql")

SYNONYMS = [
    ("atta", "wheat flour"),
    ("dahi", "curd"),
    ("cold drink", "soft drinks"),
    ("cold drinks", "soft drinks"),
    ("soda", "soft drinks"),
    ("maida", "flour"),
    ("chawal", "rice"),
    ("doodh", "milk"),
    ("anda", "eggs"),
    ("aloo", "potatoes"),
    ("pyaz", "onions"),
    ("tamatar", "tomatoes"),
    ("bhindi", "okra"),
    ("baingan", "brinjal"),
    ("dhaniya", "coriander"),
    ("pudina", "mint"),
    ("adrak", "ginger"),
    ("lehsun", "garlic"),
    ("nimbu", "lemons"),
    ("chini", "sugar"),
    ("namak", "salt"),
    ("paneer", "cottage cheese"),
    ("makhan", "butter"),
    ("ghee", "clarified butter"),
    ("biscuit", "cookies"),
    ("chips", "crisps"),
    ("yoghurt", "yogurt"),
    ("detergent", "washing powder"),
]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("name_words", sa.Text(), nullable=False),
        sa.Column("brand_words", sa.Text(), nullable=False),
        sa.Column("category_words", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("popularity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_search_documents_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("product_id", name=op.f("uq_search_documents_product_id")),
    )
    op.create_table(
        "search_words",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("word", WORD, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_words")),
        sa.UniqueConstraint("word", name=op.f("uq_search_words_word")),
    )
    op.create_table(
        "search_word_keys",
        sa.Column("key", WORD, nullable=False),
        sa.Column("word", WORD, nullable=False),
        sa.PrimaryKeyConstraint("key", "word", name=op.f("pk_search_word_keys")),
    )
    op.create_table(
        "search_synonyms",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("expansion", sa.String(length=120), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonyms")),
        sa.UniqueConstraint("term", name=op.f("uq_search_synonyms_term")),
    )
    op.create_table(
        "search_query_stats",
        sa.Column("query", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("zero_results", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("query", "day", name=op.f("pk_search_query_stats")),
    )
    op.create_index("ix_search_query_stats_day", "search_query_stats", ["day"], unique=False)

    if postgresql:
        # fastupdate off: a new document is in the index itself at once, not in a pending list
        # that every search would scan until the next vacuum.
        op.execute(
            "CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)"
            " WITH (fastupdate = off)"
        )
        op.execute(
            "CREATE INDEX ix_search_documents_tsv ON search_documents"
            " USING gin (array_to_tsvector(string_to_array(words, ' ')))"
            " WITH (fastupdate = off)"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_words_fts USING fts5("
            "word, content='search_words', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER search_words_fts_ai AFTER INSERT ON search_words BEGIN"
            " INSERT INTO search_words_fts(rowid, word) VALUES (new.id, new.word); END"
        )
        op.execute(
            "CREATE TRIGGER search_words_fts_ad AFTER DELETE ON search_words BEGIN"
            " INSERT INTO search_words_fts(search_words_fts, rowid, word)"
            " VALUES ('delete', old.id, old.word); END"
        )
        op.execute(
            "CREATE VIRTUAL TABLE search_documents_fts USING fts5("
            "words, content='search_documents', content_rowid='id', tokenize='ascii')"
        )
        op.execute(
            "CREATE TRIGGER search_documents_fts_ai AFTER INSERT ON search_documents BEGIN"
            " INSERT INTO search_documents_fts(rowid, words) VALUES (new.id, new.words); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_fts_ad AFTER DELETE ON search_documents BEGIN"
            " INSERT INTO search_documents_fts(search_documents_fts, rowid, words)"
            " VALUES ('delete', old.id, old.words); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_fts_au AFTER UPDATE OF words ON search_documents"
            " BEGIN"
            " INSERT INTO search_documents_fts(search_documents_fts, rowid, words)"
            " VALUES ('delete', old.id, old.words);"
            " INSERT INTO search_documents_fts(rowid, words) VALUES (new.id, new.words); END"
        )

    synonyms = sa.table(
        "search_synonyms",
        sa.column("id", sa.String),
        sa.column("term", sa.String),
        sa.column("expansion", sa.String),
        sa.column("created_at", kirana.kit.db.UTCDateTime()),
        sa.column("updated_at", kirana.kit.db.UTCDateTime()),
    )
    now = clock.now()
    op.bulk_insert(
        synonyms,
        [
            {"id": new_id(), "term": t, "expansion": e, "created_at": now, "updated_at": now}
            for t, e in SYNONYMS
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in (
            "search_documents_fts_au",
            "search_documents_fts_ad",
            "search_documents_fts_ai",
            "search_words_fts_ad",
            "search_words_fts_ai",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_documents_fts")
        op.execute("DROP TABLE IF EXISTS search_words_fts")
    op.drop_index("ix_search_query_stats_day", table_name="search_query_stats")
    op.drop_table("search_query_stats")
    op.drop_table("search_synonyms")
    op.drop_table("search_word_keys")
    op.drop_table("search_words")
    op.drop_table("search_documents")
