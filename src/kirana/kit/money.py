"""Money as an integer count of the currency's minor unit (cents for EUR, paise for
INR). Never floats. An amount with no currency named is in the deployment's market's."""

from __future__ import annotations

from dataclasses import dataclass, field

from kirana.kit import market

MINOR_UNITS = {"INR": 100, "EUR": 100, "USD": 100}


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str = field(default_factory=lambda: market.current().currency)

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int count of minor units")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, times: int) -> Money:
        return Money(self.amount * times, self.currency)

    def percent(self, basis_points: int) -> Money:
        """``basis_points`` / 10000 of this amount, rounded half up to the minor unit."""
        return Money((self.amount * basis_points + 5000) // 10000, self.currency)

    def format(self) -> str:
        unit = MINOR_UNITS.get(self.currency, 100)
        sign = "-" if self.amount < 0 else ""
        whole, minor = divmod(abs(self.amount), unit)
        return f"{sign}{self.currency} {whole}.{minor:02d}"


def in_words(amount: int) -> str:
    """An amount of the deployment's currency for a message a person reads ("EUR 2.49")."""
    return Money(amount).format()


def zero(currency: str | None = None) -> Money:
    return Money(0) if currency is None else Money(0, currency)
