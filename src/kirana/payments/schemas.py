"""Pydantic shapes of the payments service."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kirana.payments.state import PaymentStatus

PaymentMethod = Literal["card", "upi", "cod"]


class PaymentRead(BaseModel):
    id: str
    status: PaymentStatus
    provider: str
    amount: int
    currency: str
    order_id: str
    method: PaymentMethod
    captured_amount: int = 0
    refunded_amount: int = 0


class ConfirmOut(PaymentRead):
    """The answer to a confirm: ``status`` is succeeded, failed or pending (UPI collect)."""

    failure_reason: str | None = None


class ConfirmIn(BaseModel):
    """Sandbox instrument: exactly one of a test card number or a UPI address."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    card_number: str | None = Field(default=None, max_length=30, examples=["4242424242424242"])
    upi_vpa: str | None = Field(default=None, max_length=100, examples=["success@upi"])

    @field_validator("card_number")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[ -]", "", value)
        if not re.fullmatch(r"\d{12,19}", digits):
            raise ValueError("a card number is 12 to 19 digits")
        return digits

    @field_validator("upi_vpa")
    @classmethod
    def _vpa(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"[A-Za-z0-9.\-_]{2,64}@[A-Za-z0-9]{2,32}", value):
            raise ValueError("a UPI address looks like name@bank")
        return value.lower()

    @model_validator(mode="after")
    def _exactly_one(self) -> ConfirmIn:
        if (self.card_number is None) == (self.upi_vpa is None):
            raise ValueError("send exactly one of card_number or upi_vpa")
        return self


class RefundRead(BaseModel):
    id: str
    payment_id: str
    amount: int
    reason: str


RefundStatus = Literal["pending", "sent", "failed"]


class AdminRefundRead(BaseModel):
    """A refund as admins see it: where it stands with the provider, and its last error."""

    id: str
    payment_id: str
    order_id: str
    provider: str
    amount: int
    currency: str
    reason: str
    status: RefundStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool = False


class CheckoutRead(BaseModel):
    """What the web app needs to run the provider's own payment flow (Stripe.js or Razorpay
    Checkout) for this payment, in the test or live mode its public key names."""

    payment_id: str
    provider: Literal["stripe", "razorpay"]
    public_key: str
    script_url: str
    amount: int
    currency: str
    # Stripe: for ``stripe.confirmCardPayment(client_secret, ...)``.
    client_secret: str | None = None
    # Razorpay: the ``order_id`` Checkout opens.
    provider_order_id: str | None = None


class RazorpayCallbackIn(BaseModel):
    """What Razorpay Checkout's ``handler`` receives when the customer has paid."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    razorpay_payment_id: str = Field(min_length=1, max_length=64, pattern=r"^pay_[A-Za-z0-9]+$")
    razorpay_order_id: str = Field(min_length=1, max_length=64, pattern=r"^order_[A-Za-z0-9]+$")
    razorpay_signature: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")


class MethodSetup(BaseModel):
    """Who takes one payment method, and what the browser needs to run that provider's flow."""

    provider: Literal["sandbox", "stripe", "razorpay", "cod"]
    # Stripe's publishable key or Razorpay's key id: public, handed to the provider's script.
    public_key: str | None = None
    # Stripe.js or Razorpay Checkout, loaded by the web app from here (the page's
    # Content-Security-Policy allows this origin).
    script_url: str | None = None
    # The provider's test mode (``pk_test_``, ``rzp_test_``; the sandbox is always a test).
    test_mode: bool = True


class PaymentSetup(BaseModel):
    """The payment methods offered and who takes each; ``upi`` is null when UPI is not offered
    (Stripe takes cards only, and Razorpay's keys are not set)."""

    card: MethodSetup
    upi: MethodSetup | None
    cod: MethodSetup


class PaidLine(BaseModel):
    """Money captured for an order, as its receipt shows it: the order's own payment, a
    substitute's difference, or a capture on a payment we had voided (given back in full)."""

    payment_id: str
    kind: Literal["order", "difference", "late"]
    method: PaymentMethod
    provider: str
    amount: int = Field(description="Captured, in minor units")
    currency: str
    at: datetime | None = Field(description="When it was captured")
    substitution_id: str | None = None


class RefundLine(BaseModel):
    """Money given back on one of the order's payments, as its receipt shows it."""

    refund_id: str
    payment_id: str
    amount: int
    reason: str
    status: RefundStatus = Field(
        description="sent: the provider took it (the sandbox and cash at once); pending: being"
        " sent; failed: an admin retries it"
    )
    at: datetime
