"""Column helpers shared by every service's tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

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


def status_column(vocabulary: type[S], *, length: int, default: S | None = None) -> Mapped[S]:
    """A status column holding ``vocabulary``'s values (read back as its members).

    Stored as a plain string column, so adding a status needs no type change; the table's own
    CHECK constraint (``kit.transitions.sql_in``) names the values.
    """
    return mapped_column(
        Enum(
            vocabulary,
            native_enum=False,
            create_constraint=False,
            length=length,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        nullable=False,
        default=default,
    )
