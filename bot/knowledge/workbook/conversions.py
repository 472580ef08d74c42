"""Text a spreadsheet turned into a number or a time, found by comparing a row with the entry.

A spreadsheet that opens a CSV (or a cell not formatted as Text) reads ``021`` as the number 21,
``8:00`` as a time and ``50%`` as 0.5, and saves them so: the row then holds ``21``, ``08:00:00``
and ``0.5`` as plain text, which nothing in the file itself tells apart from an edit. Compared
with the entry as it is in the knowledge folder, a changed value that is the same number or time
written the way a spreadsheet writes it is flagged (a warning: it may be a deliberate edit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.calendar import latin_digits

__all__ = ["CONVERTIBLE_COLUMNS", "converted_values", "looks_converted"]

#: The entry columns of free text (lists: one item a line) where a conversion can hide.
CONVERTIBLE_COLUMNS = ("title", "title_en", "questions", "keywords", "answer", "source")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
#: How a spreadsheet writes a number or a time it saves as text (no leading zero, no %, no grouping).
_WRITTEN = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:E[+-]?\d+)?|\d{1,2}:\d{2}(?::\d{2})?", re.IGNORECASE)


def _reading(value: str) -> tuple[str, Any] | None:
    """The number or time of day a spreadsheet reads ``value`` as, else ``None``."""
    cleaned = latin_digits(value.strip())
    if found := _TIME.fullmatch(cleaned):
        hours, minutes, seconds = found.groups()
        return "time", (int(hours), int(minutes), int(seconds or 0))
    scale = Decimal(1)
    if cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1], Decimal(100)
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.fullmatch(cleaned):
        return None
    try:
        return "number", Decimal(cleaned) / scale
    except InvalidOperation:
        return None


def looks_converted(before: str, after: str) -> bool:
    """Whether ``after`` is what a spreadsheet makes of the text ``before``: the same number or
    time, written as a spreadsheet writes it (``021`` -> ``21``, ``8:00`` -> ``08:00:00``, ``50%``
    -> ``0.5``; never ``21`` -> ``021``)."""
    if before == after or not _WRITTEN.fullmatch(after.strip()):
        return False
    reading = _reading(before)
    return reading is not None and reading == _reading(after)


def converted_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(column, value, was)`` for every value of ``after`` (a row's record) that looks like a
    spreadsheet's conversion of the one in ``before`` (the entry's record); lists item by item."""
    found: list[tuple[str, str, str]] = []
    for column in CONVERTIBLE_COLUMNS:
        old, new = before.get(column), after.get(column)
        if isinstance(old, str) and isinstance(new, str):
            if looks_converted(old, new):
                found.append((column, new, old))
        elif isinstance(old, list) and isinstance(new, list):
            removed = [str(item) for item in old if item not in new]
            for item in (str(item) for item in new if item not in old):
                was = next((gone for gone in removed if looks_converted(gone, item)), None)
                if was is not None:
                    found.append((column, item, was))
    return found
