"""``sabtyar kb export`` / ``sabtyar kb import``: the knowledge base as a workbook PR staff edit.

Examples::

    sabtyar kb export answers.xlsx        # or answers.csv
    sabtyar kb import answers.xlsx        # validates everything; all or nothing
    sabtyar kb import answers.xlsx --check

Export then import changes nothing: the category files come back byte for byte (see
:mod:`bot.knowledge.yaml_writer` for the canonical format). The layout of the workbook is in
:mod:`bot.knowledge.workbook.sheets`, the cell formats in :mod:`bot.knowledge.workbook.rows`,
the words (guide, yes/no) in :mod:`bot.knowledge.workbook.words` and the import steps in
:mod:`bot.knowledge.workbook.importer`.

Wiring into ``bot/cli/main.py``::

    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    add_kb_workbook_parsers(kb_commands)
    ...
    if args.command == "kb" and args.kb_command in KB_WORKBOOK_COMMANDS:
        return run_kb_workbook(args, settings.knowledge_dir, locales)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from openpyxl import Workbook

from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.workbook.importer import BACKUP_DIR, ImportResult, import_workbook
from bot.knowledge.workbook.rows import (
    CATEGORY_COLUMNS,
    ENTRY_COLUMNS,
    CellError,
    category_cells,
    entry_cells,
)
from bot.knowledge.workbook.sheets import CATEGORIES_SHEET, add_guide_sheet, add_table_sheet, write_csv
from bot.knowledge.workbook.words import KbWords
from bot.locale import Locales

__all__ = [
    "BACKUP_DIR",
    "KB_WORKBOOK_COMMANDS",
    "CellError",
    "ImportResult",
    "KbWords",
    "add_kb_workbook_parsers",
    "export_csv",
    "export_workbook",
    "import_workbook",
    "run_kb_workbook",
]

KB_WORKBOOK_COMMANDS = frozenset({"export", "import"})


def _load(knowledge_dir: Path, words: KbWords) -> KnowledgeBase:
    knowledge = load_knowledge(knowledge_dir)
    for category in knowledge.categories:
        if category.id in words.guide_sheets | {CATEGORIES_SHEET} or len(category.id) > 31:
            raise ValueError(f"category id '{category.id}' cannot be a sheet title")
    return knowledge


def export_workbook(knowledge_dir: Path, out: Path, words: KbWords) -> None:
    """Write the guide, the categories sheet and one right-to-left sheet per category to ``out``."""
    knowledge = _load(knowledge_dir, words)
    wb = Workbook()
    wb.remove(wb.active)
    add_guide_sheet(wb, words)
    categories = map(category_cells, knowledge.categories)
    add_table_sheet(wb, CATEGORIES_SHEET, CATEGORY_COLUMNS, categories, words)
    for category in knowledge.categories:
        rows = (entry_cells(entry, words) for entry in knowledge.entries_of(category.id))
        add_table_sheet(wb, category.id, ENTRY_COLUMNS, rows, words)
    wb.active = 0
    wb.save(out)


def export_csv(knowledge_dir: Path, out: Path, words: KbWords) -> None:
    """Write every entry as one row of a UTF-8 (BOM) CSV, categories in menu order."""
    knowledge = _load(knowledge_dir, words)
    write_csv(
        out,
        (
            entry_cells(entry, words)
            for category in knowledge.categories
            for entry in knowledge.entries_of(category.id)
        ),
    )


def add_kb_workbook_parsers(kb_subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``export FILE`` and ``import FILE [--check]`` under ``sabtyar kb``."""
    export = kb_subparsers.add_parser(
        "export", help="write the knowledge base to FILE.xlsx or FILE.csv: sabtyar kb export answers.xlsx"
    )
    export.add_argument("file", type=Path, help="the .xlsx or .csv file to write")
    imported = kb_subparsers.add_parser(
        "import",
        help="replace the knowledge base with FILE.xlsx or FILE.csv, all or nothing: "
        "sabtyar kb import answers.xlsx",
    )
    imported.add_argument("file", type=Path, help="the .xlsx or .csv file to read")
    imported.add_argument("--check", action="store_true", help="validate only; change no file")


def run_kb_workbook(args: argparse.Namespace, knowledge_dir: Path, locales: Locales) -> int:
    """Run ``kb export`` or ``kb import``: 0 when done, 1 with the errors printed one a line.

    Export writes the guide and the yes/no words in the locales' default language; import reads
    those of every language."""
    words = KbWords.of(locales)
    if args.kb_command == "export":
        suffix = args.file.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            print(f"sabtyar: {args.file.name}: use an .xlsx or .csv file", file=sys.stderr)
            return 1
        try:
            (export_csv if suffix == ".csv" else export_workbook)(knowledge_dir, args.file, words)
        except KnowledgeError as error:
            print(
                "sabtyar: the knowledge folder has problems; fix them first (sabtyar kb check):",
                file=sys.stderr,
            )
            for problem in error.problems:
                print(f"  {knowledge_dir / problem.file}:{problem.line}: {problem.message}", file=sys.stderr)
            return 1
        except (OSError, ValueError) as error:
            print(f"sabtyar: {error}", file=sys.stderr)
            return 1
        print(f"{args.file}: exported")
        return 0
    result = import_workbook(args.file, knowledge_dir, words, dry_run=args.check)
    if not result.ok:
        failed = words.catalog.text("kb.import_failed", file=args.file.name, count=len(result.errors))
        print(failed, file=sys.stderr)
        for error in result.errors:
            print(error, file=sys.stderr)
        return 1
    assert result.knowledge is not None
    count = f"{len(result.knowledge)} entries in {len(result.knowledge.categories)} categories"
    if args.check:
        print(f"{args.file.name}: valid, {count}; would change: {', '.join(result.changed) or 'nothing'}")
    elif result.changed:
        changed = ", ".join(result.changed)
        print(f"{args.file.name}: imported, {count}; changed: {changed}; backup: {result.backup}")
    else:
        print(f"{args.file.name}: valid, {count}; nothing changed")
    return 0
