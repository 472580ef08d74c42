"""The report as JSON (rows + summary) or CSV (UTF-8 with a BOM, so Excel reads the Persian).

The JSON keeps the figures' keys and fractions (``"csat": 0.75``) for programs. The CSV is for
people opening it in a spreadsheet: its header row is the report's headings in its language
(Persian: «ماه»، «پرسش‌ها»، «رضایت (CSAT)»، …), in :data:`CSV_COLUMNS` order, and shares are
written as percentages (``75.0%``, Latin digits so the spreadsheet reads them as numbers).
"""

from __future__ import annotations

import csv
import io
import json

from bot.reports.figures import Report
from bot.reports.labels import FIGURES, KEY_COLUMNS

__all__ = ["CSV_COLUMNS", "PERCENT_KEYS", "csv_headers", "report_csv", "report_json"]

#: The CSV's columns: the row's keys, then the figures, as in the JSON rows (headed in words).
CSV_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, *(figure.key for figure in FIGURES))


def report_json(report: Report) -> str:
    """``{"period": {...}, "rows": [...], "summary": {"all": {...}, "by_platform": {...}}}``."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


#: The figures written as percentages.
PERCENT_KEYS = frozenset(figure.key for figure in FIGURES if figure.number_format.endswith("%"))


def csv_headers(report: Report) -> list[str]:
    """The CSV's header row: each column's heading in the report's language."""
    labels = report.labels
    return [*map(labels.column, KEY_COLUMNS), *map(labels.title, FIGURES)]


def _cell(key: str, value: object) -> object:
    if value is None:
        return ""
    if key in PERCENT_KEYS and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    return value


def report_csv(report: Report) -> bytes:
    """The headings, then one line per row (subtotal rows have category ``all``); empty cells
    where a figure is ``None``."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(csv_headers(report))
    for row in report.rows:
        writer.writerow([_cell(key, value) for key, value in row.to_json().items()])
    return text.getvalue().encode("utf-8-sig")
