"""Pydantic shapes of the logistics service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kirana.kit.validation import Latitude, Longitude, Phone
from kirana.logistics.state import DeliveryStatus
from kirana.maps.schemas import RouteRead

Vehicle = Literal["bicycle", "scooter", "motorbike", "on_foot"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RiderCreate(Strict):
    user_id: str = Field(min_length=1, max_length=26)
    store_id: str = Field(min_length=1, max_length=26)
    vehicle: Vehicle = "scooter"


class ShiftIn(Strict):
    online: bool


class LocationIn(Strict):
    lat: Latitude
    lng: Longitude


# A hundred thousand in the currency's major unit: more cash than a rider carries.
MAX_CASH = 10_000_000


class CashTendered(Strict):
    """The cash a cash-on-delivery customer handed over, and the change the rider gave back
    (left out: tendered minus the amount due)."""

    tendered: int = Field(ge=0, le=MAX_CASH, description="Minor units the customer handed over.")
    change: int | None = Field(
        default=None, ge=0, le=MAX_CASH, description="Minor units given back; omitted: computed."
    )


class DeliveredIn(Strict):
    otp: str = Field(min_length=4, max_length=4, pattern=r"^\d{4}$")
    cash: CashTendered | None = Field(
        default=None,
        description="Cash on delivery: what was tendered and the change. Omitted: the exact"
        " amount due was collected.",
    )


class SettlementIn(Strict):
    amount: int = Field(gt=0, le=MAX_CASH, description="Minor units the rider deposited.")
    note: str | None = Field(default=None, max_length=200)


class AdjustmentIn(Strict):
    amount: int = Field(
        ge=-MAX_CASH, le=MAX_CASH, description="Signed minor units added to the cash held."
    )
    note: str = Field(min_length=3, max_length=200, description="Why: kept on the ledger.")


CashKind = Literal["collected", "settled", "adjustment"]


class CashEntryRead(BaseModel):
    id: str
    rider_id: str
    kind: CashKind
    amount: int = Field(description="Signed: what the entry did to the cash held.")
    currency: str
    held_after: int
    order_id: str | None
    tendered: int | None
    change: int | None
    by_id: str = Field(description="The rider (a collection) or the admin who settled.")
    by_name: str
    note: str | None
    at: datetime


class CashLedger(BaseModel):
    """A rider's cash: what they hold now, the totals and the ledger, newest first."""

    rider_id: str
    name: str
    store_id: str
    cash_held: int
    currency: str
    collected_total: int
    settled_total: int = Field(description="Deposits taken from the rider (positive).")
    adjustments_total: int
    items: list[CashEntryRead]
    next_cursor: str | None = None


class Position(BaseModel):
    lat: float
    lng: float


class RiderPosition(BaseModel):
    """Where the rider carrying an order is, for the customer's tracking screen."""

    name: str
    lat: float
    lng: float
    eta_minutes: int | None = Field(
        None,
        description="Minutes until the customer has the bag, from where the rider is: by the"
        " store while it is still to be picked up, then the trip's drops before this one (the"
        " ride to each and its hand-over) and the ride to this one.",
    )


class DeliveryRead(BaseModel):
    id: str
    order_id: str
    rider_id: str | None
    rider_name: str | None
    status: DeliveryStatus
    locked: bool = False


class CurrentDelivery(BaseModel):
    id: str
    order_id: str
    status: DeliveryStatus


class RiderRead(BaseModel):
    id: str
    user_id: str
    name: str
    store_id: str
    vehicle: Vehicle
    is_online: bool
    off_after_trip: bool = Field(
        False,
        description="Asked to go off shift mid-trip: no new trip is given, and the shift ends"
        " when this trip's last drop is handed over (is_online stays true until then).",
    )
    lat: float | None
    lng: float | None
    last_seen_at: datetime | None
    current_delivery: CurrentDelivery | None = None
    cash_held: int = Field(description="Cash-on-delivery cash not yet handed in.")


class StoreRef(BaseModel):
    id: str
    name: str
    lat: float
    lng: float


class DropAddress(BaseModel):
    line1: str
    city: str
    pincode: str
    lat: float
    lng: float
    instructions: str | None = None


class RiderTask(BaseModel):
    """A delivery as the rider's app shows it."""

    delivery_id: str
    order_id: str
    order_number: str
    status: DeliveryStatus
    store: StoreRef
    drop: DropAddress
    customer_name: str
    customer_phone: str
    items_count: int
    payment_method: str
    amount_to_collect: int
    currency: str
    locked: bool
    # The trip it rides on and its place in it (1 the first drop); the rider's tasks come in
    # that order.
    trip_id: str | None = None
    sequence: int | None = None


class DeliveredOut(BaseModel):
    delivery: DeliveryRead


class ServingStore(BaseModel):
    id: str
    name: str


class EtaRange(BaseModel):
    p50: int = Field(description="Minutes within which half of deliveries arrive.")
    p90: int = Field(description="Minutes within which nine in ten deliveries arrive.")


class Serviceability(BaseModel):
    serviceable: bool
    store: ServingStore | None
    eta_minutes: int | None = Field(description="The promise shown to the customer (the p50).")
    eta_range: EtaRange | None
    riders_available: int = Field(description="The store's riders on shift and free now.")
    eta_status: Literal["on_time", "riders_busy", "finding_rider"] | None = Field(
        description="on_time: a rider is free; riders_busy: every rider on shift is out on a"
        " delivery; finding_rider: no rider is on shift. The last two lengthen the range."
    )


# --- the team: store staff and riders, onboarded by admins -----------------------------------

TeamRole = Literal["store_staff", "rider"]


class TeamMemberCreate(Strict):
    """A picker or a rider of a store. No password: they sign in with a code sent to the phone
    (``/auth/otp``), and may set a password from their account afterwards."""

    role: TeamRole
    phone: Phone
    name: str = Field(min_length=1, max_length=120)
    store_id: str = Field(min_length=1, max_length=26)
    vehicle: Vehicle | None = Field(None, description="Riders only (default scooter).")


class TeamMemberUpdate(Strict):
    """Move someone to another store, rename them, change a rider's vehicle, or deactivate
    (and reactivate) the account. Every field is optional; at least one is needed."""

    name: str | None = Field(None, min_length=1, max_length=120)
    store_id: str | None = Field(None, min_length=1, max_length=26)
    vehicle: Vehicle | None = None
    is_active: bool | None = None


class TeamMember(BaseModel):
    user_id: str
    role: TeamRole
    phone: str
    name: str
    store_id: str | None
    is_active: bool
    created_at: datetime
    rider_id: str | None = None
    vehicle: Vehicle | None = None
    is_online: bool | None = None


class RiderRoute(BaseModel):
    """The route a rider follows now, turn by turn."""

    delivery_id: str
    order_number: str
    heading_to: Literal["store", "drop"] = Field(
        description="store: to pick up (then on to the drop); drop: the bag is on board"
    )
    route: RouteRead


class FleetFigures(BaseModel):
    """Time on shift split into busy (on a delivery: assigned to delivered or cancelled) and
    idle, and what it delivered, over the report's window."""

    online_seconds: int
    busy_seconds: int
    idle_seconds: int
    utilisation: float | None  # busy / online; null with no time on shift
    deliveries: int  # delivered in the window
    orders_per_rider_hour: float | None
    distance_m_per_order: float | None  # the riders' trails (straight store to door without one)


class FleetRider(FleetFigures):
    rider_id: str
    name: str
    store_id: str
    vehicle: str
    is_online: bool


class FleetReport(BaseModel):
    since: datetime
    until: datetime
    store_id: str | None
    totals: FleetFigures
    riders: list[FleetRider]
