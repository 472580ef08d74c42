"""The report as JSON (rows + summary) or CSV (UTF-8 with a BOM, so Excel reads the Persian)."""

from __future__ import annotations

import csv
import io
import json

from bot.reports.figures import Report
from bot.reports.labels import FIGURES, KEY_COLUMNS

__all__ = ["CSV_COLUMNS", "report_csv", "report_json"]

#: The CSV header: the row's keys, then the figures, as in the JSON rows.
CSV_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, *(figure.key for figure in FIGURES))


def report_json(report: Report) -> str:
    """``{"period": {...}, "rows": [...], "summary": {"all": {...}, "by_platform": {...}}}``."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def report_csv(report: Report) -> bytes:
    """One line per row (subtotal rows have category ``all``); empty cells where a figure is ``None``."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in report.rows:
        writer.writerow({key: "" if value is None else value for key, value in row.to_json().items()})
    return text.getvalue().encode("utf-8-sig")
