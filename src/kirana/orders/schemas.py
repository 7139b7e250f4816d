"""Pydantic shapes of the orders service (and the dataclasses it hands to other services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kirana.orders.pricing import MAX_TIP
from kirana.orders.state import LineStatus, OrderStatus, SubstitutionStatus
from kirana.payments.schemas import PaymentRead
from kirana.payments.state import PaymentStatus


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Id = Field(min_length=1, max_length=26)


# --- cart -----------------------------------------------------------------------------------


class CartItemPut(Strict):
    quantity: int = Field(ge=0, le=1000)
    store_id: str = Field(min_length=1, max_length=26)


class CouponApply(Strict):
    code: str = Field(min_length=1, max_length=40)


class FeeLine(BaseModel):
    code: str
    label: str
    amount: int


class CartLine(BaseModel):
    product_id: str
    name: str
    unit: str
    quantity: int
    unit_price: int
    line_total: int
    mrp: int
    in_stock: bool
    available: int
    max_quantity: int


class CartWarning(BaseModel):
    code: str
    message: str
    product_id: str | None = None


class CartRead(BaseModel):
    store_id: str | None
    items: list[CartLine]
    subtotal: int
    fees: list[FeeLine]
    discount: int
    tip: int = 0
    total: int
    currency: str
    warnings: list[CartWarning]
    coupon_code: str | None


# --- orders ---------------------------------------------------------------------------------


class OrderCreate(Strict):
    address_id: str = Field(min_length=1, max_length=26)
    payment_method: Literal["card", "upi", "cod"]
    tip: int = Field(default=0, ge=0, le=MAX_TIP)
    delivery_instructions: str | None = Field(default=None, max_length=500)


class PaymentCreate(Strict):
    """Another payment for an unpaid order: another card, UPI, or cash on delivery."""

    payment_method: Literal["card", "upi", "cod"]


class CancelIn(Strict):
    reason: str | None = Field(default=None, max_length=200)


class PaymentSummary(BaseModel):
    id: str
    status: PaymentStatus
    provider: str
    refunded: int = Field(
        default=0, description="What has been given back of this payment so far, in minor units"
    )


class OrderItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: str
    name: str
    unit: str
    unit_price: int
    mrp: int
    quantity: int
    line_total: int
    aisle: str
    id: str
    status: LineStatus = Field(
        description=(
            "ordered or picked: on the bill; unavailable: the store had none, it left the bill;"
            " substituted: an approved substitute (the line whose substitute_for names it) took"
            " its place"
        )
    )
    substitute_for: str | None = Field(
        description="The id of the line this substitute replaced, else null"
    )


class SubstitutionRead(BaseModel):
    """A picker's offer of another product for one line, and the customer's answer."""

    id: str
    order_id: str
    line_id: str
    replaces: str = Field(description="The name of the product it replaces")
    product_id: str
    name: str
    unit: str
    quantity: int
    unit_price: int = Field(description="The store's price of the substitute")
    charged_unit_price: int = Field(
        description=(
            "What the customer pays a unit unless they agree to the store's price: never more,"
            " for the line, than the line it replaces"
        )
    )
    dearer: bool = Field(description="The store's price makes the line dearer than the original")
    status: SubstitutionStatus
    expires_at: datetime
    decided_at: datetime | None
    paid_difference: bool
    difference_payment: PaymentRead | None = Field(
        default=None,
        description=(
            "On an order paid by card or UPI, the payment of the store's dearer price asked for"
            " when the customer approved at that price: the substitute is approved once it"
            " succeeds (pay it like the order's payment)"
        ),
    )


class SubstitutionCreate(Strict):
    product_id: str = Id
    quantity: int = Field(ge=1, le=50)


class SubstitutionApprove(Strict):
    pay_difference: bool = Field(
        default=False,
        description=(
            "Agree to the store's price of a dearer substitute (a cash order: the rider collects"
            " it; a paid order is never charged more); otherwise it costs what the original did"
        ),
    )


class SubstituteCandidate(BaseModel):
    product_id: str
    name: str
    brand: str
    unit: str
    image_url: str | None
    price: int
    mrp: int
    available: int
    aisle: str
    dearer: bool = Field(description="Priced above the line it would replace, a unit")
    charged_unit_price: int = Field(
        description="What the customer would pay a unit for the line's quantity, unless they agree"
    )


class TimelineEntry(BaseModel):
    status: OrderStatus
    at: datetime
    actor: str
    actor_role: str
    note: str | None = None


class OrderSummary(BaseModel):
    id: str
    number: str
    status: OrderStatus
    store_id: str
    total: int
    currency: str
    item_count: int
    payment_method: str
    created_at: datetime


class OrderRead(OrderSummary):
    customer_id: str
    subtotal: int
    fees: list[FeeLine]
    fees_total: int
    discount: int
    tip: int
    coupon_code: str | None
    eta_minutes: int
    delivery_otp: str | None
    address: dict[str, Any]
    delivery_instructions: str | None
    cancel_reason: str | None
    confirmed_at: datetime | None
    items: list[OrderItemRead]
    timeline: list[TimelineEntry]
    payment: PaymentSummary | None
    substitutions: list[SubstitutionRead] = Field(
        default_factory=list, description="Substitutes the store proposed, newest first"
    )
    pay_by: datetime | None = Field(
        default=None,
        description=(
            "While the order awaits payment: when its payment window closes. Until then the "
            "customer may pay again (POST /api/v1/orders/{id}/payments); after it the order is "
            "cancelled and its items go back to the cart. Null once paid or cancelled."
        ),
    )


class RiderOnMap(BaseModel):
    name: str
    lat: float | None
    lng: float | None


class TrackingPoint(BaseModel):
    status: OrderStatus
    at: datetime


class TrackingRead(BaseModel):
    status: OrderStatus
    eta_minutes: int | None
    rider: RiderOnMap | None
    timeline: list[TrackingPoint]


# --- store operations -----------------------------------------------------------------------


class QueueEntry(BaseModel):
    id: str
    number: str
    status: OrderStatus
    item_count: int
    total: int
    created_at: datetime
    confirmed_at: datetime | None
    minutes_since_confirmed: int | None
    # Just-in-time picking: when to start so the bag is packed as its rider reaches the store
    # (null: now).
    pick_after: datetime | None = None


class PickLine(BaseModel):
    aisle: str
    product_id: str
    name: str
    unit: str
    quantity: int
    line_id: str
    status: LineStatus
    unit_price: int
    substitute_for: str | None


class PickList(BaseModel):
    id: str
    number: str
    status: OrderStatus
    store_id: str
    item_count: int
    confirmed_at: datetime | None
    delivery_instructions: str | None
    lines: list[PickLine]
    substitutions: list[SubstitutionRead] = Field(default_factory=list)


# --- coupons and fee rules (admin) ----------------------------------------------------------


class CouponCreate(Strict):
    """A new coupon. Its size is in a field named for its unit: ``amount_off`` (paise) for a
    flat coupon, ``percent_off`` (whole percent) for a percent one, so no number is read in a
    unit its sender did not mean."""

    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    description: str = Field(default="", max_length=200)
    kind: Literal["flat", "percent"]
    amount_off: int | None = Field(
        default=None, gt=0, le=10_000_000, description="A flat coupon's discount, in paise."
    )
    percent_off: int | None = Field(
        default=None, ge=1, le=100, description="A percent coupon's discount, in whole percent."
    )
    max_discount: int | None = Field(
        default=None, gt=0, le=10_000_000, description="The most a coupon takes off, in paise."
    )
    min_cart: int = Field(
        default=0, ge=0, le=100_000_000, description="The smallest subtotal, in paise."
    )
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    per_user_limit: int | None = Field(default=None, gt=0, le=1_000_000)
    global_limit: int | None = Field(default=None, gt=0, le=100_000_000)
    first_order_only: bool = False
    is_active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> CouponCreate:
        if self.kind == "flat" and (self.amount_off is None or self.percent_off is not None):
            raise ValueError("a flat coupon takes amount_off (paise) and no percent_off")
        if self.kind == "percent" and (self.percent_off is None or self.amount_off is not None):
            raise ValueError("a percent coupon takes percent_off (1-100) and no amount_off")
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CouponUpdate(Strict):
    description: str | None = Field(default=None, max_length=200)
    max_discount: int | None = Field(default=None, gt=0, le=10_000_000)
    min_cart: int | None = Field(default=None, ge=0, le=100_000_000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    per_user_limit: int | None = Field(default=None, gt=0, le=1_000_000)
    global_limit: int | None = Field(default=None, gt=0, le=100_000_000)
    first_order_only: bool | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _aware(self) -> CouponUpdate:
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone")
        return self


class CouponRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    description: str
    kind: str
    amount_off: int | None
    percent_off: int | None
    max_discount: int | None
    min_cart: int
    starts_at: datetime | None
    ends_at: datetime | None
    per_user_limit: int | None
    global_limit: int | None
    first_order_only: bool
    is_active: bool
    redeemed_count: int


_FEE_PARAMS = (
    "The rule's parameters: free_above and below in paise, start and end as HH:MM, timezone"
    " as an IANA name, orders_per_rider as a number."
)


class FeeRuleRead(BaseModel):
    code: str
    label: str
    enabled: bool
    amount: int = Field(description="The fee, in paise.")
    params: dict[str, Any] = Field(description=_FEE_PARAMS)


class FeeRuleUpdate(Strict):
    label: str | None = Field(default=None, min_length=1, max_length=80)
    enabled: bool | None = None
    amount: int | None = Field(default=None, ge=0, le=1_000_000, description="The fee, in paise.")
    params: dict[str, str | int | float] | None = Field(default=None, description=_FEE_PARAMS)


# --- the auditor ----------------------------------------------------------------------------


class Breach(BaseModel):
    kind: str
    detail: str
    data: dict[str, Any]


class AuditReport(BaseModel):
    ok: bool
    breaches: list[Breach]


# --- for other services (plain data across the boundary) ------------------------------------


@dataclass(frozen=True, slots=True)
class DropAddress:
    line1: str
    city: str
    pincode: str
    lat: float
    lng: float
    instructions: str | None


@dataclass(frozen=True, slots=True)
class DeliveryInfo:
    order_id: str
    number: str
    store_id: str
    status: OrderStatus
    drop: DropAddress
    customer_id: str
    customer_name: str
    customer_phone: str
    item_count: int
    total: int
    currency: str
    payment_method: str
    delivery_otp: str


@dataclass(frozen=True, slots=True)
class OrderBrief:
    order_id: str
    number: str
    customer_id: str
    store_id: str
    status: OrderStatus
    total: int
    currency: str
    payment_method: str


@dataclass(slots=True)
class OrderRow:
    """The columns of a new order, written with one Core insert."""

    id: str
    number: str
    customer_id: str
    store_id: str
    status: OrderStatus
    payment_method: str
    payment_id: str
    currency: str
    subtotal: int
    fees_total: int
    discount: int
    tip: int
    total: int
    fees: list[dict[str, Any]]
    coupon_code: str | None
    address: dict[str, Any]
    drop_lat: float
    drop_lng: float
    delivery_instructions: str | None
    delivery_otp: str
    eta_minutes: int
    eta_p90_minutes: int | None
    eta_inputs: dict[str, Any] | None
    item_count: int
    confirmed_at: datetime | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime


class PromiseFigures(BaseModel):
    """Delivered orders held to their promise. The error is actual minus promised (the p50)
    minutes: positive late, negative early; its p10 and p90 show its spread."""

    orders: int
    on_time: int = Field(description="Delivered within the promised p90.")
    on_time_share: float | None
    error_mean: float | None
    error_median: float | None
    error_p10: float | None
    error_p90: float | None


class PromiseHour(PromiseFigures):
    hour: datetime = Field(
        description="The start of the hour (UTC) the orders were handed over in."
    )


class PromiseStore(PromiseFigures):
    store_id: str
    store_name: str
    hours: list[PromiseHour]


class PromiseReport(BaseModel):
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    store_id: str | None
    overall: PromiseFigures
    stores: list[PromiseStore]
