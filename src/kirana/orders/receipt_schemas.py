"""The itemised receipt of an order, as the API serves it (composed by ``orders.receipt``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from kirana.orders.schemas import FeeLine
from kirana.orders.state import OrderStatus
from kirana.payments.schemas import PaidLine, RefundLine

RemovedBecause = Literal["out_of_stock", "substitute_declined", "substitute_lapsed"]


class ReplacedLine(BaseModel):
    """The line a substitute took the place of, as it was ordered."""

    line_id: str
    name: str
    unit: str
    quantity: int
    unit_price: int
    line_total: int


class ReceiptLine(BaseModel):
    """One line of a receipt, at the price the customer pays for it."""

    line_id: str
    product_id: str
    name: str
    unit: str
    quantity: int
    unit_price: int
    line_total: int = Field(description="quantity x unit_price")
    mrp: int
    replaces: ReplacedLine | None = Field(
        description="A substitute: the line of the order it replaced (the first one, through"
        " a substitute of a substitute)"
    )
    store_unit_price: int | None = Field(
        description="A substitute: the store's price a unit; unit_price is lower when the"
        " customer did not agree to a dearer one"
    )
    paid_difference: bool = Field(
        description="A dearer substitute the customer agreed to pay the store's price for"
    )
    removed_because: RemovedBecause | None = Field(
        description="A removed line: why it left the bill; null on the bill's lines"
    )


class CashPaid(BaseModel):
    """Cash the rider collected at the door."""

    amount: int = Field(description="What the cash paid: tendered - change")
    tendered: int
    change: int
    rider_name: str
    at: datetime


class ReceiptStore(BaseModel):
    id: str
    name: str
    address: str


class ReceiptRead(BaseModel):
    """An order's itemised receipt as picked, with every payment and refund. Money is in
    minor units and adds up exactly: sum(lines.line_total) = subtotal; subtotal + fees_total
    - discount + tip = total; paid - refunded = net_paid (sum(payments.amount) = paid,
    sum(refunds.amount) = refunded); balance_due = total - net_paid (0 once cancelled)."""

    order_id: str
    number: str
    status: OrderStatus
    currency: str
    payment_method: str
    placed_at: datetime
    delivered_at: datetime | None
    store: ReceiptStore
    customer_name: str
    address: dict[str, Any]
    lines: list[ReceiptLine] = Field(description="The bill's lines, as picked")
    removed: list[ReceiptLine] = Field(description="Lines that left the bill while picking")
    item_count: int
    subtotal: int
    fees: list[FeeLine]
    fees_total: int
    delivery_fee: int = Field(description="The fee of code 'delivery', 0 when free")
    coupon_code: str | None
    discount: int
    tip: int
    total: int = Field(description="What the order costs, as picked")
    mrp_savings: int = Field(description="sum over the lines of (mrp - unit_price) x quantity")
    payments: list[PaidLine] = Field(description="Every capture, oldest first")
    refunds: list[RefundLine] = Field(description="Every refund, oldest first")
    paid: int
    refunded: int
    net_paid: int
    balance_due: int = Field(
        description="Still to pay (a cash order before the hand-over; an unpaid order); 0 once"
        " paid, or cancelled"
    )
    cash: CashPaid | None = Field(description="Cash on delivery: what the rider collected")
