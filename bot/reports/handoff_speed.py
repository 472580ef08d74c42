"""How fast staff answer citizens handed off to them: handoffs, the share answered, and the median
time to the first staff reply, in total and per Jalali month (of the request, Iran time).

Read from the same events as the report (:func:`bot.store.reporting.report_events`)::

    speed = handoff_speed(events.handoffs)
    speed.to_json()   # {"handoffs": 12, "handoffs_answered": 9, "handoff_answered_share": 0.75,
                      #  "handoff_first_reply_median_min": 17.5, "handoffs_by_month": {"1405-07": {...}}}

``sabtyar stats --json`` adds these keys to its object (additive); the monthly pack has a sheet
of them; the bot tells a citizen handed off the recent median (:func:`recent_median_minutes`).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.calendar import iran_day, month_key
from bot.store import Store
from bot.store.reporting import HandoffRow, report_events

__all__ = ["HandoffSpeed", "MonthSpeed", "handoff_speed", "recent_median_minutes"]


@dataclass(frozen=True)
class MonthSpeed:
    """One month's (or the whole period's) handoffs; ``None`` where nothing was answered."""

    handoffs: int
    answered: int
    median_minutes: float | None

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.handoffs if self.handoffs else None

    def to_json(self) -> dict[str, int | float | None]:
        share, median = self.answered_share, self.median_minutes
        return {
            "handoffs": self.handoffs,
            "answered": self.answered,
            "answered_share": None if share is None else round(share, 4),
            "first_reply_median_min": None if median is None else round(median, 2),
        }


@dataclass(frozen=True)
class HandoffSpeed:
    total: MonthSpeed
    by_month: dict[str, MonthSpeed]

    def to_json(self) -> dict[str, object]:
        """The keys ``sabtyar stats --json`` adds."""
        total = self.total.to_json()
        return {
            "handoffs": total["handoffs"],
            "handoffs_answered": total["answered"],
            "handoff_answered_share": total["answered_share"],
            "handoff_first_reply_median_min": total["first_reply_median_min"],
            "handoffs_by_month": {month: speed.to_json() for month, speed in self.by_month.items()},
        }


def _minutes(handoff: HandoffRow) -> float | None:
    if handoff.answered_at is None:
        return None
    return (handoff.answered_at - handoff.opened_at).total_seconds() / 60


def _speed(handoffs: list[HandoffRow]) -> MonthSpeed:
    minutes = [m for m in map(_minutes, handoffs) if m is not None]
    return MonthSpeed(len(handoffs), len(minutes), float(statistics.median(minutes)) if minutes else None)


def handoff_speed(handoffs: Iterable[HandoffRow]) -> HandoffSpeed:
    """The figures of the handoffs opened in a period, months in order."""
    every = list(handoffs)
    months: dict[str, list[HandoffRow]] = {}
    for handoff in sorted(every, key=lambda h: h.opened_at):
        months.setdefault(month_key(iran_day(handoff.opened_at)), []).append(handoff)
    return HandoffSpeed(_speed(every), {month: _speed(rows) for month, rows in months.items()})


async def recent_median_minutes(
    store: Store, now: datetime, *, days: int = 30, opened: Callable[[datetime], bool] = lambda _at: True
) -> float | None:
    """The median minutes to the first staff reply of the handoffs of the last ``days`` days that
    were ``opened`` at a time the predicate accepts (e.g. within office hours)."""
    events = await report_events(store, now - timedelta(days=days), now)
    return handoff_speed(h for h in events.handoffs if opened(h.opened_at)).total.median_minutes
