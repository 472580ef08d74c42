"""The monthly pack a manager prints: the report workbook with more sheets, its charts, a PDF page.

``sabtyar report --pack DIR`` writes (:func:`write_pack`)::

    DIR/sabtyar-<from>-<to>.xlsx    the report's sheets (summary, data, chart) and, in Persian:
                                    «روزانه» the daily table, «موضوع‌ها» per-topic figures,
                                    «ارجاع به کارشناس» handoffs per month, «بی‌پاسخ‌ها» the
                                    unanswered and low-rated questions, «نظرها» the citizens'
                                    comments (both masked); each prints landscape, one page wide
    DIR/charts/*.png                a chart per figure sheet (:mod:`bot.reports.pack_charts`)
    DIR/sabtyar-<from>-<to>.pdf     a one-page summary (:mod:`bot.reports.pdf_summary`)

Per-topic figures count, for each knowledge entry, the questions answered with it directly and
those whose citizen chose it from "did you mean", the ratings of its answers (mean, CSAT, scores
of 1 and 2), the staff changes to it in the period, and, where the database records them, how
often citizens turned from it to another topic (corrections).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.calendar import Period, iran_day
from bot.knowledge.model import KnowledgeBase
from bot.locale import Catalog
from bot.reports.figures import Categories, Report, compute_report
from bot.reports.handoff_speed import HandoffSpeed, handoff_speed
from bot.reports.labels import ReportLabels
from bot.reports.print_setup import print_setup
from bot.reports.workbook import CHART_HEIGHT, CHART_WIDTH, print_heading, report_workbook
from bot.store import Store
from bot.store.curation import unanswered_groups
from bot.store.pack_events import Comment, corrections_per_entry, rating_comments, staff_changes_per_entry
from bot.store.privacy import mask_personal_data
from bot.store.reporting import ReportEvents, report_events
from bot.store.stats import SATISFIED

__all__ = ["EntryFigures", "Pack", "build_pack", "pack_name", "pack_workbook"]

#: How many unanswered question forms the pack lists.
UNANSWERED_LIMIT = 100
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LOW = 2


@dataclass(frozen=True)
class EntryFigures:
    """One knowledge entry's figures over the period (``corrections`` ``None``: not recorded)."""

    entry_id: str
    title: str
    category: str
    direct: int
    chosen: int
    ratings: int
    mean_rating: float | None
    csat: float | None
    low_ratings: int
    corrections: int | None
    staff_changes: int

    @property
    def shown(self) -> int:
        return self.direct + self.chosen


@dataclass(frozen=True)
class Pack:
    """Everything the pack shows, in the report's language."""

    report: Report
    entries: tuple[EntryFigures, ...]
    handoffs: HandoffSpeed
    unanswered: tuple[tuple[str, int], ...]
    comments: tuple[Comment, ...]
    titles: dict[str, str]
    """Entry titles by id (in the report's language where the knowledge base has one)."""

    @property
    def labels(self) -> ReportLabels:
        return self.report.labels

    @property
    def corrections_recorded(self) -> bool:
        return any(entry.corrections is not None for entry in self.entries)


def pack_name(period: Period) -> str:
    """``sabtyar-1405-07-01-1405-07-30``: the stem of the pack's workbook and PDF."""
    days = period.to_json()
    return f"sabtyar-{days['from']}-{days['to']}"


def _entries(
    events: ReportEvents,
    knowledge: KnowledgeBase,
    language: str,
    corrections: Counter[str] | None,
    changes: Counter[str],
) -> tuple[EntryFigures, ...]:
    direct: Counter[str] = Counter()
    chosen: Counter[str] = Counter()
    for question in events.questions:
        if question.outcome == "answer" and question.answer_id:
            direct[question.answer_id] += 1
        elif question.resolved_id:
            chosen[question.resolved_id] += 1
    scores: defaultdict[str, list[int]] = defaultdict(list)
    for rating in events.ratings:
        scores[rating.entry_id].append(rating.score)
    categories = {
        c.id: (c.title_en if language == "en" and c.title_en else c.title) for c in knowledge.categories
    }
    found = []
    for entry_id, entry in knowledge.entries.items():
        given = scores.get(entry_id, [])
        found.append(
            EntryFigures(
                entry_id=entry_id,
                title=entry.title_en if language == "en" and entry.title_en else entry.title,
                category=categories.get(entry.category, entry.category),
                direct=direct[entry_id],
                chosen=chosen[entry_id],
                ratings=len(given),
                mean_rating=statistics.fmean(given) if given else None,
                csat=sum(score >= SATISFIED for score in given) / len(given) if given else None,
                low_ratings=sum(score <= _LOW for score in given),
                corrections=None if corrections is None else corrections[entry_id],
                staff_changes=changes[entry_id],
            )
        )
    return tuple(sorted(found, key=lambda e: (-e.shown, -e.ratings, e.entry_id)))


async def build_pack(store: Store, knowledge: KnowledgeBase, period: Period, catalog: Catalog) -> Pack:
    """Read the period's events and lists from an open store; titled in ``catalog``'s language."""
    events = await report_events(store, period.start, period.end)
    report = compute_report(events, Categories(knowledge), period, catalog)
    corrections = await corrections_per_entry(store, period.start, period.end)
    changes = await staff_changes_per_entry(store, period.start, period.end)
    groups = await unanswered_groups(store, period.start, period.end, limit=UNANSWERED_LIMIT)
    comments = await rating_comments(store, period.start, period.end)
    language = catalog.language
    titles = {
        entry_id: entry.title_en if language == "en" and entry.title_en else entry.title
        for entry_id, entry in knowledge.entries.items()
    }
    return Pack(
        report=report,
        entries=_entries(events, knowledge, language, corrections, changes),
        handoffs=handoff_speed(events.handoffs),
        unanswered=tuple((mask_personal_data(group.text), group.count) for group in groups),
        comments=tuple(comments),
        titles=titles,
    )


# sheets ---------------------------------------------------------------------------------------


def _table(sheet: Worksheet, headings: list[str], rows: list[list[object]], widths: list[int]) -> None:
    """A right-to-left table with a bold heading row, frozen under it, filterable."""
    sheet.sheet_view.rightToLeft = True
    for column, title in enumerate(headings, start=1):
        cell = sheet.cell(1, column, title)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[1].height = 36
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{len(rows) + 1}"


def _formats(sheet: Worksheet, column: int, rows: int, number_format: str) -> None:
    for row in range(2, rows + 2):
        sheet.cell(row, column).number_format = number_format


def _place(sheet: Worksheet, chart: BarChart | LineChart, title: str, columns: int) -> None:
    chart.title = title
    chart.height, chart.width = CHART_HEIGHT, CHART_WIDTH
    sheet.add_chart(chart, f"{get_column_letter(columns + 2)}2")


def _daily(sheet: Worksheet, pack: Pack) -> None:
    labels = pack.labels
    text = labels.text
    headings = [
        text("pack.day"),
        text("report.figure.questions.title"),
        text("report.figure.answered.title"),
        text("report.figure.resolved.title"),
        text("report.figure.unanswered.title"),
        text("report.figure.ratings.title"),
        text("report.figure.mean_rating.title"),
        text("report.figure.csat.title"),
    ]
    rows: list[list[object]] = [
        [
            labels.day(day.day, with_year=True),
            day.answered + day.resolved + day.unanswered,
            day.answered,
            day.resolved,
            day.unanswered,
            day.ratings,
            day.mean_rating,
            day.csat,
        ]
        for day in pack.report.days
    ]
    _table(sheet, headings, rows, [16, 10, 10, 12, 10, 10, 12, 10])
    _formats(sheet, 7, len(rows), "0.00")
    _formats(sheet, 8, len(rows), "0.0%")
    chart = LineChart()
    last = max(2, len(rows) + 1)
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    _place(sheet, chart, text("pack.daily_chart"), len(headings))


def _topics(sheet: Worksheet, pack: Pack) -> None:
    text = pack.labels.text
    headings = [
        text("pack.entry"),
        text("pack.entry_title"),
        text("pack.category"),
        text("pack.shown"),
        text("pack.direct"),
        text("pack.chosen"),
        text("report.figure.ratings.title"),
        text("report.figure.mean_rating.title"),
        text("report.figure.csat.title"),
        text("pack.low_ratings"),
        text("pack.staff_changes"),
    ]
    if pack.corrections_recorded:
        headings.append(text("pack.corrections"))
    rows: list[list[object]] = []
    for entry in pack.entries:
        row: list[object] = [
            entry.entry_id,
            entry.title,
            entry.category,
            entry.shown,
            entry.direct,
            entry.chosen,
            entry.ratings,
            entry.mean_rating,
            entry.csat,
            entry.low_ratings,
            entry.staff_changes,
        ]
        if pack.corrections_recorded:
            row.append(entry.corrections)
        rows.append(row)
    _table(sheet, headings, rows, [24, 40, 22, 12, 12, 14, 10, 12, 10, 12, 12, 14])
    _formats(sheet, 8, len(rows), "0.00")
    _formats(sheet, 9, len(rows), "0.0%")
    chart = BarChart()
    chart.type = "bar"
    chart.legend = None
    last = min(len(rows), 10) + 1
    chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=max(2, last)), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=max(2, last)))
    _place(sheet, chart, text("pack.topics_chart"), len(headings))


def _handoffs(sheet: Worksheet, pack: Pack) -> None:
    labels = pack.labels
    text = labels.text
    headings = [
        text("report.column.month_title"),
        text("report.figure.handoffs.title"),
        text("report.figure.handoffs_answered.title"),
        text("pack.answered_share"),
        text("pack.first_reply"),
    ]
    rows: list[list[object]] = [
        [labels.month(month), speed.handoffs, speed.answered, speed.answered_share, speed.median_minutes]
        for month, speed in pack.handoffs.by_month.items()
    ]
    _table(sheet, headings, rows, [16, 14, 16, 14, 22])
    _formats(sheet, 4, len(rows), "0.0%")
    _formats(sheet, 5, len(rows), "0.0")
    chart = BarChart()
    last = max(2, len(rows) + 1)
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    _place(sheet, chart, text("pack.handoffs_chart"), len(headings))


def _list(
    sheet: Worksheet, headings: list[str], rows: list[list[object]], widths: list[int], none: str
) -> None:
    _table(sheet, headings, rows or [[none]], widths)
    wide = widths.index(max(widths)) + 1
    for row in range(2, max(2, len(rows) + 1) + 1):
        sheet.cell(row, wide).alignment = _WRAP


def pack_workbook(pack: Pack, png: bytes | None = None) -> Workbook:
    """The report's workbook (``png`` on its chart sheet) with the pack's sheets, all set to print."""
    workbook = report_workbook(pack.report, png)
    text, heading = pack.labels.text, print_heading(pack.report)
    daily = workbook.create_sheet(text("pack.daily_sheet"))
    _daily(daily, pack)
    topics = workbook.create_sheet(text("pack.topics_sheet"))
    _topics(topics, pack)
    handoffs = workbook.create_sheet(text("pack.handoffs_sheet"))
    _handoffs(handoffs, pack)
    unanswered = workbook.create_sheet(text("pack.unanswered_sheet"))
    rows: list[list[object]] = [[question, count] for question, count in pack.unanswered]
    _list(unanswered, [text("pack.question"), text("pack.count")], rows, [80, 10], text("pack.none"))
    comments = workbook.create_sheet(text("pack.comments_sheet"))
    labels = pack.labels
    rows = [
        [
            labels.day(iran_day(c.rated_at), with_year=True),
            pack.titles.get(c.entry_id, c.entry_id),
            c.score,
            c.text,
        ]
        for c in pack.comments
    ]
    headings = [text("pack.day"), text("pack.entry_title"), text("pack.score"), text("pack.comment")]
    _list(comments, headings, rows, [16, 36, 8, 70], text("pack.none"))
    for sheet in (daily, topics, handoffs, unanswered, comments):
        print_setup(sheet, header_rows="1:1", heading=heading)
    return workbook
