"""coupons: amount_off (paise) and percent_off (whole percent) in place of value

``value`` was paise for a flat coupon and basis points for a percent one, while the admin form
sent whole percent: a "50% off" coupon took 0.5% off. Each unit now has a column named for it.

Existing percent coupons: a value of 100 or less came from the admin form, whose table showed
it as that many percent, so it is kept as whole percent; a larger one was sent in basis points
through the API and is rounded half up to whole percent.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MATCHES_KIND = (
    "(kind = 'flat' AND amount_off > 0 AND percent_off IS NULL)"
    " OR (kind = 'percent' AND percent_off BETWEEN 1 AND 100 AND amount_off IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("coupons") as batch:
        batch.add_column(sa.Column("amount_off", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("percent_off", sa.Integer(), nullable=True))
    op.execute("UPDATE coupons SET amount_off = value WHERE kind = 'flat'")
    op.execute(
        "UPDATE coupons SET percent_off ="
        " CASE WHEN value <= 100 THEN value ELSE (value + 50) / 100 END"
        " WHERE kind = 'percent'"
    )
    with op.batch_alter_table("coupons") as batch:
        batch.drop_constraint(op.f("ck_coupons_percent_within_100"), type_="check")
        batch.drop_constraint(op.f("ck_coupons_value_positive"), type_="check")
        batch.drop_column("value")
        batch.create_check_constraint(op.f("ck_coupons_off_matches_kind"), _MATCHES_KIND)


def downgrade() -> None:
    with op.batch_alter_table("coupons") as batch:
        batch.add_column(sa.Column("value", sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE coupons SET value = amount_off WHERE kind = 'flat'")
    op.execute("UPDATE coupons SET value = percent_off * 100 WHERE kind = 'percent'")
    with op.batch_alter_table("coupons") as batch:
        batch.drop_constraint(op.f("ck_coupons_off_matches_kind"), type_="check")
        batch.drop_column("amount_off")
        batch.drop_column("percent_off")
        batch.alter_column("value", server_default=None)
        batch.create_check_constraint(op.f("ck_coupons_value_positive"), "value > 0")
        batch.create_check_constraint(
            op.f("ck_coupons_percent_within_100"), "kind = 'flat' OR value <= 10000"
        )
