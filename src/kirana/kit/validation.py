"""Reusable, domain-free field types: E.164 phone numbers and coordinates."""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, Field


def _e164(value: str) -> str:
    value = value.strip()
    if not value.startswith("+"):
        raise ValueError("use the E.164 form with a country code, for example +919876543210")
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number in E.164 form (+<country><number>)") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[
    str, Field(min_length=8, max_length=16, examples=["+919876543210"]), AfterValidator(_e164)
]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
