"""The monthly pack's charts as PNG files, one per figure sheet, each a landscape page wide.

``overview.png`` is the report's own chart (:func:`bot.reports.charts.chart_png`); the others are
``daily.png`` (questions per day: answered, chosen, unanswered), ``topics.png`` (the ten topics
answered most), ``handoffs.png`` (handoffs and those answered, per month). Persian labels go
through :func:`bot.reports.charts.rtl` and the font of :func:`bot.reports.charts.persian_font`.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.reports.charts import chart_png, persian_font, rtl
from bot.reports.labels import period_title
from bot.reports.pack import Pack

__all__ = ["daily_png", "handoffs_png", "pack_charts", "topics_png"]

#: Topics on the topics chart.
TOP_TOPICS = 10
_GREEN, _BLUE, _GREY = "#2e7d32", "#1e88e5", "#bdbdbd"


def _png(pack: Pack, title_key: str, draw: Callable[[Axes], None]) -> bytes:
    settings = {"font.family": [persian_font(), "DejaVu Sans"], "axes.unicode_minus": False}
    if "text.language" in matplotlib.rcParams:
        settings["text.language"] = "fa"
    labels = pack.labels
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]
        figure = Figure(figsize=(11.7, 6.2), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        period = period_title(pack.report.period, labels.catalog)
        axes.set_title(
            rtl(f"{labels.text(title_key)} — {period}"), loc="right", fontsize=14, fontweight="bold"
        )
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: labels.digits(f"{value:g}")))
        draw(axes)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _legend(axes: Axes) -> None:
    handles, names = axes.get_legend_handles_labels()
    axes.legend(
        handles[::-1], names[::-1], loc="upper right", frameon=False, markerfirst=False, ncols=len(names)
    )


def daily_png(pack: Pack) -> bytes:
    labels, days = pack.labels, pack.report.days

    def draw(axes: Axes) -> None:
        x = list(range(len(days)))
        answered = [d.answered for d in days]
        resolved = [d.resolved for d in days]
        unanswered = [d.unanswered for d in days]
        on_top = [a + r for a, r in zip(answered, resolved, strict=True)]
        axes.bar(x, answered, color=_GREEN, label=rtl(labels.text("report.figure.answered.title")))
        axes.bar(
            x, resolved, bottom=answered, color=_BLUE, label=rtl(labels.text("report.figure.resolved.title"))
        )
        axes.bar(
            x,
            unanswered,
            bottom=on_top,
            color=_GREY,
            label=rtl(labels.text("report.figure.unanswered.title")),
        )
        step = max(1, len(days) // 15)
        axes.set_xticks(x[::step], [rtl(labels.day(d.day)) for d in days[::step]], rotation=45, ha="right")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.margins(y=0.2)
        _legend(axes)

    return _png(pack, "pack.daily_chart", draw)


def topics_png(pack: Pack) -> bytes:
    labels = pack.labels
    top = [entry for entry in pack.entries if entry.shown][:TOP_TOPICS]

    def draw(axes: Axes) -> None:
        y = list(range(len(top)))
        axes.barh(y, [e.shown for e in top], color=_GREEN)
        names = [rtl(textwrap.shorten(e.title, 45, placeholder=" …")) for e in top]
        axes.set_yticks(y, names)
        axes.invert_yaxis()
        axes.invert_xaxis()
        axes.yaxis.tick_right()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: labels.digits(f"{value:g}")))
        if not top:
            axes.text(0.5, 0.5, rtl(labels.text("pack.none")), transform=axes.transAxes, ha="center")

    return _png(pack, "pack.topics_chart", draw)


def handoffs_png(pack: Pack) -> bytes:
    labels = pack.labels
    months = list(pack.handoffs.by_month.items())

    def draw(axes: Axes) -> None:
        x = list(range(len(months)))
        width = 0.38
        handed = [speed.handoffs for _, speed in months]
        answered = [speed.answered for _, speed in months]
        axes.bar(
            [n + width / 2 for n in x],
            handed,
            width,
            color=_BLUE,
            label=rtl(labels.text("report.figure.handoffs.title")),
        )
        axes.bar(
            [n - width / 2 for n in x],
            answered,
            width,
            color=_GREEN,
            label=rtl(labels.text("report.figure.handoffs_answered.title")),
        )
        axes.set_xticks(x, [rtl(labels.month(month)) for month, _ in months])
        axes.invert_xaxis()  # months read right to left
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.margins(y=0.2)
        if months:
            _legend(axes)
        else:
            axes.text(0.5, 0.5, rtl(labels.text("pack.none")), transform=axes.transAxes, ha="center")

    return _png(pack, "pack.handoffs_chart", draw)


def pack_charts(pack: Pack) -> dict[str, bytes]:
    """``{file name: PNG}``: the overview and one chart per figure sheet."""
    return {
        "overview.png": chart_png(pack.report),
        "daily.png": daily_png(pack),
        "topics.png": topics_png(pack),
        "handoffs.png": handoffs_png(pack),
    }
