"""The offices sheets of an import: ``offices.yaml`` as the workbook leaves it, checked by the one validator.

The reader (:mod:`bot.knowledge.workbook.importer`) gathers the rows of the ``offices`` and
``province`` sheets as records (:mod:`bot.knowledge.workbook.office_rows`). :func:`stage_offices`
writes them as ``offices.yaml`` (:func:`~bot.knowledge.yaml_writer.write_offices`, the file's top
comment kept) into the import's temporary copy of the knowledge folder and reads it back with
:func:`~bot.knowledge.directory.offices.load_offices`; each problem is traced back through the
written line to its sheet, row and column. A sheet the workbook does not have keeps that part of
the file (an older workbook has neither). The file is only rewritten when the offices or the
province differ from what it holds, however it is laid out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge.directory.offices import OFFICES_FILE, OfficeBook, load_offices
from bot.knowledge.files import file_header
from bot.knowledge.loader import Problem
from bot.knowledge.workbook.rows import CellError
from bot.knowledge.workbook.sheets import OFFICES_SHEET, PROVINCE_SHEET
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import (
    PROVINCE_RECORD,
    LineOrigin,
    office_record,
    province_record,
    write_offices,
)

__all__ = ["OfficeRows", "stage_offices"]


@dataclass
class OfficeRows:
    """The records read from the offices sheets, each with its row: ``offices`` ``None`` when
    there is no offices sheet; ``province_read`` whether there is a province sheet (``province``
    ``None`` then: it has no row, and the file no province)."""

    offices: list[tuple[dict[str, Any], int]] | None = None
    province: tuple[dict[str, Any], int] | None = None
    province_read: bool = False


def _locate(problem: Problem, origins: dict[int, LineOrigin], rows: OfficeRows) -> CellError:
    """The cell of the offices or province sheet a problem of the written ``offices.yaml`` is on."""
    unplaced = CellError(problem.file, problem.line, "", problem.note)
    lines = [line for line in origins if line <= problem.line]
    if not lines:
        return unplaced
    origin = origins[max(lines)]
    if origin.record == PROVINCE_RECORD and rows.province is not None:
        return CellError(PROVINCE_SHEET, rows.province[1], origin.field, problem.note)
    if origin.record < 0 or rows.offices is None:
        return unplaced
    column = origin.field if origin.field != "hours" else "saturday"
    if problem.key == "office_coordinates_pair":  # said on the cell left empty
        column = str(dict(problem.note.values)["missing"])
    return CellError(OFFICES_SHEET, rows.offices[origin.record][1], column, problem.note)


def stage_offices(
    rows: OfficeRows, knowledge_dir: Path, staging: Path, words: KbWords
) -> tuple[bytes | None, OfficeBook | None, list[CellError]]:
    """``offices.yaml`` as the workbook leaves it, written into ``staging`` and checked there: its
    bytes when the offices or the province change (else ``None``), the book after the import
    (``None`` when the workbook has neither sheet: the file stays as it is) and the errors."""
    if rows.offices is None and not rows.province_read:
        return None, None, []
    current, problems = load_offices(knowledge_dir)
    keeps_some = rows.offices is None or not rows.province_read
    if problems and keeps_some:  # the part the workbook does not hold cannot be read to keep it
        return None, None, [CellError(problem.file, problem.line, "", problem.note) for problem in problems]
    province = (
        (rows.province[0] if rows.province else None)
        if rows.province_read
        else province_record(current.province)
    )
    offices = (
        [record for record, _row in rows.offices]
        if rows.offices is not None
        else [office_record(office) for office in current]
    )
    path = knowledge_dir / OFFICES_FILE
    header = file_header(path.read_text(encoding="utf-8")) if path.exists() else words.offices_header()
    content, origins = write_offices(header, province, offices)
    (staging / OFFICES_FILE).write_text(content, encoding="utf-8")
    book, found = load_offices(staging)
    if found:
        return None, None, [_locate(problem, origins, rows) for problem in found]
    return (None if book == current and not problems else content.encode("utf-8")), book, []
