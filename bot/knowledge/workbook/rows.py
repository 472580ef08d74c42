"""One knowledge entry as one spreadsheet row, both ways, with cell-level error reports.

Cells hold text the way PR staff type it in Excel or LibreOffice: lists one item a
line, links ``title | url`` one a line, ``needs_review`` as the locale's yes/no words
(:class:`~bot.knowledge.workbook.words.KbWords`: «بله»/«خیر» in Persian; TRUE/FALSE, yes/no also read),
``verified_on`` as a Jalali (``1405-09-15``, ``۱۴۰۵/۰۹/۱۵``) or Gregorian (``2026-12-06``) date, as
text or as a date cell; a date cell whose year is before 1600 is the Jalali date the person typed
(LibreOffice turns ``1405-09-15`` into a date of the year 1405, in its Julian calendar:
:func:`shown_date`). ``version`` is the
entry's fingerprint at export (:func:`entry_version`): import compares it with the entry on disk.

Reading a row never raises: each bad cell becomes a :class:`CellError` (a warning when the value
was read anyway) and a neutral value, so one import reports every problem at once. Every text is
a locale key (``kb.error.*``, ``kb.warning.*``) with its values.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

import jdatetime

from bot.calendar import LAST_JALALI_YEAR, latin_digits
from bot.knowledge.model import Category, Entry
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import ENTRY_KEYS, entry_record
from bot.messages import Message, Texts

__all__ = [
    "CATEGORY_COLUMNS",
    "ENTRY_COLUMNS",
    "VERSION",
    "CellError",
    "CellRow",
    "Formula",
    "category_cells",
    "entry_cells",
    "entry_version",
    "header_index",
    "parse_category",
    "parse_entry",
    "shown_date",
    "text",
    "text_lines",
]

#: The column holding each entry's fingerprint at export; optional on import (older workbooks).
VERSION = "version"
ENTRY_COLUMNS = (*ENTRY_KEYS, VERSION)
CATEGORY_COLUMNS = ("id", "title", "title_en", "order")
#: Columns import reads without complaint when they are missing.
OPTIONAL_COLUMNS = frozenset({VERSION})
#: Entry columns of free text, where a number, date or time cell means the spreadsheet converted it.
TEXT_COLUMNS = frozenset({"title", "title_en", "questions", "keywords", "answer", "source"})
#: Spreadsheet years before this are Jalali years typed into a date cell.
SPREADSHEET_JALALI_BEFORE = 1600
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_FOLLOW_UP_SEPARATORS = re.compile(r"[\s,،;؛]+")
_GREGORIAN_REFORM = date(1582, 10, 15)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula (import refuses it: the value would be whatever it last computed)."""

    text: str


def shown_date(value: date) -> tuple[int, int, int]:
    """The year, month and day a spreadsheet shows for a date cell read back as ``value``.

    openpyxl reads every date in the proleptic Gregorian calendar; LibreOffice shows (and took
    as typed) a date before 15 October 1582 in the Julian calendar, so ``1405-09-15`` typed there
    reads back as 24 September 1405: the Julian calendar date is what the person typed."""
    if value >= _GREGORIAN_REFORM:
        return value.year, value.month, value.day
    c = value.toordinal() + 1721425 + 32082  # the Julian day number, then the Julian calendar
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1


def entry_version(record: dict[str, Any]) -> str:
    """The fingerprint of an entry's YAML record: ``v`` and 10 hex digits (never number-like)."""
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    return "v" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True, order=True)
class CellError:
    """A problem in one cell: ``row`` is the spreadsheet row (1 is the header), ``column`` its
    name, ``cell`` its reference as the spreadsheet shows it (``G5``) once known; ``note`` the
    text's key (``kb.error.*``, or ``kb.warning.*`` for a value read anyway); ``label`` the
    column's header as the sheet shows it, when that is not its name (``شنبه`` for ``saturday``)."""

    sheet: str
    row: int
    column: str
    note: Message
    cell: str = ""
    label: str = ""

    @classmethod
    def of(cls, sheet: str, row: int, column: str, key: str, /, **values: str | int | float) -> CellError:
        return cls(sheet, row, column, Message.of(f"kb.error.{key}", **values))

    @classmethod
    def warn(cls, sheet: str, row: int, column: str, key: str, /, **values: str | int | float) -> CellError:
        return cls(sheet, row, column, Message.of(f"kb.warning.{key}", **values))

    @property
    def warning(self) -> bool:
        return self.note.key.startswith("kb.warning.")

    @property
    def key(self) -> str:
        """The key without its ``kb.error.``/``kb.warning.`` prefix."""
        return self.note.key.split(".", 2)[2]

    @property
    def message(self) -> str:
        """The text in English (the command line words it in the configured language)."""
        return str(self.note)

    def at(self, cell: str, label: str = "") -> CellError:
        return replace(self, cell=cell, label=label)

    def where(self) -> str:
        """``birth!G5 (answer)``, ``offices!E3 (شنبه)``, ``birth!5`` without a column, ``sheet``
        without a row."""
        if not self.row:
            return self.sheet
        reference = f"{self.sheet}!{self.cell or self.row}"
        column = self.label or self.column
        return f"{reference} ({column})" if column else reference

    def text(self, catalog: Texts) -> str:
        """``where: message`` in ``catalog``'s language."""
        return f"{self.where()}: {self.note.text(catalog)}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


def entry_cells(entry: Entry, words: KbWords) -> list[str]:
    """The row of an entry, in :data:`ENTRY_COLUMNS` order; ``needs_review`` in ``words``' language."""
    values = {
        "id": entry.id,
        "category": entry.category,
        "title": entry.title,
        "title_en": entry.title_en,
        "questions": "\n".join(entry.questions),
        "keywords": "\n".join(entry.keywords),
        "answer": entry.answer,
        "links": "\n".join(f"{link.title} | {link.url}" for link in entry.links),
        "follow_ups": "\n".join(entry.follow_ups),
        "source": entry.source,
        "verified_on": entry.verified_on.isoformat() if entry.verified_on else "",
        "needs_review": words.yes if entry.needs_review else words.no,
        VERSION: entry_version(entry_record(entry)),
    }
    return [values[column] for column in ENTRY_COLUMNS]


def category_cells(category: Category) -> list[Any]:
    return [category.id, category.title, category.title_en, category.order]


def text(value: Any) -> str:
    """A cell as text: line breaks made ``\\n``, outer blanks stripped, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Formula):
        return value.text
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def text_lines(value: Any) -> list[str]:
    """A list cell: one item a line, blank lines left out."""
    return [line.strip() for line in text(value).split("\n") if line.strip()]


class CellRow:
    """One row's cells by column name, collecting its errors and warnings; ``text_columns`` are
    the columns of free text (a number or date there means the spreadsheet converted it)."""

    def __init__(
        self,
        sheet: str,
        row: int,
        cells: dict[str, Any],
        errors: list[CellError],
        text_columns: frozenset[str] = TEXT_COLUMNS,
    ) -> None:
        self.sheet, self.row, self.cells, self.errors = sheet, row, cells, errors
        self.text_columns = text_columns
        for column, value in cells.items():
            self.check(column, value)

    def error(self, column: str, key: str, /, **values: str | int | float) -> None:
        self.errors.append(CellError.of(self.sheet, self.row, column, key, **values))

    def warn(self, column: str, key: str, /, **values: str | int | float) -> None:
        self.errors.append(CellError.warn(self.sheet, self.row, column, key, **values))

    def check(self, column: str, value: Any) -> None:
        """Refuse a formula, remove control characters (said), flag a converted number or date."""
        if isinstance(value, Formula):
            self.error(column, "formula", formula=value.text)
            self.cells[column] = None
        elif isinstance(value, str) and _CONTROL.search(value):
            self.cells[column] = _CONTROL.sub("", value)
            self.warn(column, "control_characters")
        elif column in self.text_columns and not isinstance(value, str | None | bool):
            self.warn(column, "converted", value=text(value))

    def text(self, column: str) -> str:
        return text(self.cells.get(column))

    def links(self) -> list[dict[str, str]]:
        links = []
        for line in text_lines(self.cells.get("links")):
            title, _, url = line.rpartition("|")
            title, url = title.strip(), url.strip()
            if not url:
                self.error("links", "link_no_url", link=line)
                continue
            links.append({"title": title or url, "url": url})
        return links

    def verified_on(self) -> date | None:
        value = self.cells.get("verified_on")
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            if value.year >= SPREADSHEET_JALALI_BEFORE:
                return value
            year, month, day = shown_date(value)
            raw = f"{year:04d}-{month:02d}-{day:02d}"  # the Jalali date typed
        else:
            raw = latin_digits(text(value))
        if not raw:
            return None
        match = _DATE.match(raw)
        try:
            if match:
                year, month, day = (int(part) for part in match.groups())
                if year < LAST_JALALI_YEAR:
                    jalali: date = jdatetime.date(year, month, day).togregorian()
                    return jalali
                return date(year, month, day)
        except ValueError:
            pass
        self.error("verified_on", "not_a_date", value=raw)
        return None

    def needs_review(self, words: KbWords) -> bool:
        value = self.cells.get("needs_review")
        if isinstance(value, bool):
            return value
        raw = text(value).lower()
        if raw in words.true_words:
            return True
        if raw not in words.false_words:
            self.error("needs_review", "not_yes_no", value=raw, yes=words.yes, no=words.no)
        return False


def parse_entry(
    sheet: str, row: int, cells: dict[str, Any], category_id: str, errors: list[CellError], words: KbWords
) -> dict[str, Any] | None:
    """The YAML record of an entry row, or None when the row has no id; bad cells go to ``errors``."""
    cells_row = CellRow(sheet, row, cells, errors)
    entry_id = cells_row.text("id")
    if not entry_id:
        cells_row.error("id", "empty_id")
        return None
    category = cells_row.text("category") or category_id
    if category != category_id:
        cells_row.error("category", "wrong_sheet", category=category, sheet_category=category_id)
    return {
        "id": entry_id,
        "category": category_id,
        "title": cells_row.text("title"),
        "title_en": cells_row.text("title_en"),
        "questions": text_lines(cells.get("questions")),
        "keywords": text_lines(cells.get("keywords")),
        "answer": cells_row.text("answer"),
        "links": cells_row.links(),
        "follow_ups": [item for item in _FOLLOW_UP_SEPARATORS.split(cells_row.text("follow_ups")) if item],
        "source": cells_row.text("source"),
        "verified_on": cells_row.verified_on(),
        "needs_review": cells_row.needs_review(words),
    }


def parse_category(
    sheet: str, row: int, cells: dict[str, Any], errors: list[CellError]
) -> dict[str, Any] | None:
    """The ``category:`` block of a categories-sheet row, or None when the row has no id."""
    cells_row = CellRow(sheet, row, cells, errors)
    category_id = cells_row.text("id")
    if not category_id:
        cells_row.error("id", "empty_category_id")
        return None
    order_text = latin_digits(cells_row.text("order"))
    order = 0
    if order_text:
        try:
            order = int(order_text)
        except ValueError:
            cells_row.error("order", "order_not_number", value=order_text)
    return {
        "id": category_id,
        "title": cells_row.text("title"),
        "title_en": cells_row.text("title_en"),
        "order": order,
    }


def header_index(
    sheet: str,
    header: Sequence[Any],
    columns: Sequence[str],
    errors: list[CellError],
    names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, int] | None:
    """Column name -> position from a header row. A missing column, or one import does not know
    (its cells would be lost at the next export), is an error; so all missing columns are one
    error, and a header with none of them is said to be no header at all. ``names`` reads other
    headers (lowercased) as columns (the offices sheet's headers in every language), and
    ``labels`` are the headers the errors name (as exported), by column."""

    def shown(column: str) -> str:
        return (labels or {}).get(column, column)

    index: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for position, name in enumerate(header):
        key = " ".join(text(name).lower().split())
        key = (names or {}).get(key, key)
        if key in columns and key not in index:
            index[key] = position
        elif key:
            unknown.append((position, text(name)))
    missing = [column for column in columns if column not in index and column not in OPTIONAL_COLUMNS]
    if len(missing) == len([c for c in columns if c not in OPTIONAL_COLUMNS]):
        first = ", ".join(shown(column) for column in columns[:3])
        errors.append(CellError.of(sheet, 1, "", "no_header", columns=first))
        return None
    if len(missing) == 1 and len(unknown) == 1:  # one header renamed: one error, on its cell
        position, name = unknown[0]
        cell = _letter(position) + "1"
        errors.append(
            CellError.of(sheet, 1, missing[0], "renamed_column", found=name, column=shown(missing[0])).at(
                cell, shown(missing[0]) if labels else ""
            )
        )
        return None
    if missing:
        names_missing = ", ".join(shown(column) for column in missing)
        errors.append(CellError.of(sheet, 1, "", "missing_columns", columns=names_missing))
    for position, name in unknown:
        errors.append(CellError.of(sheet, 1, name, "unknown_column", column=name).at(_letter(position) + "1"))
    return None if missing or unknown else index


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(position + 1))
