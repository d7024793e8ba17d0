"""How numbers read to a panel: one place, so the terminal, reports and reasons agree."""

from __future__ import annotations

__all__ = ["money", "whole_money"]


def money(value: float, currency: str, places: int = 2) -> str:
    """An amount as a panel reads it: £15.20, -£3.10, or 15.20 EUR for other currencies."""
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.{places}f}"
    return f"{sign}£{amount}" if currency == "GBP" else f"{sign}{amount} {currency}"


def whole_money(value: float, currency: str) -> str:
    """A large amount without pence: £1,664,000."""
    return money(value, currency, 0)
