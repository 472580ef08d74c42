"""The indicator workbook (xlsx): a summary sheet, a data sheet and a chart sheet, all right-to-left.

Every title and heading is the report's labels (``report.*`` in ``locales/``); in Persian:

- «خلاصه»: every figure of the period, in total and per messenger, with the e-government
  indicator it serves («اطلاع‌رسانی الکترونیکی خدمات», «سرعت ارائه خدمت», «رضایت شهروندان»)
  and its definition.
- «داده‌ها»: one row per Jalali month x category x messenger, and a bold subtotal row
  (category «همه موضوع‌ها») per month and messenger carrying subscribers and announcements.
- «نمودار»: questions per category as a native Excel chart over a small table, and the PNG
  of :func:`bot.reports.charts.chart_png` below it, a page wide.

Each sheet prints landscape, one page wide, with its heading row repeated and the period in the
page header (:mod:`bot.reports.print_setup`); the summary carries a chart of the questions and
how they were answered. The monthly pack (:mod:`bot.reports.pack`) adds its sheets to this one.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.reports.figures import Figures, Report
from bot.reports.labels import ALL, FIGURES, KEY_COLUMNS, period_title
from bot.reports.print_setup import print_setup

__all__ = [
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "SUMMARY_HEADER_ROW",
    "print_heading",
    "report_workbook",
    "sheet_titles",
    "write_workbook",
]

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
#: The summary table's heading row (the title and period are above it).
SUMMARY_HEADER_ROW = 4
#: Native charts, in centimetres: readable on a landscape A4 page.
CHART_WIDTH, CHART_HEIGHT = 24.0, 12.0
#: The chart image's width on the chart sheet (pixels at 96 dpi: about a landscape A4 page).
IMAGE_WIDTH_PX = 960


def _header(sheet: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row, column, title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _value(figures: Figures, key: str) -> int | float | None:
    return figures.to_json()[key]


def sheet_titles(report: Report) -> tuple[str, str, str]:
    """The summary, data and chart sheets' titles, in the report's language."""
    text = report.labels.text
    summary, data = text("report.workbook.summary_sheet"), text("report.workbook.data_sheet")
    return summary, data, text("report.workbook.chart_sheet")


def _summary(sheet: Worksheet, report: Report) -> None:
    labels = report.labels
    sheet.sheet_view.rightToLeft = True
    sheet["A1"] = labels.text("report.workbook.heading")
    sheet["A1"].font = _TITLE
    sheet["A2"] = labels.text("report.workbook.period", period=period_title(report.period, labels.catalog))
    platforms = list(report.by_platform)
    headings = [labels.text("report.workbook.indicator"), labels.text("report.workbook.figure")]
    headings.append(labels.platform(ALL))
    headings += map(labels.platform, platforms)
    headings += [labels.text("report.workbook.definition"), labels.text("report.workbook.key")]
    _header(sheet, SUMMARY_HEADER_ROW, headings)
    for row, figure in enumerate(FIGURES, start=SUMMARY_HEADER_ROW + 1):
        values = [_value(report.summary, figure.key)]
        values += [_value(report.by_platform[platform], figure.key) for platform in platforms]
        cells = [labels.indicator(figure), labels.title(figure), *values]
        cells += [labels.definition(figure), figure.key]
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row, column, value)
            if 3 <= column < 3 + len(values):
                cell.number_format = figure.number_format
        sheet.cell(row, len(cells) - 1).alignment = _WRAP
    sheet.freeze_panes = "C5"
    _widths(sheet, [28, 34, 12, *[12] * len(platforms), 60, 26])
    _summary_chart(sheet, report)


def _summary_chart(sheet: Worksheet, report: Report) -> None:
    """The questions and how they were answered (the first five figures), as bars beside the table."""
    keys = [figure.key for figure in FIGURES]
    first = SUMMARY_HEADER_ROW + 1 + keys.index("questions")
    last = SUMMARY_HEADER_ROW + 1 + keys.index("unanswered")
    chart = BarChart()
    chart.title = report.labels.text("report.figure.questions.title")
    chart.legend = None
    chart.height, chart.width = CHART_HEIGHT, CHART_WIDTH
    chart.add_data(Reference(sheet, min_col=3, min_row=first, max_row=last))
    chart.set_categories(Reference(sheet, min_col=2, min_row=first, max_row=last))
    sheet.add_chart(chart, f"A{SUMMARY_HEADER_ROW + len(FIGURES) + 3}")


def _data(sheet: Worksheet, report: Report) -> None:
    sheet.sheet_view.rightToLeft = True
    labels = report.labels
    _header(sheet, 1, [*map(labels.column, KEY_COLUMNS), *map(labels.title, FIGURES)])
    formats = ["@"] * len(KEY_COLUMNS) + [figure.number_format for figure in FIGURES]
    for number, row in enumerate(report.rows, start=2):
        for column, value in enumerate(row.to_json().values(), start=1):
            cell = sheet.cell(number, column, value)
            cell.number_format = formats[column - 1]
            if row.category == ALL:
                cell.font = _BOLD
                cell.fill = _SUBTOTAL_FILL
    sheet.freeze_panes = sheet.cell(2, len(KEY_COLUMNS) + 1)
    last = get_column_letter(len(KEY_COLUMNS) + len(FIGURES))
    sheet.auto_filter.ref = f"A1:{last}{max(2, len(report.rows) + 1)}"
    sheet.row_dimensions[1].height = 48
    _widths(sheet, [10, 14, 14, 28, 12, 12] + [14] * len(FIGURES))


def _chart(sheet: Worksheet, report: Report, png: bytes | None) -> None:
    labels = report.labels
    sheet.sheet_view.rightToLeft = True
    _header(sheet, 1, [labels.column("category_title"), labels.text("report.figure.questions.title")])
    for row, (_, title, count) in enumerate(report.by_category, start=2):
        sheet.cell(row, 1, title)
        sheet.cell(row, 2, count)
    _widths(sheet, [30, 10])
    chart = BarChart()
    chart.type = "bar"
    chart.title = labels.text("report.chart.questions_per_category")
    chart.legend = None
    chart.height, chart.width = CHART_HEIGHT, CHART_WIDTH
    last = max(2, len(report.by_category) + 1)
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    sheet.add_chart(chart, "D2")
    if png is not None:
        image = Image(io.BytesIO(png))
        scale = IMAGE_WIDTH_PX / image.width
        image.width, image.height = IMAGE_WIDTH_PX, round(image.height * scale)
        sheet.add_image(image, "D28")


def print_heading(report: Report) -> str:
    """The page header of every printed sheet: the report and its period."""
    period = period_title(report.period, report.labels.catalog)
    return report.labels.text("pack.print_header", period=period)


def report_workbook(report: Report, png: bytes | None = None) -> Workbook:
    """The workbook of a report; ``png`` (the chart) goes on the chart sheet when given. Every
    sheet is set up to print (:mod:`bot.reports.print_setup`)."""
    workbook = Workbook()
    summary_title, data_title, chart_title = sheet_titles(report)
    summary = workbook.active
    assert summary is not None
    summary.title = summary_title
    _summary(summary, report)
    data, chart = workbook.create_sheet(data_title), workbook.create_sheet(chart_title)
    _data(data, report)
    _chart(chart, report, png)
    heading = print_heading(report)
    print_setup(summary, header_rows=f"{SUMMARY_HEADER_ROW}:{SUMMARY_HEADER_ROW}", heading=heading)
    print_setup(data, header_rows="1:1", heading=heading)
    print_setup(chart, header_rows="1:1", heading=heading)
    workbook.properties.title = report.labels.text("report.workbook.document_title")
    workbook.properties.creator = "sabtyar"
    return workbook


def write_workbook(report: Report, out: Path | io.BytesIO, png: bytes | None = None) -> None:
    """Save the workbook to a file or a buffer (``/export`` sends the buffer as a document)."""
    report_workbook(report, png).save(out)
