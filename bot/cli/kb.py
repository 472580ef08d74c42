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

from bot.cli.command import CliContext
from bot.engine.lexicon import load_lexicon
from bot.knowledge.directory.holidays import load_holidays
from bot.knowledge.directory.offices import load_offices
from bot.knowledge.loader import Problem, check_knowledge
from bot.locale import Catalog
from bot.messages import MessageError

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
    check.add_argument(
        "--no-consistency", action="store_true", help="skip asking every sample question (a few seconds)"
    )
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


def _problems(folder: Path, problems: list[Problem], catalog: Catalog) -> None:
    print(catalog.text("cli.knowledge_error", count=len(problems)), file=sys.stderr)
    for problem in problems:
        print(f"  {folder / problem.file}:{problem.line}: {problem.note.text(catalog)}", file=sys.stderr)


def run_check(args: argparse.Namespace, context: CliContext) -> int:
    """Every problem of the folder with file and line, in the configured language (exit 1), else
    the counts."""
    folder = args.folder or context.knowledge_dir
    catalog = context.catalog
    knowledge, problems = check_knowledge(folder)
    problems += load_lexicon(folder)[1] + load_offices(folder)[1] + load_holidays(folder)[1]
    problems = sorted(set(problems))  # one per cause: language.yaml is read once per word list
    if knowledge is None or problems:
        _problems(folder, problems, catalog)
        return 1
    phrasings = sum(len(entry.questions) for entry in knowledge.entries.values())
    if not args.no_consistency:
        _check_consistency(folder, context)
    print(
        catalog.text(
            "cli.kb_ok", entries=len(knowledge), categories=len(knowledge.categories), phrasings=phrasings
        )
    )
    return 0


def _check_consistency(folder: Path, context: CliContext) -> None:
    """Warn (exit code unchanged) about sample questions whose first reply is not their own entry's
    answer: the engine confuses them with another entry."""
    from bot.engine.engine import build_engine
    from bot.engine.quality.consistency import stray_phrasings

    engine = context.engine if folder == context.knowledge_dir else build_engine(folder)
    asked, strays = stray_phrasings(engine, folder)
    catalog = context.catalog
    for stray in strays:
        answered = stray.outcome.startswith("answer")
        key = "no_match" if stray.given is None else "answered" if answered else "offered"
        said = catalog.text(
            f"cli.kb_stray.{key}", phrasing=stray.phrasing, entry=stray.entry_id, given=stray.given or ""
        )
        print(f"  {catalog.text('cli.warning')} {folder / stray.file}:{stray.line}: {said}", file=sys.stderr)
    print(catalog.text("cli.kb_consistency", answered=asked - len(strays), asked=asked))


def run_export(args: argparse.Namespace, context: CliContext) -> int:
    """Write the workbook (``.xlsx``) or the CSV file."""
    from bot.knowledge.workbook.exporter import KbWords, export_csv, export_workbook  # openpyxl: only here

    suffix = args.file.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise MessageError("kb.error.export_type", suffix=suffix or "-")
    write = export_csv if suffix == ".csv" else export_workbook
    write(context.knowledge_dir, args.file, KbWords.of(context.locales))
    print(context.catalog.text("kb.exported", file=str(args.file)))
    return 0


def run_import(args: argparse.Namespace, context: CliContext) -> int:
    """Validate, then replace the knowledge files all or nothing (or only validate with ``--check``);
    every error and warning with its sheet, cell and column, in the configured language."""
    from bot.knowledge.workbook.exporter import KbWords, import_workbook  # openpyxl: only here

    words = KbWords.of(context.locales)
    catalog = context.catalog
    name = args.file.name
    result = import_workbook(args.file, context.knowledge_dir, words, dry_run=args.check)
    if result.warnings:
        print(catalog.text("kb.import_warnings", file=name, count=len(result.warnings)), file=sys.stderr)
        for warning in result.warnings:
            print(f"  {warning.text(catalog)}", file=sys.stderr)
    if not result.ok or result.knowledge is None:
        print(catalog.text("kb.import_failed", file=name, count=len(result.errors)), file=sys.stderr)
        for error in result.errors:
            print(f"  {error.text(catalog)}", file=sys.stderr)
        return 1
    sizes = {"entries": len(result.knowledge), "categories": len(result.knowledge.categories)}
    changed = ", ".join(result.changed) or catalog.text("kb.nothing")
    if args.check:
        print(catalog.text("kb.import_valid", file=name, changed=changed, **sizes))
    elif result.changed:
        print(catalog.text("kb.import_done", file=name, changed=changed, backup=str(result.backup), **sizes))
    else:
        print(catalog.text("kb.import_unchanged", file=name, **sizes))
    return 0
