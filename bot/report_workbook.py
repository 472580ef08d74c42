"""The indicator workbook (xlsx): a summary sheet, a data sheet and a chart sheet, all right-to-left.

- «خلاصه»: every figure of the period, in total and per messenger, with the e-government
  indicator it serves («اطلاع‌رسانی الکترونیکی خدمات», «سرعت ارائه خدمت», «رضایت شهروندان»)
  and its definition.
- «داده‌ها»: one row per Jalali month x category x messenger, and a bold subtotal row
  (category «همه موضوع‌ها») per month and messenger carrying subscribers and announcements.
- «نمودار»: questions per category as a native Excel chart over a small table, and the PNG
  of :func:`bot.charts.chart_png` below it.
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

from bot.report import Figures, Report
from bot.report_labels import ALL, FIGURES, KEY_COLUMNS, platform_title

__all__ = ["CHART_SHEET", "DATA_SHEET", "SUMMARY_SHEET", "report_workbook", "write_workbook"]

SUMMARY_SHEET = "خلاصه"
DATA_SHEET = "داده‌ها"
CHART_SHEET = "نمودار"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


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


def _summary(sheet: Worksheet, report: Report) -> None:
    sheet.sheet_view.rightToLeft = True
    sheet["A1"] = "شاخص‌های دولت الکترونیک — ثبت‌یار"
    sheet["A1"].font = _TITLE
    sheet["A2"] = f"بازه: {report.period.title()} (روزها به وقت ایران)"
    platforms = list(report.by_platform)
    _header(
        sheet,
        4,
        ["شاخص دولت الکترونیک", "سنجه", "همه", *map(platform_title, platforms), "تعریف", "کلید"],
    )
    for row, figure in enumerate(FIGURES, start=5):
        values = [_value(report.summary, figure.key)]
        values += [_value(report.by_platform[platform], figure.key) for platform in platforms]
        cells = [figure.indicator, figure.title, *values, figure.definition, figure.key]
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row, column, value)
            if 3 <= column < 3 + len(values):
                cell.number_format = figure.number_format
        sheet.cell(row, len(cells) - 1).alignment = _WRAP
    sheet.freeze_panes = "C5"
    _widths(sheet, [28, 34, 12, *[12] * len(platforms), 60, 26])


def _data(sheet: Worksheet, report: Report) -> None:
    sheet.sheet_view.rightToLeft = True
    _header(sheet, 1, [title for _, title in KEY_COLUMNS] + [figure.title for figure in FIGURES])
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
    sheet.sheet_view.rightToLeft = True
    _header(sheet, 1, ["موضوع", "پرسش‌ها"])
    for row, (_, title, count) in enumerate(report.by_category, start=2):
        sheet.cell(row, 1, title)
        sheet.cell(row, 2, count)
    _widths(sheet, [30, 10])
    chart = BarChart()
    chart.type = "bar"
    chart.title = "پرسش‌ها بر حسب موضوع"
    chart.legend = None
    chart.height, chart.width = 9, 16
    last = max(2, len(report.by_category) + 1)
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    sheet.add_chart(chart, "D2")
    if png is not None:
        image = Image(io.BytesIO(png))
        image.width, image.height = image.width // 2, image.height // 2
        sheet.add_image(image, "D22")


def report_workbook(report: Report, png: bytes | None = None) -> Workbook:
    """The workbook of a report; ``png`` (the chart) goes on the chart sheet when given."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _summary(summary, report)
    _data(workbook.create_sheet(DATA_SHEET), report)
    _chart(workbook.create_sheet(CHART_SHEET), report, png)
    workbook.properties.title = "ثبت‌یار: شاخص‌های دولت الکترونیک"
    workbook.properties.creator = "sabtyar"
    return workbook


def write_workbook(report: Report, out: Path | io.BytesIO, png: bytes | None = None) -> None:
    """Save the workbook to a file or a buffer (``/export`` sends the buffer as a document)."""
    report_workbook(report, png).save(out)
