"""``sabtyar``: the command line, a thin layer over the engine and the knowledge tools.

Examples::

    sabtyar run                      # the bots; with no token, the terminal chat
    sabtyar chat                     # the terminal chat
    sabtyar ask "شناسنامه‌ام گم شده"
    sabtyar ask --jsonl < questions.txt
    sabtyar eval tests/data/heldout.jsonl
    sabtyar calibrate tests/data/heldout.jsonl
    sabtyar kb check
    sabtyar stats --json --from 1405-07-01 --to 1405-07-30
    sabtyar kb export answers.xlsx   # the knowledge base as a workbook staff edit
    sabtyar kb import answers.xlsx   # validated first; all or nothing
    sabtyar report --from 1405-07-01 --to 1405-09-30 --format xlsx --out indicators.xlsx
    sabtyar chart --out chart.png
    sabtyar purge --older-than 180   # remove raw question texts and comments, keep the figures
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.purge import add_purge_parser, run_purge
from bot.cli.report import add_report_parsers, run_chart, run_report
from bot.cli.stats import add_stats_parser, run_stats
from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine, build_engine
from bot.engine.evaluation import calibrate, evaluate, read_examples, score_examples
from bot.engine.lexicon import load_lexicon
from bot.knowledge.loader import KnowledgeError, check_knowledge
from bot.knowledge.offices import load_offices
from bot.knowledge.presentation import answer_text, choices_text
from bot.knowledge.workbook.exporter import KB_WORKBOOK_COMMANDS, add_kb_workbook_parsers, run_kb_workbook
from bot.locale import LANGUAGES, Catalog, Locales, load_locales
from bot.settings import ConfigError, Settings, config_path, load_settings

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sabtyar", description="ثبت‌یار: civil-registration assistant")
    parser.add_argument("--config", help="TOML config file (default: $SABTYAR_CONFIG or config.toml)")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("run", help="run the bots; with no token configured, the terminal chat")
    commands.add_parser("chat", help="terminal chat on the answer engine")

    ask = commands.add_parser("ask", help='answer one question: sabtyar ask "کد ملی یادم رفته"')
    ask.add_argument("question", nargs="*", help="the question (omit with --jsonl)")
    ask.add_argument("--jsonl", action="store_true", help="read questions from stdin, one JSON line each out")

    evaluation = commands.add_parser("eval", help="quality figures on a JSON-lines question set")
    evaluation.add_argument("file", type=Path)
    evaluation.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluation.add_argument("--misses", action="store_true", help="list every wrong question")

    calibration = commands.add_parser("calibrate", help="choose the decision thresholds on a question set")
    calibration.add_argument("file", type=Path, nargs="+", help="one or more JSON-lines sets")
    calibration.add_argument("--max-oos-direct", type=float, default=0.03)
    calibration.add_argument("--min-top3", type=float, default=0.98)

    kb = commands.add_parser("kb", help="knowledge-base tools")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_commands.add_parser("check", help="validate the knowledge folder (exit 1 on problems)")
    check.add_argument("folder", nargs="?", type=Path)
    add_kb_workbook_parsers(kb_commands)
    add_stats_parser(commands)
    add_report_parsers(commands)
    add_purge_parser(commands)
    return parser


def _engine(settings: Settings) -> AnswerEngine:
    return build_engine(settings.knowledge_dir, settings.engine.thresholds, settings.engine.weights)


def _ask(engine: AnswerEngine, catalog: Catalog, question: str) -> str:
    reply = engine.ask(question)
    if reply.outcome is Outcome.ANSWER:
        return answer_text(engine.entry(reply.answer_id or ""), engine.knowledge, catalog)
    if reply.outcome is Outcome.DID_YOU_MEAN:
        return choices_text([engine.entry(i) for i in reply.offered_ids], catalog)
    return catalog.text("chat.no_match")


def _ask_jsonl(engine: AnswerEngine) -> None:
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        print(json.dumps(engine.ask(question).to_json(), ensure_ascii=False), flush=True)


def _kb_check(folder: Path, catalog: Catalog) -> int:
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


def _eval(engine: AnswerEngine, args: argparse.Namespace) -> int:
    report = evaluate(score_examples(engine, read_examples(args.file)), engine.thresholds)
    if args.json:
        print(json.dumps(report.figures()))
    else:
        print("\n".join(report.lines()))
    if args.misses:
        for question, expected, given in report.misses:
            print(f"{expected:24} -> {given:24} {question}")
    return 0


def _calibrate(engine: AnswerEngine, args: argparse.Namespace) -> int:
    thresholds, report = calibrate(
        score_examples(engine, [example for path in args.file for example in read_examples(path)]),
        args.max_oos_direct,
        args.min_top3,
    )
    print("\n".join(report.lines(most=5)))
    print("\n# paste into the [engine] section of your config:")
    print("[engine]")
    print(f"answer = {thresholds.answer}")
    print(f"margin = {thresholds.margin}")
    print(f"suggest = {thresholds.suggest}")
    print(f"max_unknown = {thresholds.max_unknown}")
    return 0


def _run(settings: Settings, locales: Locales) -> int:
    platforms = settings.active_platforms
    if not platforms:
        from bot.cli.chat import run_chat

        for language in LANGUAGES:  # said in Persian and in English
            print(locales.get(language).text("run.no_token"), file=sys.stderr)
        run_chat(_engine(settings), locales.get(None))
        return 0
    from bot.runner import run_bots

    return run_bots(settings, locales, _engine(settings))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(config_path(args.config), required=bool(args.config))
    except ConfigError as error:
        print(f"sabtyar: configuration error: {error}", file=sys.stderr)
        return 2
    locales = load_locales(settings.locales_dir, settings.language)
    catalog = locales.get(None)
    if sys.stdout.encoding and sys.stdout.encoding.lower() != "utf-8":
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    try:
        if args.command == "kb" and args.kb_command in KB_WORKBOOK_COMMANDS:
            return run_kb_workbook(args, settings.knowledge_dir, locales)
        if args.command == "kb":
            return _kb_check(args.folder or settings.knowledge_dir, catalog)
        if args.command == "report":
            return run_report(args, settings.store.path, settings.knowledge_dir, catalog)
        if args.command == "chart":
            return run_chart(args, settings.store.path, settings.knowledge_dir, catalog)
        if args.command == "run":
            return _run(settings, locales)
        if args.command == "stats":
            return run_stats(args, settings.store.path)
        if args.command == "purge":
            return run_purge(args, settings.store.path)
        engine = _engine(settings)
        if args.command == "chat":
            from bot.cli.chat import run_chat

            run_chat(engine, catalog)
            return 0
        if args.command == "ask":
            if args.jsonl:
                _ask_jsonl(engine)
                return 0
            print(_ask(engine, catalog, " ".join(args.question)))
            return 0
        if args.command == "eval":
            return _eval(engine, args)
        return _calibrate(engine, args)
    except KnowledgeError as error:
        print(catalog.text("cli.knowledge_error", count=len(error.problems)), file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
