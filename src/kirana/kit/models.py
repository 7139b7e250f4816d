"""Column helpers shared by every service's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock
from kirana.kit.db import UTCDateTime
from kirana.kit.ids import new_id


def id_column() -> Mapped[str]:
    return mapped_column(String(26), primary_key=True, default=new_id)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now, nullable=False
    )
