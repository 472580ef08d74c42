"""``sabtyar ask | eval | calibrate``: the answer engine on one question, a stream, or a question set.

Examples::

    sabtyar ask "شناسنامه‌ام گم شده"
    sabtyar ask --jsonl < questions.txt     # one JSON line out per line in (a fixed contract)
    sabtyar eval tests/data/heldout.jsonl --misses
    sabtyar calibrate tests/data/heldout.jsonl tests/data/dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.command import CliContext
from bot.engine.decision import Outcome
from bot.engine.quality.evaluation import (
    Caps,
    calibrate,
    calibrate_bands,
    evaluate,
    read_examples,
    score_examples,
)
from bot.knowledge.presentation import answer_text, choices_text

__all__ = ["register"]


def register(commands: Any) -> None:
    ask = commands.add_parser("ask", help='answer one question: sabtyar ask "کد ملی یادم رفته"')
    ask.add_argument("question", nargs="*", help="the question (omit with --jsonl)")
    ask.add_argument("--jsonl", action="store_true", help="read questions from stdin, one JSON line each out")
    ask.set_defaults(run=run_ask)

    evaluation = commands.add_parser("eval", help="quality figures on a JSON-lines question set")
    evaluation.add_argument("file", type=Path)
    evaluation.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluation.add_argument("--misses", action="store_true", help="list every wrong question")
    evaluation.set_defaults(run=run_eval)

    calibration = commands.add_parser("calibrate", help="choose the decision thresholds on a question set")
    calibration.add_argument("file", type=Path, nargs="+", help="one or more JSON-lines sets")
    caps = Caps()
    calibration.add_argument(
        "--max-answer-wrong",
        type=float,
        default=caps.answer_wrong,
        help="wrong answers alone, share of in-scope",
    )
    calibration.add_argument(
        "--max-alternatives-wrong",
        type=float,
        default=caps.alternatives_wrong,
        help="wrong answers with alternatives, share of in-scope",
    )
    calibration.add_argument(
        "--max-oos-direct",
        type=float,
        default=caps.oos_answered,
        help="out-of-scope questions answered (either outcome), share of out-of-scope",
    )
    calibration.add_argument(
        "--min-top3",
        "--min-in-reply",
        dest="min_top3",
        type=float,
        default=caps.min_in_reply,
        help="right entry in the first reply or its buttons, share of in-scope",
    )
    calibration.add_argument(
        "--bands-only",
        action="store_true",
        help="keep the configured thresholds; choose only the story band and strong_max_unknown",
    )
    calibration.set_defaults(run=run_calibrate)


def run_ask(args: argparse.Namespace, context: CliContext) -> int:
    """One answer as the citizen reads it, or the JSON-lines contract with ``--jsonl``."""
    engine = context.engine
    if args.jsonl:
        for line in sys.stdin:
            print(json.dumps(engine.ask(line.rstrip("\r\n")).to_json(), ensure_ascii=False), flush=True)
        return 0
    reply = engine.ask(" ".join(args.question))
    catalog = context.catalog
    if reply.outcome.answers:
        print(answer_text(engine.entry(reply.answer_id or ""), engine.knowledge, catalog))
        if reply.alternatives:
            print()
            print(choices_text([engine.entry(i) for i in reply.alternatives], catalog))
    elif reply.outcome is Outcome.DID_YOU_MEAN:
        print(choices_text([engine.entry(i) for i in reply.offered_ids], catalog))
    else:
        print(catalog.text("chat.no_match"))
    return 0


def run_eval(args: argparse.Namespace, context: CliContext) -> int:
    """Quality figures of the set (``--json`` for the machine form, ``--misses`` for each miss)."""
    engine = context.engine
    report = evaluate(score_examples(engine, read_examples(args.file)), engine.thresholds)
    print(json.dumps(report.figures()) if args.json else "\n".join(report.lines()))
    if args.misses:
        for question, expected, given in report.misses:
            print(f"{expected:24} -> {given:24} {question}")
    return 0


def run_calibrate(args: argparse.Namespace, context: CliContext) -> int:
    """Choose the thresholds on the sets and print them as a config section."""
    engine = context.engine
    examples = [example for path in args.file for example in read_examples(path)]
    caps = Caps(args.max_answer_wrong, args.max_alternatives_wrong, args.max_oos_direct, args.min_top3)
    scored = score_examples(engine, examples)
    if args.bands_only:
        thresholds, report = calibrate_bands(scored, caps, engine.thresholds)
    else:
        thresholds, report = calibrate(scored, caps, engine.thresholds)
    print("\n".join(report.lines(most=5)))
    print("\n# paste into the [engine] section of your config:")
    print("[engine]")
    for name in (
        "answer",
        "margin",
        "suggest",
        "max_unknown",
        "alternatives_answer",
        "alternatives_margin",
        "alternatives_max_unknown",
        "story_alternatives_answer",
        "story_alternatives_margin",
        "strong_max_unknown",
    ):
        print(f"{name} = {getattr(thresholds, name)}")
    return 0
