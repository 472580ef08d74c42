"""The pack's one-page PDF summary (A4), for a manager's desk: main figures, top categories, the
most frequent unanswered questions (masked) and the daily chart.

Written with fpdf2 in the TrueType font the charts use (:func:`bot.reports.charts.persian_font`:
a Persian font where the machine has one, else the DejaVu Sans that ships inside matplotlib,
which has every Persian letter form). fpdf2 does not shape Arabic script itself, so every
Persian line is shaped with ``arabic-reshaper`` and put in display order with ``python-bidi``
(:func:`bot.reports.charts.visual_order`) and set right-aligned; the text stays real text (with
a ToUnicode map), so it can be searched and extracted. Everything is laid out to fit one page:
long lines are shortened, lists cut to five.
"""

from __future__ import annotations

import functools
import io
import textwrap

from fpdf import FPDF
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

from bot.reports.charts import persian_font, visual_order
from bot.reports.figures import Figures
from bot.reports.labels import FIGURES, Figure, ReportLabels, period_title
from bot.reports.pack import Pack

__all__ = ["SUMMARY_FIGURES", "font_file", "summary_pdf"]

#: The figures on the page, in this order.
SUMMARY_FIGURES = (
    "questions",
    "answer_rate",
    "unanswered",
    "response_median_ms",
    "handoffs",
    "handoffs_answered",
    "handoff_answer_median_min",
    "ratings",
    "mean_rating",
    "csat",
    "subscribers",
)
_FAMILY = "sabtyar"
_LIST = 5
_WIDTH = 180.0  # mm between the margins
_MARGIN = 15.0


@functools.cache
def font_file() -> str:
    """The TrueType file of the charts' Persian font."""
    return str(font_manager.findfont(FontProperties(family=persian_font()), fallback_to_default=False))


def _value(figures: Figures, figure: Figure, labels: ReportLabels) -> str:
    value = getattr(figures, figure.key)
    if value is None:
        return "—"
    if figure.number_format.endswith("%"):
        return labels.percent(f"{value * 100:.1f}")
    if isinstance(value, float):
        return labels.digits(f"{value:.{len(figure.number_format.partition('.')[2])}f}")
    return labels.digits(value)


class _Page:
    """Right-aligned lines of shaped text down one A4 page."""

    def __init__(self, language: str) -> None:
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.pdf.add_page()
        self.pdf.add_font(_FAMILY, "", font_file())
        self.rtl = language == "fa"

    def line(self, text: str, size: float = 10, height: float = 5.6, *, width: int = 110) -> None:
        shown = textwrap.shorten(text, width, placeholder=" …") if len(text) > width else text
        self.pdf.set_font(_FAMILY, size=size)
        written = visual_order(shown) if self.rtl else shown
        self.pdf.cell(
            w=0, h=height, text=written, align="R" if self.rtl else "L", new_x="LMARGIN", new_y="NEXT"
        )

    def gap(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def image(self, png: bytes, height: float) -> None:
        """``png`` scaled into the page's width and at most ``height`` mm high, centred."""
        room = 297 - _MARGIN - 8 - self.pdf.get_y()
        self.pdf.image(
            io.BytesIO(png),
            x=_MARGIN,
            y=self.pdf.get_y(),
            w=_WIDTH,
            h=min(height, room),
            keep_aspect_ratio=True,
        )


def summary_pdf(pack: Pack, chart: bytes) -> bytes:
    """The one-page summary; ``chart`` (a landscape PNG) fills the bottom of the page."""
    labels, report = pack.labels, pack.report
    text = labels.text
    page = _Page(labels.catalog.language)
    page.line(text("pack.pdf_title"), size=16, height=9)
    page.line(
        text("report.workbook.period", period=period_title(report.period, labels.catalog)), size=11, height=7
    )
    page.gap()
    page.line(text("pack.pdf_figures"), size=12, height=7)
    figures = {figure.key: figure for figure in FIGURES}
    for key in SUMMARY_FIGURES:
        if key in figures:
            figure = figures[key]
            page.line(
                text(
                    "pack.pdf_line", title=labels.title(figure), value=_value(report.summary, figure, labels)
                )
            )
    page.gap()
    page.line(text("pack.pdf_categories"), size=12, height=7)
    for _category, title, count in report.by_category[:_LIST] or [("", text("pack.none"), None)]:
        page.line(title if count is None else text("pack.pdf_line", title=title, value=labels.digits(count)))
    page.gap()
    page.line(text("pack.pdf_unanswered"), size=12, height=7)
    for question, count in pack.unanswered[:_LIST] or [(text("pack.none"), None)]:
        shown = textwrap.shorten(question, 80, placeholder=" …")
        page.line(
            shown if count is None else text("pack.pdf_line", title=f"«{shown}»", value=labels.digits(count))
        )
    page.gap()
    page.image(chart, height=92)
    page.pdf.set_y(297 - _MARGIN - 4)
    page.line(text("pack.pdf_footer"), size=8, height=4, width=140)
    return bytes(page.pdf.output())
