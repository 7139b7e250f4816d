"""Pydantic shapes of the users service."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from kirana.kit.validation import Latitude, Longitude, Phone

Role = str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the access token says."""

    id: str
    role: str
    store_id: str | None
    # The refresh-token family (one login) the access token was issued with.
    session_id: str | None = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterIn(Strict):
    phone: Phone
    password: str = Field(min_length=8, max_length=128)
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr | None = None


class LoginIn(Strict):
    phone: Phone
    password: str = Field(min_length=1, max_length=128)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=10, max_length=200)


class UserRead(BaseModel):
    id: str
    phone: str
    name: str
    email: str | None
    roles: list[str]
    store_id: str | None = None


class UserUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    email: EmailStr | None = None
    password: str | None = Field(default=None, min_length=8, max_length=128)
    # Needed to change the password: a stolen access token alone must not take the account.
    current_password: str | None = Field(default=None, min_length=1, max_length=128)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RegisterOut(TokenPair):
    user: UserRead


class OtpRequestIn(Strict):
    phone: Phone


class OtpSent(BaseModel):
    # How long the code works; it goes out by SMS once the request is done.
    expires_in: int


class OtpVerifyIn(Strict):
    phone: Phone
    code: str = Field(pattern=r"^[0-9]{6}$")
    # The name a new account starts with (the phone number if not given).
    name: str | None = Field(default=None, min_length=1, max_length=120)


class OtpVerifyOut(TokenPair):
    user: UserRead
    # True when this verify registered the phone.
    new_account: bool


class AddressCreate(Strict):
    label: str = Field(min_length=1, max_length=40)
    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=80)
    pincode: str = Field(min_length=3, max_length=12, pattern=r"^[A-Za-z0-9 -]+$")
    lat: Latitude
    lng: Longitude
    instructions: str | None = Field(default=None, max_length=500)


class AddressUpdate(Strict):
    label: str | None = Field(default=None, min_length=1, max_length=40)
    line1: str | None = Field(default=None, min_length=1, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=80)
    pincode: str | None = Field(
        default=None, min_length=3, max_length=12, pattern=r"^[A-Za-z0-9 -]+$"
    )
    lat: Latitude | None = None
    lng: Longitude | None = None
    instructions: str | None = Field(default=None, max_length=500)


class AddressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    label: str
    line1: str
    city: str
    pincode: str
    lat: float
    lng: float
    instructions: str | None
