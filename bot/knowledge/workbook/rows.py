"""One knowledge entry as one spreadsheet row, both ways, with cell-level error reports.

Cells hold text the way PR staff type it in Excel or LibreOffice: lists one item a
line, links ``title | url`` one a line, ``needs_review`` as the locale's yes/no words
(:class:`~bot.knowledge.workbook.words.KbWords`: «بله»/«خیر» in Persian; TRUE/FALSE, yes/no also read),
``verified_on`` as ``YYYY-MM-DD`` (a date cell or a Jalali date such as ``1404-05-01`` is
read too). Reading a row never raises: each bad cell becomes a
:class:`CellError` and a neutral value, so one import reports every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.calendar import latin_digits
from bot.knowledge.model import Category, Entry
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import ENTRY_KEYS

__all__ = [
    "CATEGORY_COLUMNS",
    "ENTRY_COLUMNS",
    "CellError",
    "category_cells",
    "entry_cells",
    "header_index",
    "parse_category",
    "parse_entry",
    "text",
]

ENTRY_COLUMNS = ENTRY_KEYS
CATEGORY_COLUMNS = ("id", "title", "title_en", "order")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_FOLLOW_UP_SEPARATORS = re.compile(r"[\s,،;؛]+")


@dataclass(frozen=True, order=True)
class CellError:
    """A problem in one cell; ``row`` is the spreadsheet row (1 is the header), ``column`` its name."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        """``sheet!row:column: message``; without the column (or row) when the problem has none."""
        if not self.row:
            return f"{self.sheet}: {self.message}"
        return f"{self.sheet}!{self.row}{':' + self.column if self.column else ''}: {self.message}"


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
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in text(value).split("\n") if line.strip()]


class _Row:
    """One row's cells by column name, collecting its errors."""

    def __init__(self, sheet: str, row: int, cells: dict[str, Any], errors: list[CellError]) -> None:
        self.sheet, self.row, self.cells, self.errors = sheet, row, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(CellError(self.sheet, self.row, column, message))

    def text(self, column: str) -> str:
        return text(self.cells.get(column))

    def links(self) -> list[dict[str, str]]:
        links = []
        for line in _lines(self.cells.get("links")):
            title, _, url = line.rpartition("|")
            title, url = title.strip(), url.strip()
            if not url:
                self.error("links", f"link «{line}» has no url; write one link a line as: title | url")
                continue
            links.append({"title": title or url, "url": url})
        return links

    def verified_on(self) -> date | None:
        value = self.cells.get("verified_on")
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        raw = latin_digits(text(value))
        if not raw:
            return None
        match = _DATE.match(raw)
        try:
            if match:
                year, month, day = (int(part) for part in match.groups())
                if year < 1700:  # a Jalali date such as 1404-05-01
                    import jdatetime

                    jalali: date = jdatetime.date(year, month, day).togregorian()
                    return jalali
                return date(year, month, day)
        except ValueError:
            pass
        self.error("verified_on", f"«{raw}» is not a date: write YYYY-MM-DD (e.g. 2025-07-23) or leave empty")
        return None

    def needs_review(self, words: KbWords) -> bool:
        value = self.cells.get("needs_review")
        if isinstance(value, bool):
            return value
        raw = text(value).lower()
        if raw in words.true_words:
            return True
        if raw not in words.false_words:
            self.error("needs_review", f"«{raw}» is not {words.yes} or {words.no} (TRUE/FALSE also accepted)")
        return False


def parse_entry(
    sheet: str, row: int, cells: dict[str, Any], category_id: str, errors: list[CellError], words: KbWords
) -> dict[str, Any] | None:
    """The YAML record of an entry row, or None when the row has no id; bad cells go to ``errors``."""
    cells_row = _Row(sheet, row, cells, errors)
    entry_id = cells_row.text("id")
    if not entry_id:
        cells_row.error("id", "id is empty: every row needs an id (a lowercase slug like 'smartcard-lost')")
        return None
    category = cells_row.text("category") or category_id
    if category != category_id:
        cells_row.error(
            "category",
            f"category '{category}' is not this sheet's '{category_id}': "
            "to move an entry, cut its row and paste it on the other sheet",
        )
    return {
        "id": entry_id,
        "category": category_id,
        "title": cells_row.text("title"),
        "title_en": cells_row.text("title_en"),
        "questions": _lines(cells.get("questions")),
        "keywords": _lines(cells.get("keywords")),
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
    cells_row = _Row(sheet, row, cells, errors)
    category_id = cells_row.text("id")
    if not category_id:
        cells_row.error("id", "category id is empty")
        return None
    order_text = latin_digits(cells_row.text("order"))
    order = 0
    if order_text:
        try:
            order = int(order_text)
        except ValueError:
            cells_row.error("order", f"order «{order_text}» is not a whole number")
    return {
        "id": category_id,
        "title": cells_row.text("title"),
        "title_en": cells_row.text("title_en"),
        "order": order,
    }


def header_index(
    sheet: str, header: Sequence[Any], columns: Sequence[str], errors: list[CellError]
) -> dict[str, int] | None:
    """Column name -> position from a header row; missing columns are errors (extra ones are ignored)."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        key = text(name).lower()
        if key and key not in index:
            index[key] = position
    missing = [column for column in columns if column not in index]
    for column in missing:
        errors.append(CellError(sheet, 1, column, f"missing column '{column}' in the header row"))
    return None if missing else {column: index[column] for column in columns}
