"""``sabtyar stats --json [--from DATE --to DATE]``: the period's figures read from the store.

Examples::

    sabtyar stats --json
    sabtyar stats --json --from 1405-07-01 --to 1405-07-30
    sabtyar stats --json --from 1405-09                 # from 1 Azar 1405 on
    sabtyar stats --json --from 2026-09-23 --to 2026-10-22 --db data/sabtyar.db

Dates are Iran calendar days, Gregorian (``2026-09-23``) or Jalali (``1405-07-01``), or a whole
Jalali month (``1405-07``) or year (``1405``); both ends included. Output: ``{"questions",
"answered", "did_you_mean", "unanswered", "ratings", "mean_rating", "csat", "resolved",
"answer_rate"}``, defined once in :mod:`bot.reports.figures` (the same numbers as ``/stats`` and
the report): ``unanswered`` is questions - answered - resolved.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.calendar import bounds
from bot.cli.command import CliContext, add_period_options
from bot.reports.figures import Figures, period_figures, stats_json
from bot.store import Stats, Store, run_on_existing_store

__all__ = ["register", "stats_main"]


def stats_main(db_path: Path, date_from: str | None, date_to: str | None) -> dict[str, Any]:
    """The fixed JSON figures for the period; ``ValueError`` on a bad date, ``FileNotFoundError``."""
    start, end = bounds(date_from, date_to)

    async def read(store: Store) -> tuple[Figures, Stats]:
        return await period_figures(store, start, end), await store.stats(start, end)

    figures, counts = run_on_existing_store(db_path, read)
    learning = {
        "corrections": counts.corrections,
        "suggestions": counts.suggestions,
        "suggestions_accepted": counts.suggestions_accepted,
        "suggestions_rejected": counts.suggestions_rejected,
    }
    return {**stats_json(figures), **learning}


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "stats",
        help="satisfaction figures: sabtyar stats --json --from 1405-07-01 --to 1405-07-30",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    add_period_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Print the figures (JSON with ``--json``, else one ``name: value`` per line)."""
    figures = stats_main(args.db or context.store_path, args.date_from, args.date_to)
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name}: {'-' if value is None else value}")
    return 0
