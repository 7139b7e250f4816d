"""Tables of the logistics service: riders, deliveries and their breadcrumbs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock
from kirana.kit.db import Base, UTCDateTime
from kirana.kit.models import Timestamps, id_column, status_column
from kirana.kit.transitions import sql_in
from kirana.logistics.state import DeliveryStatus

# One open trip per rider (its drops are the rider's active deliveries).
OPEN_TRIP = "ended_at IS NULL"


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
    # The user's name when the rider was made, shown to customers on the tracking screen.
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="", server_default="")
    # The drop the rider is on now (the first not yet handed over of their trip); NULL while
    # idle. Claimed with a conditional update, so two dispatchers can never give one rider two
    # trips; it moves along the trip's drops in order.
    current_delivery_id: Mapped[str | None] = mapped_column(String(26))
    # Cash from cash-on-delivery orders the rider has not yet handed in: the running sum of the
    # rider's ledger (RiderCashEntry), moved by one conditional update per entry, so a
    # settlement can never take it below zero however many are raced.
    cash_held: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # Going off shift after the trip: asked for mid-trip, the rider finishes the trip's drops,
    # is given no new one, and the shift ends at the last drop's hand-over.
    off_after_trip: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )


class Delivery(Base):
    """Taking one order from its store to the customer."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint(sql_in("status", DeliveryStatus), name="status"),
        CheckConstraint("otp_attempts >= 0", name="otp_attempts_not_negative"),
        CheckConstraint(
            sql_in("status", (DeliveryStatus.WAITING, DeliveryStatus.CANCELLED))
            + " OR rider_id IS NOT NULL",
            name="rider_when_assigned",
        ),
        Index("ix_deliveries_store_status", "store_id", "status", "created_at"),
        Index("ix_deliveries_trip", "trip_id", "trip_seq"),
    )

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(String(26), nullable=False, unique=True)
    store_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("stores.id", ondelete="RESTRICT"), nullable=False
    )
    rider_id: Mapped[str | None] = mapped_column(
        String(26), ForeignKey("riders.id", ondelete="RESTRICT")
    )
    status: Mapped[DeliveryStatus] = status_column(
        DeliveryStatus, length=12, default=DeliveryStatus.WAITING
    )
    drop_lat: Mapped[float | None] = mapped_column(Float)
    drop_lng: Mapped[float | None] = mapped_column(Float)
    otp_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # What dispatch plans with, from the order's confirmation: the items in the bag, when the
    # promise runs out (confirmation + its p90; NULL for orders confirmed before trips) and
    # when the store packed it.
    items: Mapped[int | None] = mapped_column(Integer)
    promised_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The trip it rides on and its place among the trip's drops (0 first); NULL while waiting.
    trip_id: Mapped[str | None] = mapped_column(String(26))
    trip_seq: Mapped[int | None] = mapped_column(Integer)
    # Just-in-time picking: when the store should start picking so the bag is packed as the
    # rider reaches the store (NULL: at once).
    pick_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now, nullable=False
    )


TRIP_STRATEGIES = ("nearest", "batched", "fallback")


class DeliveryTrip(Base):
    """One rider's run from the store with one to three drops of that store, in order: made by
    dispatch (``strategy`` says which rule, ``fallback`` being the nearest-rider rule standing
    in for a solver that found no plan), ended when its last drop is handed over, cancelled or
    given back to the pool."""

    __tablename__ = "delivery_trips"
    __table_args__ = (
        CheckConstraint("strategy IN ('nearest','batched','fallback')", name="strategy"),
        Index("ix_delivery_trips_store", "store_id", "created_at"),
        Index(
            "uq_delivery_trips_open_rider",
            "rider_id",
            unique=True,
            sqlite_where=text(OPEN_TRIP),
            postgresql_where=text(OPEN_TRIP),
        ),
    )

    id: Mapped[str] = id_column()
    store_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("stores.id", ondelete="RESTRICT"), nullable=False
    )
    rider_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("riders.id", ondelete="RESTRICT"), nullable=False
    )
    strategy: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # The plan: when the rider should be at the store, leave it, and be back.
    at_store_by: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replans: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


CASH_KINDS = ("collected", "settled", "adjustment")


class RiderCashEntry(Base):
    """One line of a rider's cash ledger: cash collected at a hand-over (with what the customer
    tendered and the change given), a deposit an admin took from the rider, or an adjustment.
    ``amount`` is signed: what the entry did to the cash the rider holds."""

    __tablename__ = "rider_cash_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('collected','settled','adjustment')", name="kind"),
        CheckConstraint(
            "(kind = 'collected' AND amount >= 0 AND order_id IS NOT NULL"
            " AND tendered IS NOT NULL AND change_given IS NOT NULL"
            " AND tendered - change_given = amount)"
            " OR (kind = 'settled' AND amount < 0)"
            " OR (kind = 'adjustment' AND amount <> 0)",
            name="amount_matches_kind",
        ),
        CheckConstraint("held_after >= 0", name="held_after_not_negative"),
        UniqueConstraint("order_id", name="uq_rider_cash_entries_order"),
        UniqueConstraint("rider_id", "idempotency_key", name="uq_rider_cash_entries_key"),
        Index("ix_rider_cash_entries_rider", "rider_id", "id"),
    )

    id: Mapped[str] = id_column()
    rider_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("riders.id", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    held_after: Mapped[int] = mapped_column(Integer, nullable=False)
    # A collection's order and hand-over; NULL for the other kinds.
    order_id: Mapped[str | None] = mapped_column(String(26))
    delivery_id: Mapped[str | None] = mapped_column(String(26))
    tendered: Mapped[int | None] = mapped_column(Integer)
    change_given: Mapped[int | None] = mapped_column(Integer)
    # Who made the entry: the rider (a collection) or the admin who settled or adjusted.
    actor_id: Mapped[str] = mapped_column(String(26), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    note: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class RiderBreadcrumb(Base):
    """A sampled position of a rider on a delivery: the trip's trace."""

    __tablename__ = "rider_breadcrumbs"
    __table_args__ = (Index("ix_rider_breadcrumbs_delivery", "delivery_id", "recorded_at"),)

    id: Mapped[str] = id_column()
    rider_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("riders.id", ondelete="CASCADE"), nullable=False
    )
    delivery_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False
    )
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lng: Mapped[float] = mapped_column(Float, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class RiderShift(Base):
    """A rider's time on shift: from going online to going offline (``ended_at`` NULL while
    on shift), at the store the rider then belonged to. The fleet report adds these up."""

    __tablename__ = "rider_shifts"
    __table_args__ = (
        Index("ix_rider_shifts_rider", "rider_id", "started_at"),
        Index("ix_rider_shifts_store", "store_id", "started_at"),
        # At most one open shift per rider.
        Index(
            "uq_rider_shifts_open",
            "rider_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[str] = id_column()
    rider_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("riders.id", ondelete="CASCADE"), nullable=False
    )
    store_id: Mapped[str] = mapped_column(String(26), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
