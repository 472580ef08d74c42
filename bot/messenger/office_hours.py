"""Office hours in Iran time: open on the configured workdays (``[handoff] workdays``, Saturday to
Wednesday by default) between the configured times, closed on official holidays.

Pure functions of a UTC instant; no messenger code. ``next_opening`` tells a citizen writing
outside the hours when a person will read their request.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, date, datetime, timedelta

from bot.calendar import IRAN_TIME
from bot.messenger.staff_settings import HandoffSettings

__all__ = ["is_open", "next_opening"]


def _local(at: datetime | None) -> datetime:
    return (at or datetime.now(UTC)).astimezone(IRAN_TIME)


def _workday(hours: HandoffSettings, day: date, holidays: Container[date]) -> bool:
    return day.weekday() in hours.workdays and day not in holidays


def is_open(
    hours: HandoffSettings, at: datetime | None = None, holidays: Container[date] = frozenset()
) -> bool:
    """Whether ``at`` (default now) falls within office hours (never on a holiday)."""
    local = _local(at)
    return _workday(hours, local.date(), holidays) and hours.opens <= local.time() < hours.closes


def next_opening(
    hours: HandoffSettings, at: datetime | None = None, holidays: Container[date] = frozenset()
) -> datetime:
    """The next time (Iran time) the office opens after ``at``; ``at`` itself if open then."""
    local = _local(at)
    if is_open(hours, local, holidays):
        return local
    day = local.date()
    if local.time() >= hours.opens:
        day += timedelta(days=1)
    for _ in range(366):  # a year of holidays at the very most
        if _workday(hours, day, holidays):
            break
        day += timedelta(days=1)
    return datetime.combine(day, hours.opens, IRAN_TIME)
