"""The offices and the province as spreadsheet rows, both ways (the ``offices`` and ``province`` sheets).

One row per office in :data:`OFFICE_COLUMNS` order: its name, city, address, phones (one a line),
its hours as one column per weekday (``07:30-14:00``, Persian digits too; an empty cell is a
closed day), services (one a line), latitude and longitude (numbers), the official page, the day
it was checked (like an answer's ``verified_on``) and ``needs_review`` (the locale's yes/no). The
province is one row of :data:`PROVINCE_COLUMNS`: its title, the provincial office, its official
site, its cities (one a line) and ``needs_review``.

Reading a row only turns cells into the YAML record of :mod:`bot.knowledge.yaml_writer`
(lists split, digits made Latin, hours written ``07:30-14:00``, numbers read): whether the
values are right is :func:`bot.knowledge.directory.offices.check_offices`' to say, after the
import writes the file, so the workbook and ``offices.yaml`` are held to the same rules. A value
that cannot even be read as what its column holds goes to that check as typed, which refuses it.
"""

from __future__ import annotations

from typing import Any

from bot.calendar import latin_digits
from bot.knowledge.directory.offices import WEEKDAYS, Office, Province, read_span
from bot.knowledge.workbook.rows import CellError, CellRow, text, text_lines
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import office_record

__all__ = [
    "OFFICE_CODE_COLUMNS",
    "OFFICE_COLUMNS",
    "PROVINCE_CODE_COLUMNS",
    "PROVINCE_COLUMNS",
    "office_cells",
    "parse_office",
    "parse_province",
    "province_cells",
]

OFFICE_COLUMNS = (
    "name",
    "city",
    "address",
    "phones",
    *WEEKDAYS,
    "services",
    "latitude",
    "longitude",
    "url",
    "verified_on",
    "needs_review",
)
PROVINCE_COLUMNS = ("title", "office", "site", "cities", "needs_review")
#: Columns read left to right (times, numbers, addresses, dates); the others are Persian text.
OFFICE_CODE_COLUMNS = frozenset({*WEEKDAYS, "phones", "latitude", "longitude", "url", "verified_on"})
PROVINCE_CODE_COLUMNS = frozenset({"site"})
#: Columns of free text: a number or date cell there means the spreadsheet converted what was typed.
_OFFICE_TEXT = frozenset({"name", "city", "address", "phones", "services", *WEEKDAYS})
_PROVINCE_TEXT = frozenset({"title", "office", "cities"})


def office_cells(office: Office, words: KbWords) -> list[Any]:
    """An office's row, in :data:`OFFICE_COLUMNS` order; coordinates as numbers."""
    record = office_record(office)
    values: dict[str, Any] = {
        **{day: record["hours"].get(day, "") for day in WEEKDAYS},
        "name": office.name,
        "city": office.city,
        "address": office.address,
        "phones": "\n".join(office.phones),
        "services": "\n".join(office.services),
        "latitude": office.latitude,
        "longitude": office.longitude,
        "url": office.url,
        "verified_on": office.verified_on.isoformat() if office.verified_on else "",
        "needs_review": words.yes if office.needs_review else words.no,
    }
    return [values[column] for column in OFFICE_COLUMNS]


def province_cells(province: Province, words: KbWords) -> list[Any]:
    """The province's row, in :data:`PROVINCE_COLUMNS` order."""
    review = words.yes if province.needs_review else words.no
    return [province.title, province.office, province.site, "\n".join(province.cities), review]


def _span(value: Any) -> str:
    """An hours cell as the file writes it (``07:30-14:00``), or as typed when it is no span."""
    typed = latin_digits(text(value))
    span = read_span(typed)
    if span is None or max(span[0], span[2]) > 23:
        return typed
    h1, m1, h2, m2 = span
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def _coordinate(value: Any) -> float | str | None:
    """A number cell, or a number typed as text (Persian digits and decimal separator too)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    typed = latin_digits(text(value)).replace("٫", ".")
    if not typed:
        return None
    try:
        return float(typed)
    except ValueError:
        return typed


def parse_office(
    sheet: str, row: int, cells: dict[str, Any], errors: list[CellError], words: KbWords
) -> dict[str, Any]:
    """The YAML record of an office row (see :func:`bot.knowledge.yaml_writer.write_offices`)."""
    cells_row = CellRow(sheet, row, cells, errors, _OFFICE_TEXT)
    return {
        "name": cells_row.text("name"),
        "city": cells_row.text("city"),
        "address": cells_row.text("address"),
        "phones": text_lines(cells_row.cells.get("phones")),
        "hours": {day: _span(cells_row.cells.get(day)) for day in WEEKDAYS if cells_row.text(day)},
        "services": text_lines(cells_row.cells.get("services")),
        "latitude": _coordinate(cells_row.cells.get("latitude")),
        "longitude": _coordinate(cells_row.cells.get("longitude")),
        "url": cells_row.text("url"),
        "verified_on": cells_row.verified_on(),
        "needs_review": cells_row.needs_review(words),
    }


def parse_province(
    sheet: str, row: int, cells: dict[str, Any], errors: list[CellError], words: KbWords
) -> dict[str, Any]:
    """The ``province:`` record of the province row."""
    cells_row = CellRow(sheet, row, cells, errors, _PROVINCE_TEXT)
    return {
        "title": cells_row.text("title"),
        "office": cells_row.text("office"),
        "site": cells_row.text("site"),
        "cities": text_lines(cells_row.cells.get("cities")),
        "needs_review": cells_row.needs_review(words),
    }
