"""``sabtyar kb check | export FILE | import FILE [--check]``: the knowledge-base tools.

Examples::

    sabtyar kb check                      # validate the knowledge folder (exit 1 on problems)
    sabtyar kb export answers.xlsx        # or answers.csv
    sabtyar kb import answers.xlsx        # validates everything; all or nothing
    sabtyar kb import answers.xlsx --check

Export writes the guide and the yes/no words in the locales' default language; import reads
those of every language.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.command import CliContext, CommandError
from bot.engine.lexicon import load_lexicon
from bot.knowledge.loader import check_knowledge
from bot.knowledge.offices import load_offices

__all__ = ["register"]


def register(commands: Any) -> None:
    kb = commands.add_parser(
        "kb",
        help="knowledge-base tools",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tools = kb.add_subparsers(dest="kb_command", required=True)
    check = tools.add_parser("check", help="validate the knowledge folder (exit 1 on problems)")
    check.add_argument("folder", nargs="?", type=Path)
    check.set_defaults(run=run_check)
    export = tools.add_parser(
        "export", help="write the knowledge base to FILE.xlsx or FILE.csv: sabtyar kb export answers.xlsx"
    )
    export.add_argument("file", type=Path, help="the .xlsx or .csv file to write")
    export.set_defaults(run=run_export)
    imported = tools.add_parser(
        "import",
        help="replace the knowledge base with FILE.xlsx or FILE.csv, all or nothing: "
        "sabtyar kb import answers.xlsx",
    )
    imported.add_argument("file", type=Path, help="the .xlsx or .csv file to read")
    imported.add_argument("--check", action="store_true", help="validate only; change no file")
    imported.set_defaults(run=run_import)


def run_check(args: argparse.Namespace, context: CliContext) -> int:
    """Every problem of the folder with file and line (exit 1), else the counts."""
    folder = args.folder or context.knowledge_dir
    catalog = context.catalog
    knowledge, problems = check_knowledge(folder)
    problems += load_lexicon(folder)[1] + load_offices(folder)[1]
    if knowledge is None or problems:
        print(catalog.text("cli.knowledge_error", count=len(problems)), file=sys.stderr)
        for problem in problems:
            print(f"  {folder / problem.file}:{problem.line}: {problem.message}", file=sys.stderr)
        return 1
    phrasings = sum(len(entry.questions) for entry in knowledge.entries.values())
    print(
        catalog.text(
            "cli.kb_ok", entries=len(knowledge), categories=len(knowledge.categories), phrasings=phrasings
        )
    )
    return 0


def run_export(args: argparse.Namespace, context: CliContext) -> int:
    """Write the workbook (``.xlsx``) or the CSV file."""
    from bot.knowledge.workbook.exporter import KbWords, export_csv, export_workbook  # openpyxl: only here

    suffix = args.file.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise CommandError(f"{args.file.name}: use an .xlsx or .csv file")
    write = export_csv if suffix == ".csv" else export_workbook
    try:
        write(context.knowledge_dir, args.file, KbWords.of(context.locales))
    except ValueError as error:  # a category id that cannot be a sheet title: not a usage error
        raise CommandError(str(error)) from error
    print(f"{args.file}: exported")
    return 0


def run_import(args: argparse.Namespace, context: CliContext) -> int:
    """Validate, then replace the knowledge files all or nothing (or only validate with ``--check``)."""
    from bot.knowledge.workbook.exporter import KbWords, import_workbook  # openpyxl: only here

    words = KbWords.of(context.locales)
    result = import_workbook(args.file, context.knowledge_dir, words, dry_run=args.check)
    if not result.ok:
        failed = words.catalog.text("kb.import_failed", file=args.file.name, count=len(result.errors))
        print(failed, file=sys.stderr)
        for error in result.errors:
            print(error, file=sys.stderr)
        return 1
    if result.knowledge is None:
        raise CommandError(f"{args.file.name}: nothing was read")
    count = f"{len(result.knowledge)} entries in {len(result.knowledge.categories)} categories"
    if args.check:
        print(f"{args.file.name}: valid, {count}; would change: {', '.join(result.changed) or 'nothing'}")
    elif result.changed:
        changed = ", ".join(result.changed)
        print(f"{args.file.name}: imported, {count}; changed: {changed}; backup: {result.backup}")
    else:
        print(f"{args.file.name}: valid, {count}; nothing changed")
    return 0
