"""kirana_unmet(): how one statement of queued writes refuses to keep any of them

``kit.sql`` sends a request's queued writes as one statement of data-modifying CTEs. Outside a
transaction (checkout's autocommit unit of work) that statement must keep every write or none
when a write touched another number of rows than expected (a stock line taken, a key already
used). It then calls this function, which fails the statement with SQLSTATE KR409 and the row
counts in DETAIL. PostgreSQL only: SQLite runs the writes one by one in a transaction.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION kirana_unmet(counts bigint[]) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION 'a queued write touched an unexpected number of rows'
                USING ERRCODE = 'KR409', DETAIL = array_to_string(counts, ',');
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION kirana_unmet(bigint[])")
