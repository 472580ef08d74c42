"""Office hours in Iran time: open Saturday to Wednesday between the configured times.

Pure functions of a UTC instant; no messenger code. ``next_opening`` tells a citizen writing
outside the hours when a person will read their request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.calendar import IRAN_TIME
from bot.messenger.staff_settings import HandoffSettings

__all__ = ["WORKDAYS", "is_open", "next_opening"]

#: Python weekdays (Monday 0) of Saturday, Sunday, Monday, Tuesday, Wednesday.
WORKDAYS = frozenset({5, 6, 0, 1, 2})


def _local(at: datetime | None) -> datetime:
    return (at or datetime.now(UTC)).astimezone(IRAN_TIME)


def is_open(hours: HandoffSettings, at: datetime | None = None) -> bool:
    """Whether ``at`` (default now) falls within office hours."""
    local = _local(at)
    return local.weekday() in WORKDAYS and hours.opens <= local.time() < hours.closes


def next_opening(hours: HandoffSettings, at: datetime | None = None) -> datetime:
    """The next time (Iran time) the office opens after ``at``; ``at`` itself if open then."""
    local = _local(at)
    if is_open(hours, local):
        return local
    day = local.date()
    if local.time() >= hours.opens:
        day += timedelta(days=1)
    while day.weekday() not in WORKDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, hours.opens, IRAN_TIME)
