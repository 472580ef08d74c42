"""The report's chart (PNG): questions per day, satisfaction per day, questions per category.

Used by ``sabtyar chart --out FILE.png`` and by the in-bot ``/stats``::

    render_chart(Path("data/sabtyar.db"), "1405-07-25", "1405-08-05", Path("chart.png"))
    report = await build_report(store, knowledge, period, catalog)   # in the bot (a running event loop)
    png = chart_png(report)

Every title, legend and tick label is the report's labels (``report.*`` in ``locales/``).

Persian text: matplotlib 3.11 and later lay text out with libraqm (HarfBuzz shaping and the
bidi algorithm), so labels are passed in logical order. Older matplotlib draws code points
one by one, left to right; there :func:`rtl` shapes the text with ``arabic-reshaper`` (contextual
letter forms) and orders it with ``python-bidi`` first. Doing both would reverse the text, so
:func:`rtl` does exactly one of them. The font is the first of :data:`FONTS` installed: a real
Persian font if the machine has one, else DejaVu Sans, which ships inside matplotlib and covers
every Persian letter. Days are Iran calendar days labelled in Jalali with Persian digits.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import matplotlib
from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.calendar import Period, iran_day
from bot.knowledge.model import KnowledgeBase
from bot.locale import Catalog
from bot.reports.figures import Report, build_report
from bot.reports.labels import ReportLabels, period_title
from bot.store import run_on_existing_store

__all__ = [
    "FONTS",
    "chart_period",
    "chart_png",
    "native_shaping",
    "persian_font",
    "render_chart",
    "rtl",
    "visual_order",
]

#: Fonts tried in order: Persian fonts a machine may have, then the one matplotlib ships.
FONTS = ("Vazirmatn", "Vazir", "Noto Sans Arabic", "Noto Naskh Arabic", "DejaVu Sans")
#: At most this many day labels on the time axis.
MAX_DAY_LABELS = 12
#: Category labels longer than this many characters are wrapped (two lines at most, the rest
#: elided: the workbook has every title whole), so one long title cannot squeeze every chart.
LABEL_WIDTH = 28
_COLORS = {"answered": "#2e7d32", "resolved": "#1e88e5", "unanswered": "#bdbdbd", "csat": "#ffb74d"}


def native_shaping() -> bool:
    """Whether matplotlib shapes and orders right-to-left text itself (libraqm, 3.11+)."""
    return hasattr(ft2font, "__libraqm_version__")


@functools.cache
def _shaper() -> bool:
    return native_shaping()


def visual_order(text: str) -> str:
    """Contextual letter forms (``arabic-reshaper``) in left-to-right display order (``python-bidi``).

    ``bidi.algorithm`` is python-bidi's own implementation of the algorithm: unlike the newer
    ``bidi.get_display`` it also mirrors brackets, so «(از ۵)» keeps its parentheses the right
    way round.
    """
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def rtl(text: str) -> str:
    """Persian text ready for matplotlib: unchanged where it shapes itself, else :func:`visual_order`."""
    return text if _shaper() else visual_order(text)


@functools.cache
def persian_font() -> str:
    """The family name of the first font of :data:`FONTS` that is installed."""
    for family in FONTS:
        try:
            font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    raise RuntimeError("no font for Persian text: matplotlib's DejaVu Sans is missing")


def _rc() -> dict[str, object]:
    settings: dict[str, object] = {
        "font.family": [persian_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.titlesize": 14,
        "axes.titleweight": "bold",
    }
    if "text.language" in matplotlib.rcParams:
        settings["text.language"] = "fa"
    return settings


def _category_label(title: str) -> str:
    """A category title in at most two lines of :data:`LABEL_WIDTH`, each ready for matplotlib."""
    lines = textwrap.wrap(title, LABEL_WIDTH, max_lines=2, placeholder=" …")
    return "\n".join(map(rtl, lines)) if lines else rtl(title)


def _day_ticks(axes: Axes, days: list[date], labels: ReportLabels) -> None:
    step = max(1, math.ceil(len(days) / MAX_DAY_LABELS))
    positions = list(range(0, len(days), step))
    axes.set_xticks(positions, [rtl(labels.day(days[n])) for n in positions], rotation=45, ha="right")
    axes.set_xlim(-0.6, len(days) - 0.4)


def _numbers(labels: ReportLabels) -> FuncFormatter:
    """Tick labels in the language's digits."""
    return FuncFormatter(lambda value, _: labels.digits(f"{value:g}"))


def _percents(labels: ReportLabels) -> FuncFormatter:
    return FuncFormatter(lambda value, _: labels.percent(f"{value:g}"))


def _legend(axes: Axes, handles: list[Any], labels: list[str]) -> None:
    """A legend read right to left: first entry rightmost, each key to the right of its label."""
    axes.legend(
        handles[::-1], labels[::-1], loc="upper right", ncols=len(labels), frameon=False, markerfirst=False
    )


def _questions_per_day(axes: Axes, report: Report) -> None:
    labels = report.labels
    days = [day.day for day in report.days]
    x = range(len(days))
    answered = [day.answered for day in report.days]
    resolved = [day.resolved for day in report.days]
    unanswered = [day.unanswered for day in report.days]
    bottom = [a + r for a, r in zip(answered, resolved, strict=True)]
    answered_label = rtl(labels.text("report.figure.answered.title"))
    resolved_label = rtl(labels.text("report.figure.resolved.title"))
    unanswered_label = rtl(labels.text("report.figure.unanswered.title"))
    axes.bar(x, answered, color=_COLORS["answered"], label=answered_label)
    axes.bar(x, resolved, bottom=answered, color=_COLORS["resolved"], label=resolved_label)
    axes.bar(x, unanswered, bottom=bottom, color=_COLORS["unanswered"], label=unanswered_label)
    axes.set_title(rtl(labels.text("report.chart.questions_per_day")), loc="right")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(_numbers(labels))
    _legend(axes, *axes.get_legend_handles_labels())
    axes.margins(y=0.25)
    _day_ticks(axes, days, labels)


def _satisfaction_per_day(axes: Axes, report: Report) -> None:
    labels = report.labels
    days = [day.day for day in report.days]
    x = list(range(len(days)))
    csat = [math.nan if day.csat is None else 100 * day.csat for day in report.days]
    mean = [math.nan if day.mean_rating is None else day.mean_rating for day in report.days]
    share = axes.twinx()
    csat_label = rtl(labels.text("report.chart.csat_share"))
    share.bar(x, csat, color=_COLORS["csat"], alpha=0.55, label=csat_label)
    share.set_ylim(0, 120)
    share.set_yticks(range(0, 101, 20))
    share.yaxis.set_major_formatter(_percents(labels))
    share.set_zorder(0)
    axes.set_zorder(1)
    axes.patch.set_visible(False)
    mean_label = rtl(labels.text("report.figure.mean_rating.title"))
    axes.plot(x, mean, color="#6a1b9a", marker="o", linewidth=2, label=mean_label)
    axes.set_ylim(0, 6)
    axes.set_yticks(range(6))
    axes.yaxis.set_major_formatter(_numbers(labels))
    axes.set_title(rtl(labels.text("report.chart.satisfaction_per_day")), loc="right")
    handles, names = axes.get_legend_handles_labels()
    more_handles, more_names = share.get_legend_handles_labels()
    _legend(axes, [*handles, *more_handles], [*names, *more_names])
    _day_ticks(axes, days, labels)


def _questions_per_category(axes: Axes, report: Report) -> None:
    labels = report.labels
    ranked = list(report.by_category)
    y = list(range(len(ranked)))
    counts = [count for _, _, count in ranked]
    axes.barh(y, counts, color=_COLORS["answered"])
    axes.set_yticks(y, [_category_label(title) for _, title, _ in ranked], multialignment="right")
    axes.invert_yaxis()
    axes.invert_xaxis()  # bars grow leftwards, from the labels on the right
    axes.yaxis.tick_right()
    axes.spines[["left", "top"]].set_visible(False)
    axes.spines["right"].set_visible(True)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(_numbers(labels))
    for position, count in zip(y, counts, strict=True):
        axes.text(count, position, " " + labels.digits(count) + " ", va="center", ha="right")
    axes.margins(x=0.12)
    axes.set_title(rtl(labels.text("report.chart.questions_per_category")), loc="right")
    if not ranked:
        axes.text(0.5, 0.5, rtl(labels.text("report.chart.empty")), transform=axes.transAxes, ha="center")


def chart_png(report: Report, *, dpi: int = 100) -> bytes:
    """The three charts of a report as one PNG (1000 x 1400 pixels at the default dpi)."""
    with matplotlib.rc_context(_rc()):  # type: ignore[arg-type]
        figure = Figure(figsize=(10, 14), dpi=dpi, layout="constrained")
        figure.get_layout_engine().set(w_pad=0.12, h_pad=0.12)  # type: ignore[union-attr,call-arg]
        FigureCanvasAgg(figure)
        daily, satisfaction, categories = figure.subplots(3, 1, height_ratios=(1, 1, 1.1))
        labels = report.labels
        title = labels.text("report.chart.title", period=period_title(report.period, labels.catalog))
        figure.suptitle(rtl(title), fontsize=16)
        _questions_per_day(daily, report)
        _satisfaction_per_day(satisfaction, report)
        _questions_per_category(categories, report)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _typed(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def chart_period(start: date | str | None, end: date | str | None, *, days: int = 30) -> Period:
    """The period from typed or given days; by default the ``days`` days up to ``end`` or today (Iran)."""
    if start is not None:
        return Period.between(_typed(start), _typed(end))
    last = (
        Period.between(_typed(end), _typed(end)).last_day if end is not None else iran_day(datetime.now(UTC))
    )
    return Period(last - timedelta(days=days - 1), last)


def render_chart(
    source: Report | Path | str,
    start: date | str | None,
    end: date | str | None,
    out_png: Path | str | BinaryIO,
    *,
    knowledge: KnowledgeBase | Path | None = None,
    catalog: Catalog | None = None,
) -> None:
    """Write the chart of ``source``: a report, or a database file read for ``start``..``end``.

    With a database, ``start`` and ``end`` are Iran days (Jalali or Gregorian text, or ``date``;
    default the last 30 days), ``knowledge`` (a knowledge base or its folder) names the categories
    and ``catalog`` gives the labels: both are required with a database. A report carries its
    own period and labels: ``start`` and ``end`` must then be ``None``. Reading a database runs
    its own event loop: in the bot, call :func:`~bot.reports.figures.build_report` and pass the
    report.
    """
    if isinstance(source, Report):
        if start is not None or end is not None:
            raise ValueError("a report has its own period: pass start=None, end=None")
        report = source
    else:
        report = _read(Path(source), chart_period(start, end), knowledge, catalog)
    png = chart_png(report)
    if isinstance(out_png, (str, Path)):
        Path(out_png).write_bytes(png)
    else:
        out_png.write(png)


def _read(
    path: Path, period: Period, knowledge: KnowledgeBase | Path | None, catalog: Catalog | None
) -> Report:
    if knowledge is None or catalog is None:
        raise ValueError("reading a database needs the knowledge and the catalog")
    from bot.knowledge.loader import load_knowledge

    base = knowledge if isinstance(knowledge, KnowledgeBase) else load_knowledge(knowledge)
    return run_on_existing_store(path, lambda store: build_report(store, base, period, catalog))
