"""The raw events of a period, as the report needs them: the SQL side of :mod:`bot.reports.figures`.

Every time is read back as a timezone-aware UTC ``datetime``; grouping by Iran day or Jalali
month is the report's job. A question's ``resolved_id`` is the citizen's "did you mean" choice.
Ratings belong to the period they were first given in (``rated_at``, as ``Store.stats``),
with their current score. Subscription events are read from the beginning, since the number of
subscribers at a time depends on everything before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.store.store import Store, utc_text

__all__ = [
    "AnnouncementRow",
    "HandoffRow",
    "QuestionRow",
    "RatingRow",
    "ReportEvents",
    "SubscriptionRow",
    "parse_utc",
    "report_events",
]


def parse_utc(text: str) -> datetime:
    """A stored time (``YYYY-MM-DDTHH:MM:SS.ffffffZ``) as an aware UTC ``datetime``."""
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class QuestionRow:
    asked_at: datetime
    platform: str
    outcome: str
    answer_id: str | None
    resolved_id: str | None
    response_ms: int
    offered: tuple[str, ...] = ()
    """The "did you mean" choices offered, nearest first (empty for other outcomes)."""
    delivered: bool = False
    """A reply to it reached the Bot API (recorded with its update's done mark)."""


@dataclass(frozen=True)
class RatingRow:
    rated_at: datetime
    platform: str
    entry_id: str
    score: int


@dataclass(frozen=True)
class HandoffRow:
    opened_at: datetime
    platform: str
    question: QuestionRow | None
    answered_at: datetime | None


@dataclass(frozen=True)
class AnnouncementRow:
    created_at: datetime
    platform: str
    sent: int
    blocked: int
    failed: int


@dataclass(frozen=True)
class SubscriptionRow:
    at: datetime
    user_hash: str
    platform: str
    subscribed: bool


@dataclass(frozen=True)
class ReportEvents:
    questions: tuple[QuestionRow, ...]
    ratings: tuple[RatingRow, ...]
    handoffs: tuple[HandoffRow, ...]
    announcements: tuple[AnnouncementRow, ...]
    subscriptions: tuple[SubscriptionRow, ...]


_QUESTIONS = (
    "SELECT q.asked_at, q.platform, q.outcome, q.answer_id, r.entry_id, q.response_ms, q.candidates,"
    " EXISTS (SELECT 1 FROM deliveries d WHERE d.update_key = q.update_key)"
    " FROM questions q LEFT JOIN resolutions r ON r.question_id = q.id"
    " WHERE q.asked_at >= :lo AND q.asked_at < :hi ORDER BY q.asked_at, q.id"
)
_RATINGS = (
    "SELECT r.rated_at, e.platform, e.entry_id, r.score FROM ratings r"
    " JOIN answer_events e ON e.id = r.answer_event_id"
    " WHERE r.rated_at >= :lo AND r.rated_at < :hi ORDER BY r.rated_at, r.id"
)
_HANDOFFS = (
    "SELECT h.opened_at, h.platform, h.answered_at, q.asked_at, q.platform, q.outcome, q.answer_id,"
    " r.entry_id, q.response_ms, q.candidates FROM handoffs h LEFT JOIN questions q ON q.id = h.question_id"
    " LEFT JOIN resolutions r ON r.question_id = h.question_id"
    " WHERE h.opened_at >= :lo AND h.opened_at < :hi ORDER BY h.opened_at, h.id"
)
_ANNOUNCEMENTS = (
    "SELECT created_at, platform, sent, blocked, failed FROM announcements"
    " WHERE created_at >= :lo AND created_at < :hi ORDER BY created_at, id"
)
_SUBSCRIPTIONS = (
    "SELECT at, user_hash, platform, subscribed FROM subscription_events WHERE at < :hi ORDER BY at, id"
)


def _offered(outcome: str, candidates: str | None) -> tuple[str, ...]:
    if outcome != "did_you_mean" or not candidates:
        return ()
    return tuple(str(entry_id) for entry_id in json.loads(candidates))


async def report_events(store: Store, start: datetime | None, end: datetime | None) -> ReportEvents:
    """Everything the report counts for ``[start, end)`` (open ends: from the first, to the last)."""
    period = {"lo": utc_text(start) if start else "", "hi": utc_text(end) if end else "\uffff"}
    questions = tuple(
        QuestionRow(
            parse_utc(at),
            platform,
            outcome,
            answer_id,
            resolved,
            int(ms),
            _offered(outcome, offered),
            bool(delivered),
        )
        for at, platform, outcome, answer_id, resolved, ms, offered, delivered in await store.rows(
            _QUESTIONS, period
        )
    )
    ratings = tuple(
        RatingRow(parse_utc(at), platform, entry_id, int(score))
        for at, platform, entry_id, score in await store.rows(_RATINGS, period)
    )
    handoffs = []
    for opened, platform, answered, *question in await store.rows(_HANDOFFS, period):
        asked_at, q_platform, outcome, answer_id, resolved, ms, offered = question
        linked = (
            None
            if asked_at is None
            else QuestionRow(
                parse_utc(asked_at),
                q_platform,
                outcome,
                answer_id,
                resolved,
                int(ms),
                _offered(outcome, offered),
            )
        )
        handoffs.append(
            HandoffRow(parse_utc(opened), platform, linked, parse_utc(answered) if answered else None)
        )
    announcements = tuple(
        AnnouncementRow(parse_utc(at), platform, int(sent), int(blocked), int(failed))
        for at, platform, sent, blocked, failed in await store.rows(_ANNOUNCEMENTS, period)
    )
    subscriptions = tuple(
        SubscriptionRow(parse_utc(at), user_hash, platform, bool(subscribed))
        for at, user_hash, platform, subscribed in await store.rows(_SUBSCRIPTIONS, period)
    )
    return ReportEvents(questions, ratings, tuple(handoffs), announcements, subscriptions)
