"""Drop kirana_unmet(): checkout's writes run in the request's transaction now

The function let one autocommit statement of queued writes refuse to keep any of them. Checkout
runs in one transaction on both databases, and a refusal rolls that transaction back, so
nothing calls it any more.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS kirana_unmet(bigint[])")


def downgrade() -> None:
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
