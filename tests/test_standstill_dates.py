"""Standstill end dates worked by hand from the GOV.UK list of English bank holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.standstill import is_working_day, standstill


@pytest.mark.parametrize(
    ("notice", "end"),
    [
        # 24 Dec 2024 = day 1; 25, 26 Dec bank holidays; 27 = 2; 30 = 3; 31 = 4; 1 Jan bank
        # holiday; 2 Jan = 5; 3 = 6; (weekend) 6 = 7; 7 Jan 2025 = 8.
        (date(2024, 12, 24), date(2025, 1, 7)),
        # Fri 30 Dec 2022 = 1; Mon 2 Jan 2023 is the substitute New Year holiday; Tue 3 = 2,
        # 4 = 3, 5 = 4, 6 = 5, (weekend) 9 = 6, 10 = 7, Wed 11 Jan = 8.
        (date(2022, 12, 30), date(2023, 1, 11)),
        # A notice on Saturday 6 May 2023: counting starts on Tuesday 9 May (Monday 8 May was
        # the coronation bank holiday): 9, 10, 11, 12, 15, 16, 17, 18 May.
        (date(2023, 5, 6), date(2023, 5, 18)),
    ],
)
def test_pa2023_eight_working_days_counting_the_notice_day(notice: date, end: date) -> None:
    period = standstill("pa2023", notice)
    assert (period.end_date, period.days, period.kind) == (end, 8, "working")


@pytest.mark.parametrize(
    ("notice", "end"),
    [
        (date(2017, 7, 3), date(2017, 7, 13)),  # +10 = Thursday 13 July: a working day
        (date(2016, 8, 19), date(2016, 8, 30)),  # +10 = Mon 29 Aug, Summer bank holiday
        (date(2023, 12, 21), date(2024, 1, 2)),  # +10 = Sun 31 Dec; Mon 1 Jan holiday
        (date(2024, 3, 6), date(2024, 3, 18)),  # +10 = Saturday 16 March -> Monday 18
        (date(2022, 9, 9), date(2022, 9, 20)),  # +10 = Mon 19 Sep, the Queen's funeral
    ],
)
def test_pcr2015_ten_calendar_days_moved_to_a_working_day(notice: date, end: date) -> None:
    period = standstill("pcr2015", notice)
    assert (period.end_date, period.days, period.kind) == (end, 10, "calendar")


def test_descriptions_name_the_dates() -> None:
    pa = standstill("pa2023", date(2024, 12, 24)).description
    # The assessment summary is sent before the contract award notice is published (s.50).
    assert pa.startswith("The standstill period begins on the day the contract award notice")
    assert "to be published on Tuesday 24 December 2024" in pa and "was published" not in pa
    assert "ends at midnight at the end of Tuesday 7 January 2025" in pa
    text = standstill("pcr2015", date(2016, 8, 19)).description
    assert "from the day this notice is sent by electronic means, Friday 19 August 2016" in text
    assert "Tuesday 30 August 2016" in text and "Monday 29 August 2016 is not a working day" in text


def test_a_notice_on_a_non_working_day_says_where_counting_starts() -> None:
    # Saturday 6 May 2023; Monday 8 May was the coronation bank holiday.
    text = standstill("pa2023", date(2023, 5, 6)).description
    assert "(counting from Tuesday 9 May 2023, the first working day)" in text
    assert "counting from" not in standstill("pa2023", date(2024, 12, 24)).description


def test_substitute_and_one_off_bank_holidays() -> None:
    for day in (
        date(2021, 12, 27),
        date(2021, 12, 28),
        date(2022, 1, 3),
        date(2022, 6, 2),
        date(2022, 6, 3),
        date(2022, 9, 19),
        date(2023, 5, 8),
    ):
        assert not is_working_day(day), day
    assert is_working_day(date(2022, 6, 1))


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)))
def test_periods_hold_for_any_notice_date(notice: date) -> None:
    pa = standstill("pa2023", notice)
    first = notice
    while not is_working_day(first):
        first += timedelta(days=1)
    span = [first + timedelta(days=k) for k in range((pa.end_date - first).days + 1)]
    assert sum(is_working_day(d) for d in span) == 8
    assert is_working_day(pa.end_date)
    pcr = standstill("pcr2015", notice)
    tenth = notice + timedelta(days=10)
    assert pcr.end_date >= tenth and is_working_day(pcr.end_date)
    gap = [tenth + timedelta(days=k) for k in range((pcr.end_date - tenth).days)]
    assert not any(is_working_day(d) for d in gap)
