"""One calendar: Iran days, Jalali years, months and days, recent days, digits of three alphabets."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import Period, bounds, latin_digits, parse_day, persian_digits

TODAY = date(2026, 12, 6)  # 15 Azar 1405
AZAR = Period(date(2026, 11, 22), date(2026, 12, 21))


@pytest.mark.parametrize("typed", ["1405-09", "۱۴۰۵-۰۹", "1405/9", "١٤٠٥-٠٩"])
def test_a_jalali_month_is_the_whole_month(typed: str) -> None:
    assert Period.of_words([typed], TODAY) == AZAR


def test_a_jalali_year_runs_from_nowruz_to_nowruz() -> None:
    assert Period.of_words(["1405"]) == Period(date(2026, 3, 21), date(2027, 3, 20))


def test_bounds_of_months_and_days() -> None:
    assert Period.between("1405-09", None, TODAY) == Period(AZAR.first_day, TODAY)
    assert Period.between(None, "1405-09-10", TODAY) == Period(AZAR.first_day, date(2026, 12, 1))
    assert Period.between("1405-07", "1405-08", TODAY) == Period(date(2026, 9, 23), date(2026, 11, 21))
    assert Period.between(None, None, TODAY) == Period(AZAR.first_day, TODAY)
    start, end = bounds("1405-09", None)
    assert start == AZAR.start
    assert end is None
    assert bounds("2026-11-22", "1405-09") == (AZAR.start, AZAR.end)


def test_recent_days() -> None:
    assert Period.last("30d", TODAY) == Period(date(2026, 11, 7), TODAY)
    assert Period.of_words(["7d"], TODAY) == Period(date(2026, 11, 30), TODAY)
    with pytest.raises(ValueError):
        Period.last("0d", TODAY)


@pytest.mark.parametrize("bad", ["2026-09", "2026", "1405-13", "1405-02-32", "x", "", "14050"])
def test_bad_periods_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        Period.of_words([bad], TODAY)


def test_days_and_digits() -> None:
    assert parse_day("۱۴۰۵/۰۹/۱۵") == TODAY == parse_day("2026-12-06")
    with pytest.raises(ValueError):
        parse_day("1405-09")
    assert latin_digits("کد ۱۲٣4") == "کد 1234"
    assert persian_digits("2.5 km") == "۲.۵ km"
    assert persian_digits("2.5", decimal_separator=True) == "۲٫۵"
