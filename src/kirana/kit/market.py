"""The market a deployment serves: the currency prices are in, the region whose phone numbers
may be written without a country code, the time zone fee windows are read in, and the locale the
web app formats numbers, money and dates in.

They are deployment settings (``KIRANA_CURRENCY``, ``KIRANA_PHONE_REGION``, ``KIRANA_TIME_ZONE``,
``KIRANA_LOCALE``), one set for the whole process: the app and the command line call
``configure`` with them at start, and code that needs one reads ``current()``. The defaults are
one consistent set, Finland's, the demo city's (central Helsinki, ``seed.demo.DEMO_MARKET``); a
deployment elsewhere sets all four, e.g. INR, IN, Asia/Kolkata and en-IN for an Indian city.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True, slots=True)
class Market:
    currency: str = "EUR"
    phone_region: str = "FI"
    time_zone: str = "Europe/Helsinki"
    locale: str = "en-FI"

    @property
    def phone_example(self) -> str:
        """A mobile number of the region in E.164, to show people what to type."""
        number = phonenumbers.example_number_for_type(
            self.phone_region, phonenumbers.PhoneNumberType.MOBILE
        )
        if number is None:  # a region with no mobile numbers: its calling code alone
            return f"+{phonenumbers.country_code_for_region(self.phone_region)}"
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_current = Market()


def configure(market: Market) -> None:
    global _current
    _current = market


def current() -> Market:
    return _current
