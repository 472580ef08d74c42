"""Import the knowledge workbook or CSV: validate everything first, then replace all or nothing.

1. Read the rows (:mod:`bot.knowledge.workbook.sheets`, :mod:`bot.knowledge.workbook.rows`); a bad
   cell is a :class:`CellError`.
2. Write the category files (:mod:`bot.knowledge.yaml_writer`) into a temporary copy of the
   knowledge folder and validate it with the loader's own :func:`check_knowledge`; each
   loader problem is traced back through the written line to its sheet, row and column.
3. Only with no error at all: back up the files about to change into
   ``knowledge/.backup/<timestamp>/`` (the loader reads top-level ``*.yaml`` only), write
   each new file beside its target and ``os.replace`` it into place.

The workbook is the whole knowledge base: a category missing from it, or a category left
with no entries, is an error rather than a deletion. An entry stays on its category's sheet
(its ``category`` cell must match). A loader problem that only echoes another (a follow-up
to an entry rejected for its own error) is left out. The data files (synonyms, language,
official domains, offices) are copied for validation and never written.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.files import BACKUP_DIR, CategoryFile, category_files, replace_files
from bot.knowledge.loader import DATA_FILES, Problem, check_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.workbook.rows import (
    CATEGORY_COLUMNS,
    ENTRY_COLUMNS,
    CellError,
    header_index,
    parse_category,
    parse_entry,
    text,
)
from bot.knowledge.workbook.sheets import CATEGORIES_SHEET, SourceError, Table, read_csv, read_xlsx
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import LineOrigin, write_category

__all__ = ["BACKUP_DIR", "ImportResult", "import_workbook"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UNKNOWN_FOLLOW_UP = re.compile(r"unknown follow-up id '([^']*)'")


@dataclass(frozen=True)
class ImportResult:
    """``errors`` empty means the import succeeded; ``changed`` lists the files rewritten."""

    errors: tuple[CellError, ...] = ()
    changed: tuple[str, ...] = ()
    backup: Path | None = None
    knowledge: KnowledgeBase | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Plan:
    """One category file to write: its block, where it came from, and its entry rows."""

    record: dict[str, Any]
    origin: tuple[str, int] | None  # (sheet, row) of its categories row; None for a CSV import
    entries: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)
    has_sheet: bool = False
    file: str = ""
    header: str = ""


class _Reader:
    """Turns the tables into category plans, collecting errors."""

    def __init__(self, words: KbWords) -> None:
        self.words = words
        self.errors: list[CellError] = []
        self.structural = False  # a sheet or column problem: loader checks would only add noise
        self.plans: dict[str, _Plan] = {}
        self.seen: dict[str, tuple[str, int]] = {}

    def error(self, sheet: str, row: int, column: str, message: str, *, structural: bool = False) -> None:
        self.errors.append(CellError(sheet, row, column, message))
        self.structural = self.structural or structural

    def rows(self, table: Table, columns: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
        index = header_index(table.name, table.header, columns, self.errors)
        if index is None:
            self.structural = True
            return []
        return [
            (row, {c: values[i] if i < len(values) else None for c, i in index.items()})
            for row, values in table.rows
        ]

    def entry(self, table: Table, row: int, cells: dict[str, Any], plan: _Plan) -> None:
        record = parse_entry(table.name, row, cells, plan.record["id"], self.errors, self.words)
        if record is None:
            return
        first = self.seen.setdefault(record["id"], (table.name, row))
        if first != (table.name, row):
            self.error(
                table.name, row, "id", f"duplicate id '{record['id']}' (first at {first[0]}!{first[1]})"
            )
            return
        plan.entries.append((record, table.name, row))

    def workbook(self, tables: list[Table]) -> None:
        by_name = {table.name: table for table in tables}
        if CATEGORIES_SHEET not in by_name:
            self.error(CATEGORIES_SHEET, 1, "", "the workbook has no 'categories' sheet", structural=True)
            return
        for row, cells in self.rows(by_name[CATEGORIES_SHEET], CATEGORY_COLUMNS):
            record = parse_category(CATEGORIES_SHEET, row, cells, self.errors)
            if record is None:
                continue
            if record["id"] in self.plans:
                self.error(CATEGORIES_SHEET, row, "id", f"category '{record['id']}' is listed twice")
                continue
            self.plans[record["id"]] = _Plan(record, (CATEGORIES_SHEET, row))
        for table in tables:
            if table.name in self.words.guide_sheets or table.name == CATEGORIES_SHEET:
                continue
            plan = self.plans.get(table.name)
            if plan is None:
                message = f"unknown category sheet '{table.name}': list it on the '{CATEGORIES_SHEET}' sheet"
                self.error(table.name, 1, "", message, structural=True)
                continue
            plan.has_sheet = True
            for row, cells in self.rows(table, ENTRY_COLUMNS):
                self.entry(table, row, cells, plan)
        for category_id, plan in self.plans.items():
            if not plan.has_sheet and plan.origin:
                sheet, row = plan.origin
                self.error(sheet, row, "id", f"there is no sheet named '{category_id}'", structural=True)

    def csv(self, table: Table, existing: dict[str, CategoryFile]) -> None:
        self.plans = {category_id: _Plan(dict(found.record), None) for category_id, found in existing.items()}
        for row, cells in self.rows(table, ENTRY_COLUMNS):
            category_id = text(cells["category"])
            plan = self.plans.get(category_id)
            if plan is None:
                known = ", ".join(self.plans)
                self.error(
                    table.name,
                    row,
                    "category",
                    f"unknown category '{category_id}' (known: {known}); add categories through the .xlsx",
                )
                continue
            plan.has_sheet = True
            self.entry(table, row, cells, plan)

    def files(self, source: str, existing: dict[str, CategoryFile]) -> None:
        """Give every plan its file and header; check nothing is lost or clobbered."""
        for category_id, found in existing.items():
            if category_id not in self.plans:
                message = (
                    f"category '{category_id}' ({found.file}) is missing; import cannot remove a category"
                )
                self.error(CATEGORIES_SHEET, 1, "id", message, structural=True)
        used = {found.file for found in existing.values()}
        for category_id, plan in self.plans.items():
            sheet, row = plan.origin or (source, 1)
            if not plan.entries and (plan.has_sheet or plan.origin is None):
                column = "id" if plan.origin else "category"
                self.error(sheet, row, column, f"category '{category_id}' has no entries", structural=True)
            category_file = existing.get(category_id)
            if category_file is not None:
                plan.file = category_file.file
                old_title_line = f"# {category_file.record['title']}\n"
                plan.header = category_file.header
                if category_file.header.startswith(old_title_line):
                    plan.header = f"# {plan.record['title']}\n" + category_file.header[len(old_title_line) :]
                continue
            name = f"{category_id}.yaml"
            if not _SLUG.match(category_id):
                self.error(
                    sheet, row, "id", "category id must be a lowercase slug like 'smartcard'", structural=True
                )
            elif name in DATA_FILES or name in used:
                message = f"category id '{category_id}' would overwrite {name}"
                self.error(sheet, row, "id", message, structural=True)
            else:
                used.add(name)
                plan.file = name
                plan.header = self.words.header(plan.record["title"])


def _column(message: str, field_name: str) -> str:
    if field_name != "id":
        return field_name
    if match := re.search(r"missing field '(\w+)'", message):
        return match[1]
    if "follow-up" in message:
        return "follow_ups"
    if "question «" in message:
        return "questions"
    return field_name


def _echo(problem: Problem, row_ids: dict[str, tuple[str, int]]) -> bool:
    """A follow-up to an entry that is in the workbook but was rejected: its own error says why."""
    match = _UNKNOWN_FOLLOW_UP.search(problem.message)
    return match is not None and match[1] in row_ids


def _locate(problem: Problem, written: dict[str, tuple[dict[int, LineOrigin], _Plan]]) -> CellError:
    """The cell a loader problem comes from, through the line map of the written file."""
    if problem.file not in written:
        return CellError(problem.file, problem.line, "", problem.message)
    origins, plan = written[problem.file]
    lines = [line for line in origins if line <= problem.line]
    if not lines:
        return CellError(problem.file, problem.line, "", problem.message)
    origin = origins[max(lines)]
    if origin.record < 0:
        if plan.origin is None:
            return CellError(problem.file, problem.line, "", problem.message)
        sheet, row = plan.origin
        return CellError(sheet, row, origin.field or "id", problem.message)
    _, sheet, row = plan.entries[origin.record]
    return CellError(sheet, row, _column(problem.message, origin.field), problem.message)


def _sorted(errors: list[CellError], order: list[str]) -> tuple[CellError, ...]:
    rank = {name: position for position, name in enumerate(order)}
    columns = {name: position for position, name in enumerate(ENTRY_COLUMNS)}
    unique = dict.fromkeys(errors)
    return tuple(
        sorted(
            unique, key=lambda e: (rank.get(e.sheet, len(rank)), e.row, columns.get(e.column, -1), e.message)
        )
    )


def import_workbook(
    source: Path, knowledge_dir: Path, words: KbWords, *, dry_run: bool = False
) -> ImportResult:
    """Validate ``source`` (.xlsx or .csv) as the whole knowledge base; write only when all is valid.

    ``words`` recognise the guide sheet and the yes/no cells, and head a new category's file."""
    reader = _Reader(words)
    existing = category_files(knowledge_dir)
    suffix = source.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            tables = read_xlsx(source)
            reader.workbook(tables)
        elif suffix == ".csv":
            tables = [read_csv(source)]
            reader.csv(tables[0], existing)
        else:
            return ImportResult((CellError(source.name, 0, "", "use an .xlsx or .csv file"),))
    except SourceError as error:
        return ImportResult((CellError(source.name, 0, "", str(error)),))
    reader.files(source.name, existing)
    order = [CATEGORIES_SHEET, *(table.name for table in tables)]
    if reader.structural:
        return ImportResult(_sorted(reader.errors, order))
    written: dict[str, tuple[dict[int, LineOrigin], _Plan]] = {}
    contents: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="sabtyar-kb-") as temporary:
        staging = Path(temporary)
        for path in knowledge_dir.glob("*.yaml"):
            shutil.copy2(path, staging / path.name)
        for plan in reader.plans.values():
            if not plan.file:
                continue
            content, origins = write_category(plan.header, plan.record, [e for e, _, _ in plan.entries])
            contents[plan.file] = content.encode("utf-8")
            (staging / plan.file).write_bytes(contents[plan.file])
            written[plan.file] = (origins, plan)
        knowledge, problems = check_knowledge(staging)
    problems = [problem for problem in problems if not _echo(problem, reader.seen)]
    errors = reader.errors + [_locate(problem, written) for problem in problems]
    if errors or knowledge is None:
        return ImportResult(_sorted(errors, order))
    changed = {
        name: data
        for name, data in contents.items()
        if not (knowledge_dir / name).exists() or (knowledge_dir / name).read_bytes() != data
    }
    backup = None if dry_run else replace_files(knowledge_dir, changed)
    return ImportResult((), tuple(sorted(changed)), backup, knowledge)
