"""Column helpers shared by every service's tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from kirana.kit import clock
from kirana.kit.db import UTCDateTime
from kirana.kit.ids import new_id

S = TypeVar("S", bound=StrEnum)


def id_column() -> Mapped[str]:
    return mapped_column(String(26), primary_key=True, default=new_id)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now, nullable=False
    )


class StatusType(TypeDecorator[str]):
    """A status column: stored as a plain string, read back as its vocabulary's member; a value
    outside the vocabulary is refused before it reaches the database."""

    impl = String
    cache_ok = True

    def __init__(self, vocabulary: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.vocabulary = vocabulary

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.vocabulary(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.vocabulary(value)


def status_column(vocabulary: type[S], *, length: int, default: S | None = None) -> Mapped[S]:
    """A status column holding ``vocabulary``'s values; the table's own CHECK constraint
    (``kit.transitions.sql_in``) names them to the database."""
    return mapped_column(StatusType(vocabulary, length), nullable=False, default=default)
