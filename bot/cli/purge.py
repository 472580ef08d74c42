"""``sabtyar purge --older-than DAYS``: blank question texts and comments past the retention period.

Examples::

    sabtyar purge --older-than 180
    sabtyar purge --older-than 90 --db data/sabtyar.db

Every row stays, so the figures (``sabtyar stats``, ``sabtyar report``) do not change; only the
raw texts older than DAYS days are removed (the freed pages are zeroed and the WAL truncated).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.cli.command import CliContext
from bot.messages import MessageError
from bot.store import run_on_existing_store

__all__ = ["purge_main", "register"]


def purge_main(db_path: Path, days: int, now: datetime | None = None) -> int:
    """Blank texts older than ``days`` days; the number blanked. ``FileNotFoundError`` without a database."""
    if days < 0:
        raise MessageError("backup.error.negative_days", days=days)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return run_on_existing_store(db_path, lambda store: store.purge_raw_text(cutoff))


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "purge",
        help="remove raw question texts and comments: sabtyar purge --older-than 180",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--older-than", dest="days", type=int, required=True, metavar="DAYS")
    parser.add_argument("--db", type=Path, help="database file (default: the configured store)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Purge and print how many texts were blanked."""
    blanked = purge_main(args.db or context.store_path, args.days)
    print(context.catalog.text("backup.purged", count=blanked, days=args.days))
    return 0
