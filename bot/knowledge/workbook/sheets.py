"""The knowledge workbook on disk: writing and reading ``.xlsx`` and ``.csv`` tables.

Layout of the workbook (every sheet right to left, header row bold and frozen):

* the guide (``kb.guide.*`` in ``locales/``; «راهنما» in Persian): the workbook's rules (row
  order is the citizens' menu order, how to write dates, text that looks like a number) and
  what each column holds.
* ``categories``: one row per category: id, title, title_en, order.
* one sheet per category, titled with the category id, one row per entry in
  :data:`~bot.knowledge.workbook.rows.ENTRY_COLUMNS` order.
* ``offices``: one row per office (:mod:`bot.knowledge.workbook.office_rows`), headed in the
  export's language (``نام اداره``, ``شنبه``, ...); headers only when no office is listed yet.
* ``province``: the province's one row (title, provincial office, official site, cities).

It reads right in Excel and LibreOffice: Persian cells have right-to-left reading order
(``readingOrder=2``; without it a wrapped Persian cell is laid out left to right), code cells
(ids, dates, versions) left to right; every cell wraps, each row is as tall as its longest
cell needs (Excel does not grow a row it opens), columns are as wide as their content up to a
cap; the font is Tahoma (Windows; LibreOffice on Linux substitutes a metric-compatible one);
cells and the columns below the data are formatted as text (``@``), so ``021``, ``8:00`` or
``1405-09-15`` typed in a new row stay text. Fixed choices (``needs_review``, ``category``)
are drop-down lists; ``verified_on``, the hours and the coordinates show how to write them when
selected, and an office's city offers the province's cities.

The CSV holds the entry rows of every category in one table (UTF-8 with a BOM, so
Excel shows Persian), the ``category`` column telling which category each row is in; like the
categories, the offices and the province are in the workbook only (a CSV import keeps them). A cell
starting with ``= + - @`` is written with a leading ``'`` (a spreadsheet would run it as a
formula) and read back without it.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.knowledge.directory.offices import WEEKDAYS
from bot.knowledge.loader import MAX_ANSWER_CHARS, MIN_QUESTIONS
from bot.knowledge.workbook.office_rows import OFFICE_COLUMNS, PROVINCE_COLUMNS
from bot.knowledge.workbook.rows import ENTRY_COLUMNS, Formula
from bot.knowledge.workbook.words import KbWords
from bot.messages import Message

__all__ = [
    "CATEGORIES_SHEET",
    "FONT_NAME",
    "OFFICES_SHEET",
    "PROVINCE_SHEET",
    "SourceError",
    "Table",
    "add_guide_sheet",
    "add_table_sheet",
    "column_letter",
    "read_csv",
    "read_xlsx",
    "write_csv",
]

CATEGORIES_SHEET = "categories"
OFFICES_SHEET = "offices"
PROVINCE_SHEET = "province"
#: A font with Persian letters on Windows (LibreOffice substitutes DejaVu Sans where it is missing).
FONT_NAME = "Tahoma"
#: Points per line of 11-point Tahoma, and Excel's tallest row.
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0
#: Column width caps (in characters); a column is as wide as its longest line, up to its cap.
_WIDTHS = {
    "id": 30,
    "category": 16,
    "title": 36,
    "title_en": 36,
    "questions": 55,
    "keywords": 30,
    "answer": 90,
    "links": 50,
    "follow_ups": 28,
    "source": 45,
    "verified_on": 14,
    "needs_review": 14,
    "version": 14,
    "order": 8,
    "name": 30,
    "city": 14,
    "address": 45,
    "phones": 18,
    "services": 30,
    "latitude": 12,
    "longitude": 12,
    "url": 36,
    "office": 36,
    "site": 20,
    "cities": 18,
    **{day: 13 for day in WEEKDAYS},
}
#: Columns of codes (read left to right); every other column is Persian text (right to left).
_CODE_COLUMNS = frozenset({"id", "category", "follow_ups", "verified_on", "version", "order"})
#: Empty rows below the data that get the column's formats and drop-down lists.
_SPARE_ROWS = 200
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def column_letter(position: int) -> str:
    """The spreadsheet's letter of a 0-based column position (0 -> ``A``)."""
    return str(get_column_letter(position + 1))


def _alignment(code: bool) -> Alignment:
    """Wrapped, top-aligned; right to left for Persian text, left to right for codes."""
    return Alignment(wrap_text=True, vertical="top", readingOrder=1 if code else 2)


class SourceError(Exception):
    """The file cannot be read as a workbook or CSV at all; ``note`` says why (``kb.error.*``)."""

    def __init__(self, key: str, /, **values: str | int | float) -> None:
        self.note = Message.of(f"kb.error.{key}", **values)
        super().__init__(str(self.note))


@dataclass
class Table:
    """A sheet (or the CSV): its name, header cells and data rows with their 1-based row numbers."""

    name: str
    header: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _width(values: Iterable[Any], column: str, *, roomy: bool = False) -> float:
    """The width a column's content needs (longest line + 2), from its header's up to its cap;
    ``roomy``: the cap (a sheet staff mostly type into, such as the offices with none listed yet)."""
    cap = _WIDTHS.get(column, 24)
    longest = max((len(line) for value in values for line in str(value or "").split("\n")), default=0)
    return float(cap if roomy else min(cap, max(len(column), longest) + 2))


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell of ``width`` characters shows (a little generously)."""
    if value in (None, ""):
        return 1
    per_line = max(1.0, width - 1)
    return sum(max(1, math.ceil(len(line) * 1.1 / per_line)) for line in str(value).split("\n"))


def _style_sheet(
    ws: Worksheet, columns: Sequence[str], *, code: frozenset[str] = _CODE_COLUMNS, roomy: bool = False
) -> None:
    """Fonts, reading order, wrapping, text format, widths by content (``roomy``: at their caps)
    and heights by lines."""
    font, bold = Font(name=FONT_NAME, size=11), Font(name=FONT_NAME, size=11, bold=True)
    ws.sheet_view.rightToLeft = True
    ws.freeze_panes = "B2"
    widths = []
    for position, column in enumerate(columns, start=1):
        letter = get_column_letter(position)
        width = _width((cell.value for cell in ws[letter]), column, roomy=roomy)
        widths.append(width)
        dimension = ws.column_dimensions[letter]
        dimension.width = width
        dimension.font = font  # rows typed below the data: same font, reading order, text format
        dimension.alignment = _alignment(column in code)
        dimension.number_format = "@"
        header = ws.cell(row=1, column=position)
        header.font, header.alignment = bold, Alignment(vertical="center", readingOrder=1)
    for row in ws.iter_rows(min_row=2):
        lines = 1
        for cell, column, width in zip(row, columns, widths, strict=False):
            cell.font = font
            cell.alignment = _alignment(column in code)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # an answer starting with '=' stays text
                cell.number_format = "@"
            lines = max(lines, _lines(cell.value, width))
        ws.row_dimensions[row[0].row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)


def _choices(
    ws: Worksheet, columns: Sequence[str], column: str, formula: str, prompt: str, *, only: bool = True
) -> None:
    """A drop-down list on ``column`` of the data rows and the spare rows below them; with ``only``
    the spreadsheet refuses any other value."""
    letter = get_column_letter(list(columns).index(column) + 1)
    choice = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=only)
    choice.error, choice.prompt, choice.showInputMessage = prompt, prompt, True
    choice.add(f"{letter}2:{letter}{max(ws.max_row, 2) + _SPARE_ROWS}")
    ws.add_data_validation(choice)


def _prompt(ws: Worksheet, columns: Sequence[str], names: Iterable[str], prompt: str) -> None:
    """The short help shown when a cell of the ``names`` columns is selected (data and spare rows)."""
    help_text = DataValidation(allow_blank=True)
    help_text.prompt, help_text.showInputMessage = prompt, True
    last = max(ws.max_row, 2) + _SPARE_ROWS
    for name in names:
        letter = get_column_letter(list(columns).index(name) + 1)
        help_text.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(help_text)


def _list_formula(values: Sequence[str]) -> str | None:
    """A drop-down's list written in the cell rule itself (``"a,b"``), or ``None`` when it cannot
    hold them (a comma or quote in a value, or longer than Excel's 255 characters)."""
    formula = '"' + ",".join(values) + '"'
    if not values or any("," in value or '"' in value for value in values) or len(formula) > 255:
        return None
    return formula


def add_table_sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    words: KbWords,
    *,
    categories: int = 0,
    header: Sequence[str] | None = None,
    code: frozenset[str] = _CODE_COLUMNS,
    cities: Sequence[str] = (),
    roomy: bool = False,
) -> Worksheet:
    """A sheet with a header row (``header``, else the column names) and ``rows``; text cells stay
    text (never formulas), ``code`` columns read left to right; ``needs_review`` offers
    ``words``' yes and no, ``category`` the ``categories`` category ids of the categories sheet,
    ``city`` the ``cities`` (other cities can still be typed: import checks them), and
    ``verified_on``, the weekdays and the coordinates say how to write them; ``roomy`` columns are
    as wide as their caps, ready for typing."""
    ws = wb.create_sheet(title)
    ws.append(list(header or columns))
    for values in rows:
        ws.append(list(values))
    _style_sheet(ws, columns, code=code, roomy=roomy)
    catalog = words.catalog
    days = [column for column in columns if column in WEEKDAYS]
    if days:
        _prompt(ws, columns, days, catalog.text("kb.guide.prompt.hours"))
    coordinates = [column for column in columns if column in ("latitude", "longitude")]
    if coordinates:
        _prompt(ws, columns, coordinates, catalog.text("kb.guide.prompt.coordinates"))
    listed = _list_formula(cities)
    if "city" in columns and listed:
        _choices(ws, columns, "city", listed, catalog.text("kb.guide.prompt.city"), only=False)
    if "needs_review" in columns:
        prompt = catalog.text("kb.guide.prompt.needs_review", yes=words.yes, no=words.no)
        _choices(ws, columns, "needs_review", f'"{words.yes},{words.no}"', prompt)
    if "category" in columns and categories:
        ids = f"{CATEGORIES_SHEET}!$A$2:$A${categories + 1}"
        _choices(ws, columns, "category", ids, catalog.text("kb.guide.prompt.category"))
    if "verified_on" in columns:
        letter = get_column_letter(list(columns).index("verified_on") + 1)
        dates = DataValidation(allow_blank=True)
        dates.prompt, dates.showInputMessage = catalog.text("kb.guide.prompt.verified_on"), True
        dates.add(f"{letter}2:{letter}{max(ws.max_row, 2) + _SPARE_ROWS}")
        ws.add_data_validation(dates)
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
    for sheet, columns in ((OFFICES_SHEET, OFFICE_COLUMNS), (PROVINCE_SHEET, PROVINCE_COLUMNS)):
        ws.append([])
        ws.append([sheet, catalog.text(f"kb.guide.{sheet}_sheet")])
        described = [column for column in columns if column not in WEEKDAYS or column == "saturday"]
        for column in described:
            if column == "saturday":
                label = catalog.text(
                    "offices.days", first=words.label("saturday"), last=words.label("friday")
                )
                ws.append([label, catalog.text("kb.guide.office_columns.hours")])
            else:
                ws.append([words.label(column), catalog.text(f"kb.guide.office_columns.{column}", **limits)])
    _style_sheet(ws, ["id", "answer"], code=frozenset({"id"}))
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2):
        lines = _lines(row[1].value, 100)
        ws.row_dimensions[row[0].row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)
    ws.freeze_panes = "A2"


def _escaped(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, with a leading ``'``."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _unescaped(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def write_csv(out: Path, rows: Iterable[Sequence[Any]]) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(ENTRY_COLUMNS)
        writer.writerows([_escaped(value) for value in row] for row in rows)


def _table(name: str, rows: Iterable[Sequence[Any]]) -> Table:
    table: Table | None = None
    for number, values in enumerate(rows, start=1):
        if table is None:
            table = Table(name, list(values))
        elif any(value not in (None, "") for value in values):
            table.rows.append((number, list(values)))
    return table or Table(name, [])


def _value(cell: Cell | Any) -> Any:
    """A cell's value; a formula as :class:`~bot.knowledge.workbook.rows.Formula`."""
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(getattr(cell.value, "text", None) or cell.value))
    return cell.value


def read_xlsx(path: Path) -> list[Table]:
    """Every sheet of the workbook, in order; formulas as formulas (import refuses them)."""
    try:
        with warnings.catch_warnings():  # Excel's extensions openpyxl skips (styles, validations)
            warnings.simplefilter("ignore", UserWarning)
            wb = load_workbook(path)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SourceError("unreadable_xlsx", file=path.name, error=str(error)) from error
    try:
        return [
            _table(ws.title, ([_value(c) for c in row] for row in ws.iter_rows())) for ws in wb.worksheets
        ]
    finally:
        wb.close()


def read_csv(path: Path) -> Table:
    """The CSV's rows; UTF-8 (with or without BOM), comma, semicolon or tab separated."""
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise SourceError("unreadable", file=path.name, error=str(error)) from error
    except UnicodeDecodeError as error:
        raise SourceError("not_utf8", file=path.name) from error
    first = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    return _table(path.name, ([_unescaped(value) for value in row] for row in rows))
