"""The payment state machine: every move of the table and nothing else."""

from __future__ import annotations

import pytest

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.transitions import InvalidTransition
from kirana.payments import repository as repo
from kirana.payments.state import OUTCOMES, PAYMENT, PaymentStatus
from tests.states import assert_schema_enum, assert_table

S = PaymentStatus
EXPECTED = {
    (S.PENDING, S.SUCCEEDED),
    (S.PENDING, S.FAILED),
    (S.PENDING, S.CANCELLED),
    (S.SUCCEEDED, S.REFUNDED),
    (S.CANCELLED, S.SUCCEEDED),
    (S.FAILED, S.SUCCEEDED),
}


def test_the_table_allows_exactly_these_moves() -> None:
    assert PAYMENT.pairs() == EXPECTED
    assert_table(PaymentStatus, EXPECTED, PAYMENT.check)
    assert OUTCOMES == (S.SUCCEEDED, S.FAILED, S.PENDING)


def test_openapi_names_the_statuses_as_an_enum() -> None:
    assert_schema_enum(PaymentStatus)


async def test_a_move_outside_the_table_is_refused_before_any_write(db: Database) -> None:
    async with db.transaction() as session:
        with pytest.raises(InvalidTransition):
            await repo.move_pending(
                session,
                "no-such-intent",
                status=S.SUCCEEDED,
                at=clock.now(),
                from_status=S.REFUNDED,
            )
