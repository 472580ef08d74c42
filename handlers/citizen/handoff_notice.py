"""What a citizen handed off to staff is told at once: whether staff are in office hours, and
when to expect an answer.

In office hours: until when staff work today and, where the last 30 days have answered
handoffs opened in office hours, the median time to the first reply ("half the requests were
answered within N minutes"): a measured figure, never a promise. Outside office hours: when the
office opens (Jalali, Persian digits) and the official site for anything urgent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial

import jdatetime

from bot.calendar import persian_digits
from bot.locale import Catalog
from bot.messenger.office_hours import is_open, next_opening
from bot.reports.handoff_speed import recent_median_minutes
from bot.store import StoreError
from handlers.context import BotContext
from handlers.sending import send_text

__all__ = ["opening_text", "tell_expectation"]

_LOG = logging.getLogger("sabtyar.handoff")


def opening_text(at: datetime, catalog: Catalog) -> str:
    """When the office opens, from the ``handoff.opening_at`` template: «شنبه ۷ آذر ۱۴۰۵، ساعت ۰۸:۰۰»
    (Jalali, Persian digits) or ``Saturday 28 November 2026, 08:00``."""
    if catalog.language == "en":
        return catalog.text(
            "handoff.opening_at",
            weekday=f"{at:%A}",
            day=at.day,
            month=f"{at:%B}",
            year=at.year,
            time=f"{at:%H:%M}",
        )
    day = jdatetime.date.fromgregorian(date=at.date())
    text = catalog.text(
        "handoff.opening_at",
        weekday=day.j_weekdays_fa[day.weekday()],
        day=day.day,
        month=day.j_months_fa[day.month - 1],
        year=day.year,
        time=f"{at:%H:%M}",
    )
    return persian_digits(text)


async def tell_expectation(context: BotContext, chat_id: int, now: datetime | None = None) -> None:
    """Tell the citizen their request went to staff, and when to expect the answer."""
    catalog, hours = context.catalog, context.services.shared.settings.handoff
    holidays = context.services.shared.holidays
    now = now or datetime.now(UTC)
    if not is_open(hours, now, holidays):
        when = opening_text(next_opening(hours, now, holidays), catalog)
        await send_text(context, chat_id, catalog.text("handoff.sent_closed", when=when))
        return
    closes = f"{hours.closes:%H:%M}"
    closes = persian_digits(closes) if catalog.language == "fa" else closes
    text = catalog.text("handoff.sent_open", closes=closes)
    try:
        median = await recent_median_minutes(
            context.store, now, opened=partial(is_open, hours, holidays=holidays)
        )
    except StoreError as error:
        _LOG.warning("handoff speed not read: %s", error)
        median = None
    if median is not None:
        text = f"{text}\n{catalog.text('handoff.expect', minutes=max(1, round(median)))}"
    await send_text(context, chat_id, text)
