"""The period a staff command names: ``1405-07`` (a Jalali month), two days, or the current month.

Examples: ``/stats`` (this Jalali month up to today), ``/stats 1405-07``,
``/stats 1405-07-01 1405-07-30``, ``/stats 2026-09-23 2026-10-22``; Persian digits work too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import jdatetime

from bot.report import Period, iran_day

__all__ = ["parse_period"]

_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})")
_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _month(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    first = jdatetime.date(year, month, 1)
    following = jdatetime.date(year + month // 12, month % 12 + 1, 1)
    return Period(first.togregorian(), following.togregorian() - timedelta(days=1))


def parse_period(words: Sequence[str], today: date | None = None) -> Period:
    """The period of a command's arguments; ``ValueError`` with a reason for anything else."""
    today = today or iran_day(datetime.now(UTC))
    args = [word.translate(_LATIN) for word in words]
    if not args:
        now = jdatetime.date.fromgregorian(date=today)
        return Period(jdatetime.date(now.year, now.month, 1).togregorian(), today)
    if len(args) == 1 and (found := _MONTH.fullmatch(args[0])):
        year, month = (int(part) for part in found.groups())
        if year >= 1700:
            raise ValueError("a month is written as a Jalali year and month, e.g. 1405-07")
        return _month(year, month)
    if len(args) == 1:
        return Period.parse(args[0], args[0])
    if len(args) == 2:
        return Period.parse(args[0], args[1])
    raise ValueError("give a Jalali month (1405-07) or two days (1405-07-01 1405-07-30)")
