"""The knowledge base as a workbook PR staff edit, and as CSV: export, and import (re-exported).

Examples::

    sabtyar kb export answers.xlsx        # or answers.csv
    sabtyar kb import answers.xlsx        # validates everything; all or nothing
    sabtyar kb import answers.xlsx --check

Export then import changes nothing: the category files come back byte for byte (see
:mod:`bot.knowledge.yaml_writer` for the canonical format), and so do the offices (the
``offices`` and ``province`` sheets; a folder with problems in ``offices.yaml`` is not exported,
as with the answers). The layout of the workbook is in
:mod:`bot.knowledge.workbook.sheets`, the cell formats in :mod:`bot.knowledge.workbook.rows`
(the offices' in :mod:`bot.knowledge.workbook.office_rows`),
the words (guide, yes/no) in :mod:`bot.knowledge.workbook.words` and the import steps in
:mod:`bot.knowledge.workbook.importer`.

The command line (``sabtyar kb``) is in :mod:`bot.cli.kb`.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from bot.knowledge.directory.offices import OfficeBook, load_offices
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.workbook.importer import BACKUP_DIR, ImportResult, import_workbook
from bot.knowledge.workbook.office_rows import (
    OFFICE_CODE_COLUMNS,
    OFFICE_COLUMNS,
    PROVINCE_CODE_COLUMNS,
    PROVINCE_COLUMNS,
    office_cells,
    province_cells,
)
from bot.knowledge.workbook.rows import (
    CATEGORY_COLUMNS,
    ENTRY_COLUMNS,
    CellError,
    category_cells,
    entry_cells,
)
from bot.knowledge.workbook.sheets import (
    CATEGORIES_SHEET,
    OFFICES_SHEET,
    PROVINCE_SHEET,
    add_guide_sheet,
    add_table_sheet,
    write_csv,
)
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import province_record
from bot.messages import MessageError

__all__ = [
    "BACKUP_DIR",
    "CellError",
    "ImportResult",
    "KbWords",
    "export_csv",
    "export_workbook",
    "import_workbook",
]


def _load(knowledge_dir: Path, words: KbWords) -> KnowledgeBase:
    knowledge = load_knowledge(knowledge_dir)
    reserved = words.guide_sheets | {CATEGORIES_SHEET, OFFICES_SHEET, PROVINCE_SHEET}
    for category in knowledge.categories:
        if category.id in reserved or len(category.id) > 31:
            raise MessageError("kb.error.sheet_title", category=category.id)
    return knowledge


def _offices(knowledge_dir: Path) -> OfficeBook:
    """The offices, or :class:`KnowledgeError` when ``offices.yaml`` has a problem (an office left
    out of the workbook would be deleted by importing it)."""
    book, problems = load_offices(knowledge_dir)
    if problems:
        raise KnowledgeError(problems)
    return book


def _add_office_sheets(wb: Workbook, book: OfficeBook, words: KbWords) -> None:
    """The ``offices`` sheet (headers only when none is listed) and the ``province`` sheet."""
    add_table_sheet(
        wb,
        OFFICES_SHEET,
        OFFICE_COLUMNS,
        (office_cells(office, words) for office in book),
        words,
        header=[words.label(column) for column in OFFICE_COLUMNS],
        code=OFFICE_CODE_COLUMNS,
        cities=book.province.cities,
        roomy=True,
    )
    province = [province_cells(book.province, words)] if province_record(book.province) else []
    add_table_sheet(
        wb,
        PROVINCE_SHEET,
        PROVINCE_COLUMNS,
        province,
        words,
        header=[words.label(column) for column in PROVINCE_COLUMNS],
        code=PROVINCE_CODE_COLUMNS,
        roomy=True,
    )


def export_workbook(knowledge_dir: Path, out: Path, words: KbWords) -> None:
    """Write the guide, the categories sheet, one right-to-left sheet per category, then the
    offices and the province to ``out``."""
    knowledge = _load(knowledge_dir, words)
    book = _offices(knowledge_dir)
    wb = Workbook()
    wb.remove(wb.active)
    add_guide_sheet(wb, words)
    categories = map(category_cells, knowledge.categories)
    add_table_sheet(wb, CATEGORIES_SHEET, CATEGORY_COLUMNS, categories, words)
    for category in knowledge.categories:
        rows = (entry_cells(entry, words) for entry in knowledge.entries_of(category.id))
        add_table_sheet(wb, category.id, ENTRY_COLUMNS, rows, words, categories=len(knowledge.categories))
    _add_office_sheets(wb, book, words)
    wb.active = 0
    wb.save(out)


def export_csv(knowledge_dir: Path, out: Path, words: KbWords) -> None:
    """Write every entry as one row of a UTF-8 (BOM) CSV, categories in menu order (the offices
    and the province are in the workbook only, as the categories are)."""
    knowledge = _load(knowledge_dir, words)
    write_csv(
        out,
        (
            entry_cells(entry, words)
            for category in knowledge.categories
            for entry in knowledge.entries_of(category.id)
        ),
    )
