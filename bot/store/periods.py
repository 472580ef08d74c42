"""Report periods: calendar days typed as Gregorian (2026-09-23) or Jalali (1405-07-01) dates.

Days are Iran's calendar days (UTC+03:30; Iran has kept no daylight saving time since 2022),
so a day's questions are those a citizen asked between local midnights.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

import jdatetime

__all__ = ["IRAN_TIME", "day_bounds", "parse_day"]

IRAN_TIME = timezone(timedelta(hours=3, minutes=30), "IRST")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_LAST_JALALI_YEAR = 1700


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` as a Gregorian date; years before 1700 are read as Jalali (Persian digits too)."""
    found = _DATE.fullmatch(text.strip().translate(_LATIN).replace("/", "-"))
    if not found:
        raise ValueError(f"not a date (YYYY-MM-DD, Gregorian or Jalali): {text!r}")
    year, month, day = (int(part) for part in found.groups())
    try:
        if year < _LAST_JALALI_YEAR:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"not a valid date: {text!r} ({error})") from error


def day_bounds(first: str | None, last: str | None) -> tuple[datetime | None, datetime | None]:
    """The half-open UTC interval from the start of ``first`` to the end of ``last`` (both optional)."""
    start = parse_day(first) if first else None
    end = parse_day(last) if last else None
    if start and end and end < start:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    return (
        datetime.combine(start, time(), IRAN_TIME).astimezone(UTC) if start else None,
        datetime.combine(end + timedelta(days=1), time(), IRAN_TIME).astimezone(UTC) if end else None,
    )
