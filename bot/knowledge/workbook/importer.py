"""Import the knowledge workbook or CSV: validate everything first, then replace all or nothing.

1. Read the rows (:mod:`bot.knowledge.workbook.sheets`, :mod:`bot.knowledge.workbook.rows`); a bad
   cell is a :class:`CellError`.
2. Write the category files (:mod:`bot.knowledge.yaml_writer`) into a temporary copy of the
   knowledge folder and validate it with the loader's own :func:`check_knowledge`; each
   loader problem is traced back through the written line to its sheet, row and column.
3. Only with no error at all: back up the files about to change into
   ``knowledge/.backup/<timestamp>/`` (the loader reads top-level ``*.yaml`` only), write
   each new file beside its target and ``os.replace`` it into place.

The offices (the ``offices`` and ``province`` sheets) go the same way: the import writes
``offices.yaml`` (keeping its top comment) into the temporary copy and reads it back with the
one validator, :func:`~bot.knowledge.directory.offices.check_offices`, whose problems are
traced back to their cells like the loader's; the file is replaced with the rest, all or
nothing, and only when the offices or the province differ from the file's. A workbook without
these sheets (exported by an older version, or a CSV) leaves ``offices.yaml`` as it is.

The workbook is the whole knowledge base: a category missing from it, or a category left
with no entries, is an error rather than a deletion. An entry stays on its category's sheet
(its ``category`` cell must match). A loader problem that only echoes another (a follow-up
to an entry rejected for its own error) is left out. The other data files (synonyms, language,
official domains, holidays) are copied for validation and never written.

Never over newer edits: each exported row carries its entry's ``version`` (a fingerprint). A row
whose entry changed on disk since the export (an in-bot ``/edit``, an added phrasing) is kept as
it is on disk when the row itself was not edited (a warning says so), and refused when both
changed. A phrasing found in two rows is blamed on the row where it is new. Formulas, unknown
columns and sheets that are not empty are refused with their cell; control characters are
removed and number-like values the spreadsheet converted are flagged (warnings, with the cell): a
number or date cell in a text column, and a text that is the entry's own number or time as a
spreadsheet writes it (``21`` for ``021``: a CSV opened and saved again).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import column_index_from_string

from bot.knowledge.directory.offices import OFFICES_FILE, OfficeBook
from bot.knowledge.files import BACKUP_DIR, CategoryFile, category_files, replace_files
from bot.knowledge.loader import DATA_FILES, Problem, check_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.workbook.conversions import converted_values
from bot.knowledge.workbook.office_import import OfficeRows, stage_offices
from bot.knowledge.workbook.office_rows import OFFICE_COLUMNS, PROVINCE_COLUMNS, parse_office, parse_province
from bot.knowledge.workbook.rows import (
    CATEGORY_COLUMNS,
    ENTRY_COLUMNS,
    VERSION,
    CellError,
    entry_version,
    header_index,
    parse_category,
    parse_entry,
    text,
)
from bot.knowledge.workbook.sheets import (
    CATEGORIES_SHEET,
    OFFICES_SHEET,
    PROVINCE_SHEET,
    SourceError,
    Table,
    column_letter,
    read_csv,
    read_xlsx,
)
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import LineOrigin, entry_record, write_category

__all__ = ["BACKUP_DIR", "ImportResult", "import_workbook"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Loader problems the reader already reported in its own words, on the right row.
_READER_KEYS = frozenset({"duplicate_question"})
#: Sheets that are not categories (the guide's title is the words').
_OFFICE_SHEETS = (OFFICES_SHEET, PROVINCE_SHEET)


@dataclass(frozen=True)
class ImportResult:
    """``errors`` empty means the import succeeded; ``changed`` lists the files rewritten;
    ``warnings`` are values read anyway (kept newer entries, removed control characters, ...);
    ``offices`` the province and offices after the import (``None``: the file had neither sheet)."""

    errors: tuple[CellError, ...] = ()
    changed: tuple[str, ...] = ()
    backup: Path | None = None
    knowledge: KnowledgeBase | None = None
    warnings: tuple[CellError, ...] = ()
    offices: OfficeBook | None = None

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
    unread: bool = False  # its sheet's header is wrong: its rows were not read
    file: str = ""
    header: str = ""


class _Reader:
    """Turns the tables into category plans, collecting errors."""

    def __init__(self, words: KbWords, current: KnowledgeBase | None) -> None:
        self.words = words
        self.current = current
        self.errors: list[CellError] = []
        self.structural = False  # a sheet or column problem: loader checks would only add noise
        self.plans: dict[str, _Plan] = {}
        self.seen: dict[str, tuple[str, int]] = {}
        self.letters: dict[str, dict[str, str]] = {}
        self.labels: dict[str, dict[str, str]] = {}  # the offices sheets' headers as they read
        self.phrasings: dict[str, tuple[str, str, int]] = {}
        self.office_rows = OfficeRows()

    def error(
        self, sheet: str, row: int, column: str, key: str, /, structural: bool = False, **values: str | int
    ) -> None:
        self.errors.append(CellError.of(sheet, row, column, key, **values))
        self.structural = self.structural or structural

    def rows(
        self, table: Table, columns: tuple[str, ...], *, headed: bool = False
    ) -> list[tuple[int, dict[str, Any]]] | None:
        """The rows by column name; ``None`` when the header is wrong (said). ``headed``: the
        headers are the words' (the offices sheets), read in every language."""
        names = self.words.column_names(columns) if headed else None
        labels = self.words.labels(columns) if headed else None
        index = header_index(table.name, table.header, columns, self.errors, names, labels)
        if index is None:
            self.structural = True
            return None
        self.letters[table.name] = {column: column_letter(i) for column, i in index.items()}
        if headed:
            self.labels[table.name] = {column: text(table.header[i]) for column, i in index.items()}
        return [
            (row, {c: values[i] if i < len(values) else None for c, i in index.items()})
            for row, values in table.rows
        ]

    def newer(self, record: dict[str, Any], version: str, sheet: str, row: int) -> dict[str, Any] | None:
        """The record to write for a row exported at ``version``: the row, or the entry on disk
        when only the disk changed since; ``None`` (said) when both changed."""
        if self.current is None or record["id"] not in self.current or not version:
            return record
        on_disk = entry_record(self.current.entry(record["id"]))
        if entry_version(on_disk) in (version, entry_version(record)):
            return record
        if entry_version(record) == version:
            self.errors.append(CellError.warn(sheet, row, VERSION, "kept_newer", entry=record["id"]))
            return {**on_disk, "category": record["category"]}
        self.error(sheet, row, VERSION, "changed_since_export", entry=record["id"])
        return None

    def conversions(self, record: dict[str, Any], cells: dict[str, Any], sheet: str, row: int) -> None:
        """Say a text cell whose value looks like a spreadsheet's conversion of the entry's own (``21``
        where the entry has ``021``); a cell that is a number itself is said by its row already."""
        if self.current is None or record["id"] not in self.current:
            return
        before = entry_record(self.current.entry(record["id"]))
        for column, value, was in converted_values(before, record):
            if isinstance(cells.get(column), str):
                self.errors.append(CellError.warn(sheet, row, column, "converted_from", value=value, was=was))

    def duplicates(self, record: dict[str, Any], sheet: str, row: int) -> None:
        """A phrasing of two rows is an error on the row where it is new (else the later row)."""
        for question in record["questions"]:
            key = " ".join(question.split())
            first = self.phrasings.setdefault(key, (record["id"], sheet, row))
            if first[0] == record["id"]:
                continue
            owner, first_sheet, first_row = first
            if self._is_new(owner, key) and not self._is_new(record["id"], key):
                where = f"{sheet}!{row}"
                self.error(
                    first_sheet,
                    first_row,
                    "questions",
                    "duplicate_question",
                    question=question,
                    owner=record["id"],
                    where=where,
                )
            else:
                where = f"{first_sheet}!{first_row}"
                self.error(
                    sheet, row, "questions", "duplicate_question", question=question, owner=owner, where=where
                )

    def _is_new(self, entry_id: str, phrasing: str) -> bool:
        if self.current is None or entry_id not in self.current:
            return True
        return phrasing not in {" ".join(q.split()) for q in self.current.entry(entry_id).questions}

    def entry(self, table: Table, row: int, cells: dict[str, Any], plan: _Plan) -> None:
        record = parse_entry(table.name, row, cells, plan.record["id"], self.errors, self.words)
        if record is None:
            return
        first = self.seen.setdefault(record["id"], (table.name, row))
        if first != (table.name, row):
            self.error(
                table.name, row, "id", "duplicate_id", entry=record["id"], first=f"{first[0]}!{first[1]}"
            )
            return
        self.conversions(record, cells, table.name, row)
        kept = self.newer(record, text(cells.get(VERSION)), table.name, row)
        if kept is None:
            return
        self.duplicates(kept, table.name, row)
        plan.entries.append((kept, table.name, row))

    def workbook(self, tables: list[Table]) -> None:
        by_name = {table.name: table for table in tables}
        if CATEGORIES_SHEET not in by_name:
            self.error(CATEGORIES_SHEET, 1, "", "no_categories_sheet", structural=True)
            return
        for row, cells in self.rows(by_name[CATEGORIES_SHEET], CATEGORY_COLUMNS) or []:
            record = parse_category(CATEGORIES_SHEET, row, cells, self.errors)
            if record is None:
                continue
            if record["id"] in _OFFICE_SHEETS:
                self.error(CATEGORIES_SHEET, row, "id", "sheet_title", structural=True, category=record["id"])
                continue
            if record["id"] in self.plans:
                self.error(CATEGORIES_SHEET, row, "id", "category_twice", category=record["id"])
                continue
            self.plans[record["id"]] = _Plan(record, (CATEGORIES_SHEET, row))
        for table in tables:
            if table.name in self.words.guide_sheets or table.name == CATEGORIES_SHEET:
                continue
            if table.name in _OFFICE_SHEETS:
                if table.header or table.rows:  # an empty sheet loses nothing: left out
                    self.office_sheet(table)
                continue
            plan = self.plans.get(table.name)
            if plan is None:
                if table.header or table.rows:  # an empty sheet loses nothing: left out
                    self.error(table.name, 1, "", "unknown_sheet", structural=True, sheet=table.name)
                continue
            plan.has_sheet = True
            rows = self.rows(table, ENTRY_COLUMNS)
            plan.unread = rows is None
            for row, cells in rows or []:
                self.entry(table, row, cells, plan)
            self.order(table.name, plan)
        for category_id, plan in self.plans.items():
            if not plan.has_sheet and plan.origin:
                sheet, row = plan.origin
                self.error(sheet, row, "id", "no_sheet", structural=True, category=category_id)

    def office_sheet(self, table: Table) -> None:
        """The offices' rows, or the province's one row (more rows are an error)."""
        parse, columns = (
            (parse_office, OFFICE_COLUMNS)
            if table.name == OFFICES_SHEET
            else (parse_province, PROVINCE_COLUMNS)
        )
        rows = self.rows(table, columns, headed=True)
        if rows is None:
            return
        records = [(parse(table.name, row, cells, self.errors, self.words), row) for row, cells in rows]
        if table.name == OFFICES_SHEET:
            self.office_rows.offices = records
            return
        self.office_rows.province_read = True
        self.office_rows.province = records[0] if records else None
        for _record, row in records[1:]:
            self.error(table.name, row, "", "province_rows", row=records[0][1])

    def order(self, sheet: str, plan: _Plan) -> None:
        """Say when a sheet's rows are in a new order: it is the order of the citizens' menu."""
        if self.current is None or plan.record["id"] not in {c.id for c in self.current.categories}:
            return
        before = [e for e in self.current.category(plan.record["id"]).entry_ids]
        now = [record["id"] for record, _, _ in plan.entries]
        if [e for e in now if e in before] != [e for e in before if e in now]:
            self.errors.append(CellError.warn(sheet, 0, "", "new_order"))

    def csv(self, table: Table, existing: dict[str, CategoryFile]) -> None:
        self.plans = {category_id: _Plan(dict(found.record), None) for category_id, found in existing.items()}
        if tuple(text(value) for value in table.header[:2]) in self.words.guide_headers:
            self.error(table.name, 0, "", "guide_as_csv", structural=True)
        office_names = self.words.column_names((*OFFICE_COLUMNS, *PROVINCE_COLUMNS))
        headers = [" ".join(text(value).lower().split()) for value in table.header if text(value)]
        if headers and all(header in office_names for header in headers):
            self.error(table.name, 0, "", "offices_as_csv", structural=True)
        rows = None if self.structural else self.rows(table, ENTRY_COLUMNS)
        for unread in self.plans.values():
            unread.unread = rows is None
        for row, cells in rows or []:
            category_id = text(cells["category"])
            plan = self.plans.get(category_id)
            if plan is None:
                known = ", ".join(self.plans)
                self.error(table.name, row, "category", "unknown_category", category=category_id, known=known)
                continue
            plan.has_sheet = True
            self.entry(table, row, cells, plan)
        for read in self.plans.values():
            if read.has_sheet:
                self.order(table.name, read)

    def files(self, source: str, existing: dict[str, CategoryFile]) -> None:
        """Give every plan its file and header; check nothing is lost or clobbered."""
        for category_id, found in existing.items():
            if category_id not in self.plans:
                self.error(
                    CATEGORIES_SHEET,
                    1,
                    "id",
                    "category_missing",
                    structural=True,
                    category=category_id,
                    file=found.file,
                )
        used = {found.file for found in existing.values()}
        for category_id, plan in self.plans.items():
            sheet, row = plan.origin or (source, 1)
            if not plan.entries and not plan.unread and (plan.has_sheet or plan.origin is None):
                column = "id" if plan.origin else "category"
                self.error(sheet, row, column, "no_entries", structural=True, category=category_id)
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
                self.error(sheet, row, "id", "category_slug", structural=True)
            elif name in DATA_FILES or name in used:
                self.error(
                    sheet, row, "id", "category_overwrites", structural=True, category=category_id, file=name
                )
            else:
                used.add(name)
                plan.file = name
                plan.header = self.words.header(plan.record["title"])


def _column(problem: Problem, field_name: str) -> str:
    """The column of a loader problem found on an entry's first line (its ``id``)."""
    if field_name != "id":
        return field_name
    values = dict(problem.note.values)
    if problem.key == "missing_field":
        return str(values["field"])
    if problem.key == "unknown_follow_up":
        return "follow_ups"
    return field_name


def _echo(problem: Problem, row_ids: dict[str, tuple[str, int]]) -> bool:
    """A problem the reader said already, or a follow-up to an entry that is in the workbook but
    was rejected (its own error says why)."""
    if problem.key in _READER_KEYS:
        return True
    follow_up = dict(problem.note.values).get("follow_up")
    return problem.key == "unknown_follow_up" and follow_up in row_ids


def _locate(problem: Problem, written: dict[str, tuple[dict[int, LineOrigin], _Plan]]) -> CellError:
    """The cell a loader problem comes from, through the line map of the written file."""
    unplaced = CellError(problem.file, problem.line, "", problem.note)
    if problem.file not in written:
        return unplaced
    origins, plan = written[problem.file]
    lines = [line for line in origins if line <= problem.line]
    if not lines:
        return unplaced
    origin = origins[max(lines)]
    if origin.record < 0:
        if plan.origin is None:
            return unplaced
        sheet, row = plan.origin
        return CellError(sheet, row, origin.field or "id", problem.note)
    _, sheet, row = plan.entries[origin.record]
    return CellError(sheet, row, _column(problem, origin.field), problem.note)


def _sorted(
    errors: list[CellError],
    order: list[str],
    letters: dict[str, dict[str, str]],
    labels: dict[str, dict[str, str]],
) -> tuple[CellError, ...]:
    """In sheet order, then row and column; each with its cell reference (``G5``) and, on the
    offices sheets, its header as the sheet shows it."""
    rank = {name: position for position, name in enumerate(order)}

    def column(error: CellError) -> int:
        letter = letters.get(error.sheet, {}).get(error.column)
        return column_index_from_string(letter) if letter else -1

    unique = [
        error
        if error.cell or not error.row or error.column not in letters.get(error.sheet, {})
        else error.at(
            f"{letters[error.sheet][error.column]}{error.row}",
            labels.get(error.sheet, {}).get(error.column, ""),
        )
        for error in dict.fromkeys(errors)
    ]
    return tuple(sorted(unique, key=lambda e: (rank.get(e.sheet, len(rank)), e.row, column(e), e.note)))


def _result(reader: _Reader, order: list[str], **done: Any) -> ImportResult:
    errors = _sorted(reader.errors, order, reader.letters, reader.labels)
    failed = tuple(error for error in errors if not error.warning)
    warnings = tuple(error for error in errors if error.warning)
    return ImportResult(failed, warnings=warnings) if failed else ImportResult(warnings=warnings, **done)


def import_workbook(
    source: Path, knowledge_dir: Path, words: KbWords, *, dry_run: bool = False
) -> ImportResult:
    """Validate ``source`` (.xlsx or .csv) as the whole knowledge base; write only when all is valid.

    ``words`` recognise the guide sheet and the yes/no cells, and head a new category's file."""
    reader = _Reader(words, check_knowledge(knowledge_dir)[0])
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
            key = "other_spreadsheet" if suffix in (".xls", ".ods", ".numbers", ".xlsb") else "file_type"
            return ImportResult((CellError.of(source.name, 0, "", key, suffix=suffix or "-"),))
    except SourceError as error:
        return ImportResult((CellError(source.name, 0, "", error.note),))
    reader.files(source.name, existing)
    order = [CATEGORIES_SHEET, *(table.name for table in tables)]
    if reader.structural:
        return _result(reader, order)
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
        offices_content, offices, office_errors = stage_offices(
            reader.office_rows, knowledge_dir, staging, words
        )
    reader.errors += office_errors
    reader.errors += [_locate(problem, written) for problem in problems if not _echo(problem, reader.seen)]
    if knowledge is None or any(not error.warning for error in reader.errors):
        return _result(reader, order)
    changed = {
        name: data
        for name, data in contents.items()
        if not (knowledge_dir / name).exists() or (knowledge_dir / name).read_bytes() != data
    }
    if offices_content is not None:
        changed[OFFICES_FILE] = offices_content
    backup = None if dry_run else replace_files(knowledge_dir, changed)
    done = {"changed": tuple(sorted(changed)), "backup": backup, "knowledge": knowledge, "offices": offices}
    return _result(reader, order, **done)
