"""Reusable, domain-free field types: phone numbers (stored in E.164) and coordinates."""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, Field

from kirana.kit import market


def _e164(value: str) -> str:
    """A phone number in E.164, from E.164 or the national form of the deployment's region."""
    region = market.current()
    try:
        parsed = phonenumbers.parse(value.strip(), region.phone_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(
            f"not a phone number: write it with its country code, e.g. {region.phone_example}"
        ) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(
            f"not a possible phone number for its country, e.g. {region.phone_example}"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[
    str, Field(min_length=6, max_length=20, examples=["+919876543210"]), AfterValidator(_e164)
]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
