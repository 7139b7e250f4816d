"""Tables of the logistics service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit.db import Base, UTCDateTime
from kirana.kit.models import Timestamps, id_column


class Rider(Timestamps, Base):
    __tablename__ = "riders"
    __table_args__ = (
        CheckConstraint("vehicle IN ('bicycle','scooter','motorbike','on_foot')", name="vehicle"),
    )

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    store_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("stores.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    vehicle: Mapped[str] = mapped_column(String(16), nullable=False, default="scooter")
    is_online: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
