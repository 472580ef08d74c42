"""The knowledge workbook on disk: writing and reading ``.xlsx`` and ``.csv`` tables.

Layout of the workbook (all sheets right-to-left, header row bold and frozen):

* the guide (``kb.guide.*`` in ``locales/``; «راهنما» in Persian): what each column holds and
  the rules import checks.
* ``categories``: one row per category: id, title, title_en, order.
* one sheet per category, titled with the category id, one row per entry in
  :data:`~bot.knowledge.workbook.rows.ENTRY_COLUMNS` order.

The CSV holds the entry rows of every category in one table (UTF-8 with a BOM, so
Excel shows Persian), the ``category`` column telling which category each row is in.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.knowledge.loader import MAX_ANSWER_CHARS, MIN_QUESTIONS
from bot.knowledge.workbook.rows import ENTRY_COLUMNS
from bot.knowledge.workbook.words import KbWords

__all__ = [
    "CATEGORIES_SHEET",
    "SourceError",
    "Table",
    "add_guide_sheet",
    "add_table_sheet",
    "read_csv",
    "read_xlsx",
    "write_csv",
]

CATEGORIES_SHEET = "categories"
_WIDTHS = {
    "id": 24,
    "category": 14,
    "title": 32,
    "title_en": 32,
    "questions": 55,
    "keywords": 28,
    "answer": 90,
    "links": 48,
    "follow_ups": 24,
    "source": 45,
    "verified_on": 14,
    "needs_review": 13,
    "order": 8,
}


class SourceError(Exception):
    """The file cannot be read as a workbook or CSV at all."""


@dataclass
class Table:
    """A sheet (or the CSV): its name, header cells and data rows with their 1-based row numbers."""

    name: str
    header: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _style_sheet(ws: Worksheet, columns: Sequence[str]) -> None:
    ws.sheet_view.rightToLeft = True
    ws.freeze_panes = "B2"
    bold = Font(bold=True)
    for position, column in enumerate(columns, start=1):
        ws.cell(row=1, column=position).font = bold
        ws.column_dimensions[get_column_letter(position)].width = _WIDTHS.get(column, 20)


def add_table_sheet(
    wb: Workbook, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], words: KbWords
) -> Worksheet:
    """A sheet with a header row and ``rows``; text cells wrap and stay text (never formulas);
    ``needs_review`` cells offer ``words``' yes and no."""
    ws = wb.create_sheet(title)
    ws.append(list(columns))
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        ws.append(list(values))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # an answer starting with '=' stays text
                cell.number_format = "@"
            cell.alignment = wrap
    _style_sheet(ws, columns)
    if "needs_review" in columns:
        letter = get_column_letter(list(columns).index("needs_review") + 1)
        choice = DataValidation(type="list", formula1=f'"{words.yes},{words.no}"', allow_blank=True)
        choice.add(f"{letter}2:{letter}{max(ws.max_row, 2) + 200}")
        ws.add_data_validation(choice)
    return ws


def add_guide_sheet(wb: Workbook, words: KbWords) -> None:
    """The guide, first: the workbook's rules, then what each column holds, in ``words``' language."""
    catalog = words.catalog
    ws = wb.create_sheet(words.guide_sheet, 0)
    ws.append([catalog.text("kb.guide.column"), catalog.text("kb.guide.text")])
    for line in catalog.text("kb.guide.intro").split("\n"):
        ws.append(["", line])
    ws.append([])
    limits = {"min_questions": MIN_QUESTIONS, "max_chars": MAX_ANSWER_CHARS, "yes": words.yes, "no": words.no}
    for column in ENTRY_COLUMNS:
        ws.append([column, catalog.text(f"kb.guide.columns.{column}", **limits)])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    _style_sheet(ws, ["id", "answer"])
    ws.freeze_panes = "A2"


def write_csv(out: Path, rows: Iterable[Sequence[Any]]) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(ENTRY_COLUMNS)
        writer.writerows(rows)


def _table(name: str, rows: Iterable[Sequence[Any]]) -> Table:
    table: Table | None = None
    for number, values in enumerate(rows, start=1):
        if table is None:
            table = Table(name, list(values))
        elif any(value not in (None, "") for value in values):
            table.rows.append((number, list(values)))
    return table or Table(name, [])


def read_xlsx(path: Path) -> list[Table]:
    """Every sheet of the workbook, in order (cached values of formulas, not the formulas)."""
    try:
        with warnings.catch_warnings():  # Excel's extensions openpyxl skips (styles, validations)
            warnings.simplefilter("ignore", UserWarning)
            wb = load_workbook(path, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SourceError(f"cannot read {path.name} as an .xlsx workbook: {error}") from error
    try:
        return [_table(ws.title, ws.iter_rows(values_only=True)) for ws in wb.worksheets]
    finally:
        wb.close()


def read_csv(path: Path) -> Table:
    """The CSV's rows; UTF-8 (with or without BOM), comma, semicolon or tab separated."""
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise SourceError(f"cannot read {path.name}: {error}") from error
    except UnicodeDecodeError as error:
        raise SourceError(f"{path.name} is not UTF-8: in Excel, save as «CSV UTF-8»") from error
    first = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return _table(path.name, csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
