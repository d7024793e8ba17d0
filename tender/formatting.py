"""How numbers read to a panel: one place, so the terminal, reports and reasons agree."""

from __future__ import annotations

from datetime import date

__all__ = ["long_date", "money", "whole_money"]


def money(value: float, currency: str, places: int = 2) -> str:
    """An amount as a panel reads it: £15.20, -£3.10, or 15.20 EUR for other currencies."""
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.{places}f}"
    return f"{sign}£{amount}" if currency == "GBP" else f"{sign}{amount} {currency}"


def whole_money(value: float, currency: str) -> str:
    """A large amount without pence: £1,664,000."""
    return money(value, currency, 0)


_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def long_date(day: date) -> str:
    """A date as a letter writes it (Tuesday 7 January 2025), whatever the locale."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
