"""Standstill periods under the two regimes, computed offline from English bank holidays.

- ``pa2023`` (Procurement Act 2023, s.51): 8 working days beginning with the day the contract
  award notice is published; that day counts when it is a working day (else counting starts
  with the next working day). The assessment summaries are sent before the notice is
  published (s.50), so a letter gives the notice's date as the day it is to be published.
- ``pcr2015`` (Public Contracts Regulations 2015, reg. 87): ends at midnight at the end of the
  10th calendar day after the day the notice is sent; if that day is not a working day, at the
  end of the next working day.

A working day is Monday to Friday and not an English bank holiday (substitute days and
one-off holidays included), from the ``holidays`` package, which needs no network.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Literal

import holidays
from pydantic import BaseModel, ConfigDict

from tender.formatting import long_date

__all__ = ["Standstill", "is_working_day", "standstill"]


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an English bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


class Standstill(BaseModel):
    """A standstill period: when it ends and the sentence a letter uses to say so."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regime: Literal["pa2023", "pcr2015"]
    notice_date: date
    end_date: date
    days: int
    kind: Literal["working", "calendar"]
    description: str


def standstill(regime: Literal["pa2023", "pcr2015"], notice_date: date) -> Standstill:
    """The standstill period that follows an award notice of ``notice_date``."""
    if regime == "pa2023":
        day = _next_working_day(notice_date)
        first = day
        for _ in range(7):
            day = _next_working_day(day + timedelta(days=1))
        counted = (
            ""
            if first == notice_date
            else f" (counting from {long_date(first)}, the first working day)"
        )
        return Standstill(
            regime=regime,
            notice_date=notice_date,
            end_date=day,
            days=8,
            kind="working",
            description=(
                "The standstill period begins on the day the contract award notice is "
                "published and lasts 8 working days. The notice is to be "
                f"published on {long_date(notice_date)}, so the standstill period ends at "
                f"midnight at the end of {long_date(day)}{counted}."
            ),
        )
    tenth = notice_date + timedelta(days=10)
    end = _next_working_day(tenth)
    moved = "" if end == tenth else f" ({long_date(tenth)} is not a working day)"
    return Standstill(
        regime=regime,
        notice_date=notice_date,
        end_date=end,
        days=10,
        kind="calendar",
        description=(
            "The standstill period runs from the day this notice is sent by electronic means, "
            f"{long_date(notice_date)}, and ends at midnight at the end of {long_date(end)}: "
            "the 10th calendar day after that day, or the next working day where that day is "
            f"not one{moved}."
        ),
    )
