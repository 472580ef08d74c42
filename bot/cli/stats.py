"""``sabtyar stats --json [--from DATE --to DATE]``: the period's figures read from the store.

Examples::

    sabtyar stats --json
    sabtyar stats --json --from 1405-07-01 --to 1405-07-30
    sabtyar stats --json --from 2026-09-23 --to 2026-10-22 --db data/sabtyar.db

Dates are Gregorian (``2026-09-23``) or Jalali (``1405-07-01``) calendar days in Iran time,
both ends included. Output: ``{"questions", "answered", "did_you_mean", "unanswered",
"ratings", "mean_rating", "csat"}``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.calendar import bounds
from bot.store import StoreError, run_on_existing_store

__all__ = ["add_stats_parser", "run_stats", "stats_main"]


def stats_main(db_path: Path, date_from: str | None, date_to: str | None) -> dict[str, Any]:
    """The fixed JSON figures for the period; ``ValueError`` on a bad date, ``FileNotFoundError``."""
    start, end = bounds(date_from, date_to)
    return run_on_existing_store(db_path, lambda store: store.stats(start, end)).to_json()


def add_stats_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``stats`` command to the CLI's sub-parsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stats",
        help="satisfaction figures: sabtyar stats --json --from 1405-07-01 --to 1405-07-30",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first day (Jalali or Gregorian)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day, included")
    parser.add_argument("--db", type=Path, help="database file (default: the configured store)")
    return parser


def run_stats(args: argparse.Namespace, store_path: Path) -> int:
    """Print the figures (JSON with ``--json``, else one ``name: value`` per line); the exit code."""
    try:
        figures = stats_main(args.db or store_path, args.date_from, args.date_to)
    except ValueError as error:
        print(f"sabtyar stats: {error}", file=sys.stderr)
        return 2
    except (FileNotFoundError, StoreError, sqlite3.Error) as error:
        print(f"sabtyar stats: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name}: {'-' if value is None else value}")
    return 0
