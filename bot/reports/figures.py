"""The indicator report: figures per Jalali month x category x platform, from the event store.

This module is the ONE definition of every figure: ``sabtyar stats``, the bot's ``/stats``, the
report (xlsx, csv, json) and the chart all take them from here (the README and the report's
summary sheet say the same in words).

Definitions (every day and month boundary is Iran time, UTC+03:30; months are Jalali)::

    questions      free-text questions asked in the period (the month of ``asked_at``)
    answered       ... the engine answered directly (outcome ``answer``)
    did_you_mean   ... the engine offered choices for ("did you mean")
    resolved       ... "did you mean" questions the citizen then resolved by a choice
    unanswered     questions - answered - resolved: no match, or choices left unchosen
    answer_rate    (answered + resolved) / questions
    ratings        ratings first given in the period (``rated_at``), with their current score
    mean_rating    mean score (1..5);  csat: share of scores 4 and 5
    response_*     median and 95th percentile (nearest rank) of ``response_ms`` of the questions
    handoffs       requests for a person opened in the period; handoffs_answered: those staff
                   replied to; handoff_answer_median_min: median minutes to the first reply
    subscribers    citizens subscribed at the end of the month, or of the period if sooner
    announcements  broadcasts made; announcement_deliveries: messages delivered by them

A question's category is that of its direct answer, else of the citizen's "did you mean"
choice, else of the nearest choice offered (a "did you mean" left unchosen is an unanswered
question of that topic, so each category's answer rate is real), else ``unanswered``: no answer
and no topic (no match). The chart shows that one apart from the topics. A rating's category
is that of the answer rated; a handoff's is its question's (``other`` without one).
Subscribers and announcements have no category: they are given on the subtotal rows
(category ``all``) of each month and platform only.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.calendar import Period, iran_day, month_key
from bot.knowledge.model import KnowledgeBase
from bot.locale import Catalog
from bot.reports.labels import ALL, FIGURES, OTHER, UNANSWERED, ReportLabels
from bot.store import PLATFORMS, Store
from bot.store.reporting import QuestionRow, ReportEvents, report_events
from bot.store.stats import SATISFIED

__all__ = [
    "STATS_KEYS",
    "Categories",
    "Day",
    "Figures",
    "Report",
    "Row",
    "build_report",
    "compute_report",
    "period_figures",
    "stats_json",
]

#: The keys of ``sabtyar stats --json``: the first seven are fixed, later ones only added.
STATS_KEYS = (
    "questions",
    "answered",
    "did_you_mean",
    "unanswered",
    "ratings",
    "mean_rating",
    "csat",
    "resolved",
    "answer_rate",
    "delivered",
)


class Categories:
    """Which category a question, a rating or a handoff counts under, and the categories' titles."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._of_entry = {entry.id: entry.category for entry in knowledge.entries.values()}
        self._titles = {category.id: category.title for category in knowledge.categories}
        self._titles_en = {category.id: category.title_en for category in knowledge.categories}
        self._order = {category.id: n for n, category in enumerate(knowledge.categories)}
        self._order.update({UNANSWERED: len(self._order), OTHER: len(self._order) + 1, ALL: 10**6})

    def of_entry(self, entry_id: str) -> str:
        return self._of_entry.get(entry_id, OTHER)

    def of_question(self, question: QuestionRow) -> str:
        if question.outcome == "answer" and question.answer_id:
            return self.of_entry(question.answer_id)
        if question.resolved_id:
            return self.of_entry(question.resolved_id)
        if question.offered:
            return self.of_entry(question.offered[0])
        return UNANSWERED

    def title(self, category: str, labels: ReportLabels) -> str:
        """The knowledge base's title (English where it has one and ``labels`` are English), else
        the pseudo-category's title from the locale."""
        if labels.catalog.language == "en" and self._titles_en.get(category):
            return self._titles_en[category]
        return self._titles.get(category) or labels.category(category)

    def order(self, category: str) -> int:
        return self._order.get(category, len(self._order))


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _nearest_rank(values: list[int], share: float) -> int | None:
    """The smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


@dataclass(frozen=True)
class Figures:
    """The figures of one cell; see the module docstring. ``None`` where there is nothing to measure."""

    questions: int = 0
    answered: int = 0
    delivered: int = 0
    did_you_mean: int = 0
    resolved: int = 0
    unanswered: int = 0
    answer_rate: float | None = None
    subscribers: int | None = None
    announcements: int | None = None
    announcement_deliveries: int | None = None
    response_median_ms: float | None = None
    response_p95_ms: int | None = None
    handoffs: int = 0
    handoffs_answered: int = 0
    handoff_answer_median_min: float | None = None
    ratings: int = 0
    mean_rating: float | None = None
    csat: float | None = None

    def to_json(self) -> dict[str, int | float | None]:
        """The figures by key, in the order of :data:`bot.reports.labels.FIGURES`; floats to 4 places."""
        values: dict[str, int | float | None] = {}
        for figure in FIGURES:
            value = getattr(self, figure.key)
            values[figure.key] = round(value, 4) if isinstance(value, float) else value
        return values


@dataclass
class _Cell:
    outcomes: Counter[str] = field(default_factory=Counter)
    resolved: int = 0
    delivered: int = 0
    response_ms: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)
    handoffs: int = 0
    handoff_minutes: list[float] = field(default_factory=list)
    announcements: int = 0
    deliveries: int = 0

    def add_question(self, question: QuestionRow) -> None:
        self.outcomes[question.outcome] += 1
        self.resolved += question.outcome == "did_you_mean" and question.resolved_id is not None
        self.delivered += question.delivered
        self.response_ms.append(question.response_ms)

    def figures(self, subscribers: int | None = None, *, subtotal: bool = False) -> Figures:
        questions = sum(self.outcomes.values())
        answered = self.outcomes["answer"]
        satisfied = sum(score >= SATISFIED for score in self.scores)
        return Figures(
            questions=questions,
            answered=answered,
            delivered=self.delivered,
            did_you_mean=self.outcomes["did_you_mean"],
            resolved=self.resolved,
            unanswered=questions - answered - self.resolved,
            answer_rate=(answered + self.resolved) / questions if questions else None,
            subscribers=subscribers if subtotal else None,
            announcements=self.announcements if subtotal else None,
            announcement_deliveries=self.deliveries if subtotal else None,
            response_median_ms=_median([float(ms) for ms in self.response_ms]),
            response_p95_ms=_nearest_rank(self.response_ms, 0.95),
            handoffs=self.handoffs,
            handoffs_answered=len(self.handoff_minutes),
            handoff_answer_median_min=_median(self.handoff_minutes),
            ratings=len(self.scores),
            mean_rating=sum(self.scores) / len(self.scores) if self.scores else None,
            csat=satisfied / len(self.scores) if self.scores else None,
        )


@dataclass(frozen=True)
class Row:
    """One month x category x platform (category ``all``: the month and platform's subtotal),
    with the titles of each in the report's language."""

    month: str
    month_title: str
    category: str
    category_title: str
    platform: str
    platform_title: str
    figures: Figures

    def to_json(self) -> dict[str, str | int | float | None]:
        return {
            "month": self.month,
            "month_title": self.month_title,
            "category": self.category,
            "category_title": self.category_title,
            "platform": self.platform,
            "platform_title": self.platform_title,
            **self.figures.to_json(),
        }


@dataclass(frozen=True)
class Day:
    """One Iran calendar day's figures, for the chart."""

    day: date
    answered: int
    resolved: int
    unanswered: int
    ratings: int
    mean_rating: float | None
    csat: float | None


@dataclass(frozen=True)
class Report:
    """The figures of a period, and the labels (one language) its outputs are written with."""

    labels: ReportLabels
    period: Period
    rows: tuple[Row, ...]
    summary: Figures
    by_platform: dict[str, Figures]
    by_category: tuple[tuple[str, str, int], ...]
    """``(category, title, questions)`` over the period, most asked first."""
    days: tuple[Day, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "period": self.period.to_json(),
            "rows": [row.to_json() for row in self.rows],
            "summary": {
                "all": self.summary.to_json(),
                "by_platform": {name: figures.to_json() for name, figures in self.by_platform.items()},
            },
        }


def _platform_order(platform: str) -> tuple[int, str]:
    return (PLATFORMS.index(platform) if platform in PLATFORMS else len(PLATFORMS), platform)


def _subscribers(events: ReportEvents, at: datetime) -> Counter[str]:
    """Subscribers per platform at ``at``: each citizen's last subscription event before it."""
    latest: dict[str, tuple[str, bool]] = {}
    for event in events.subscriptions:
        if event.at < at:
            latest[event.user_hash] = (event.platform, event.subscribed)
    return Counter(platform for platform, subscribed in latest.values() if subscribed)


def compute_report(events: ReportEvents, categories: Categories, period: Period, catalog: Catalog) -> Report:
    """The report from the period's events (pure: no database), titled in ``catalog``'s language."""
    labels = ReportLabels(catalog)
    cells: dict[tuple[str | None, str, str], _Cell] = {}

    def touched(at: datetime, category: str | None, platform: str) -> Iterator[_Cell]:
        month = month_key(iran_day(at))
        keys: list[tuple[str | None, str, str]] = [(month, ALL, platform), (None, ALL, platform)]
        if category is not None:
            keys.append((month, category, platform))
        keys.append((None, ALL, ALL))
        for key in keys:
            yield cells.setdefault(key, _Cell())

    days: dict[date, _Cell] = {day: _Cell() for day in period.days()}

    def daily(at: datetime) -> tuple[_Cell, ...]:
        cell = days.get(iran_day(at))
        return () if cell is None else (cell,)

    by_category: Counter[str] = Counter()
    for question in events.questions:
        category = categories.of_question(question)
        by_category[category] += 1
        for cell in (*touched(question.asked_at, category, question.platform), *daily(question.asked_at)):
            cell.add_question(question)
    for rating in events.ratings:
        category = categories.of_entry(rating.entry_id)
        for cell in (*touched(rating.rated_at, category, rating.platform), *daily(rating.rated_at)):
            cell.scores.append(rating.score)
    for handoff in events.handoffs:
        category = OTHER if handoff.question is None else categories.of_question(handoff.question)
        for cell in touched(handoff.opened_at, category, handoff.platform):
            cell.handoffs += 1
            if handoff.answered_at is not None:
                cell.handoff_minutes.append((handoff.answered_at - handoff.opened_at).total_seconds() / 60)
    for announcement in events.announcements:
        for cell in touched(announcement.created_at, None, announcement.platform):
            cell.announcements += 1
            cell.deliveries += announcement.sent

    at_end = _subscribers(events, period.end)
    platforms = sorted({key[2] for key in cells if key[2] != ALL} | set(at_end), key=_platform_order)
    rows: list[Row] = []
    for month in period.months():
        at_month_end = _subscribers(events, period.month_end(month))
        for platform in platforms:
            keys = sorted(
                (key for key in cells if key[0] == month and key[2] == platform and key[1] != ALL),
                key=lambda key: categories.order(key[1]),
            )
            subtotal = cells.get((month, ALL, platform), _Cell())
            found = [(category, cells[(month, category, platform)].figures()) for _, category, _ in keys]
            found.append((ALL, subtotal.figures(at_month_end[platform], subtotal=True)))
            month_title, platform_title = labels.month(month), labels.platform(platform)
            for category, figures in found:
                titled = (category, categories.title(category, labels))
                rows.append(Row(month, month_title, *titled, platform, platform_title, figures))
    by_platform = {
        platform: cells.get((None, ALL, platform), _Cell()).figures(at_end[platform], subtotal=True)
        for platform in platforms
    }
    summary = cells.get((None, ALL, ALL), _Cell()).figures(sum(at_end.values()), subtotal=True)
    ranked = sorted(by_category.items(), key=lambda item: (-item[1], categories.order(item[0])))
    return Report(
        labels=labels,
        period=period,
        rows=tuple(rows),
        summary=summary,
        by_platform=by_platform,
        by_category=tuple((category, categories.title(category, labels), n) for category, n in ranked),
        days=tuple(_day(day, cell) for day, cell in days.items()),
    )


def _day(day: date, cell: _Cell) -> Day:
    figures = cell.figures()
    return Day(
        day,
        figures.answered,
        figures.resolved,
        figures.unanswered,
        figures.ratings,
        figures.mean_rating,
        figures.csat,
    )


def stats_json(figures: Figures) -> dict[str, int | float | None]:
    """The ``sabtyar stats --json`` object of a period's figures (:data:`STATS_KEYS`)."""
    values = figures.to_json()
    return {key: values[key] for key in STATS_KEYS}


async def period_figures(store: Store, start: datetime | None, end: datetime | None) -> Figures:
    """The question and rating figures of ``[start, end)`` (open ends allowed), as the report
    computes its summary (no subscribers, announcements or handoffs: ``sabtyar stats``)."""
    events = await report_events(store, start, end)
    cell = _Cell()
    for question in events.questions:
        cell.add_question(question)
    cell.scores.extend(rating.score for rating in events.ratings)
    return cell.figures()


async def build_report(store: Store, knowledge: KnowledgeBase, period: Period, catalog: Catalog) -> Report:
    """Read the period's events from an open store and compute the report (for the bot's ``/stats``),
    titled in ``catalog``'s language."""
    events = await report_events(store, period.start, period.end)
    return compute_report(events, Categories(knowledge), period, catalog)
