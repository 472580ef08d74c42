"""The report's figures and the words managers read: keys here, texts in ``locales/`` (``report.*``).

A figure has a key (its JSON/CSV name), the e-government indicator it serves and a cell format;
its heading and definition, the indicators' names, the column headings, the platform and
pseudo-category titles and the date formats are looked up in a :class:`~bot.locale.Catalog` by
:class:`ReportLabels`, so the workbook, the CSV, the chart and ``/stats`` agree in every language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import jdatetime

from bot.calendar import Period, persian_digits
from bot.locale import Catalog

__all__ = [
    "ALL",
    "FIGURES",
    "INDICATORS",
    "KEY_COLUMNS",
    "OTHER",
    "UNANSWERED",
    "Figure",
    "ReportLabels",
    "period_title",
]

#: Pseudo-categories: questions with no answer, answers outside the knowledge base (or handoffs
#: with no question), and the subtotal rows of every category.
UNANSWERED = "unanswered"
OTHER = "other"
ALL = "all"

#: The e-government indicators (``report.indicator.<key>``).
INFORMING = "informing"
SPEED = "speed"
SATISFACTION = "satisfaction"
INDICATORS = (INFORMING, SPEED, SATISFACTION)


def period_title(period: Period, catalog: Catalog) -> str:
    """«۲۵ مهر ۱۴۰۵ تا ۵ آبان ۱۴۰۵» in the catalog's language (``report.period``)."""
    return ReportLabels(catalog).period(period.first_day, period.last_day)


@dataclass(frozen=True)
class Figure:
    """One figure: its JSON/CSV key, indicator key and cell format (texts: ``report.figure.<key>``)."""

    key: str
    indicator: str
    number_format: str = "0"
    subtotal_only: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("questions", INFORMING),
    Figure("answered", INFORMING),
    Figure("delivered", INFORMING),
    Figure("did_you_mean", INFORMING),
    Figure("resolved", INFORMING),
    Figure("unanswered", INFORMING),
    Figure("answer_rate", INFORMING, "0.0%"),
    Figure("subscribers", INFORMING, subtotal_only=True),
    Figure("announcements", INFORMING, subtotal_only=True),
    Figure("announcement_deliveries", INFORMING, subtotal_only=True),
    Figure("response_median_ms", SPEED, "0.0"),
    Figure("response_p95_ms", SPEED),
    Figure("handoffs", SPEED),
    Figure("handoffs_answered", SPEED),
    Figure("handoff_answer_median_min", SPEED, "0.0"),
    Figure("ratings", SATISFACTION),
    Figure("mean_rating", SATISFACTION, "0.00"),
    Figure("csat", SATISFACTION, "0.0%"),
)

#: The columns that name a row, before the figures (headings: ``report.column.<key>``).
KEY_COLUMNS: tuple[str, ...] = (
    "month",
    "month_title",
    "category",
    "category_title",
    "platform",
    "platform_title",
)


@dataclass(frozen=True)
class ReportLabels:
    """The report's words in the catalog's language; Persian writes Persian digits and month names."""

    catalog: Catalog

    def text(self, key: str, /, **values: object) -> str:
        """The catalog's text (``report.chart.title``, ...)."""
        return self.catalog.text(key, **values)

    def title(self, figure: Figure) -> str:
        return self.text(f"report.figure.{figure.key}.title")

    def definition(self, figure: Figure) -> str:
        return self.text(f"report.figure.{figure.key}.definition")

    def indicator(self, figure: Figure) -> str:
        return self.text(f"report.indicator.{figure.indicator}")

    def column(self, key: str) -> str:
        return self.text(f"report.column.{key}")

    def platform(self, platform: str) -> str:
        """A messenger's name; an unknown one as its code."""
        key = f"report.platform.{platform}"
        return self.catalog.text(key) if key in self.catalog else platform

    def category(self, category: str) -> str:
        """The title of a pseudo-category (:data:`UNANSWERED`, :data:`OTHER`, :data:`ALL`), else the code."""
        key = f"report.category.{category}"
        return self.catalog.text(key) if key in self.catalog else category

    def digits(self, value: object) -> str:
        """A number (or text with numbers) in the language's digits."""
        return persian_digits(value) if self.catalog.language == "fa" else str(value)

    def percent(self, value: str) -> str:
        """``"78.6"`` -> «۷۸.۶٪» (Persian) or ``78.6%``."""
        return self.digits(self.text("report.percent", value=value))

    def _month_name(self, month: int) -> str:
        names = jdatetime.date.j_months_fa if self.catalog.language == "fa" else jdatetime.date.j_months_en
        return str(names[month - 1])

    def month(self, key: str) -> str:
        """``"1405-07"`` -> «مهر ۱۴۰۵» (Persian) or ``Mehr 1405``."""
        year, month = (int(part) for part in key.split("-"))
        return self.digits(self.text("report.month", month=self._month_name(month), year=year))

    def day(self, day: date, *, with_year: bool = False) -> str:
        """A day as «۳۰ مهر» (or «۳۰ مهر ۱۴۰۵»): Jalali, in the language's digits."""
        jalali = jdatetime.date.fromgregorian(date=day)
        values = {"day": jalali.day, "month": self._month_name(jalali.month), "year": jalali.year}
        return self.digits(self.text("report.day_with_year" if with_year else "report.day", **values))

    def period(self, first: date, last: date) -> str:
        """«۲۵ مهر ۱۴۰۵ تا ۵ آبان ۱۴۰۵»."""
        first_day, last_day = self.day(first, with_year=True), self.day(last, with_year=True)
        return self.text("report.period", first=first_day, last=last_day)
