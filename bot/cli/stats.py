"""``sabtyar stats --json [--from DATE --to DATE]``: the period's figures read from the store.

Examples::

    sabtyar stats --json
    sabtyar stats --json --from 1405-07-01 --to 1405-07-30
    sabtyar stats --json --from 1405-09                 # from 1 Azar 1405 on
    sabtyar stats --json --last 30d                     # the last 30 days, today included
    sabtyar stats --json --from 2026-09-23 --to 2026-10-22 --db data/sabtyar.db

Dates are Iran calendar days, Gregorian (``2026-09-23``) or Jalali (``1405-07-01``), or a whole
Jalali month (``1405-07``) or year (``1405``); both ends included. Output: ``{"questions",
"answered", "did_you_mean", "unanswered", "ratings", "mean_rating", "csat", "resolved",
"answer_rate"}``, defined once in :mod:`bot.reports.figures` (the same numbers as ``/stats`` and
the report): ``unanswered`` is questions - answered - resolved. Then what citizens' choices taught
(``"corrections"``, ``"suggestions"``, ``"suggestions_accepted"``, ``"suggestions_rejected"``) and
how fast staff answered the citizens handed off to them: ``"handoffs"``, ``"handoffs_answered"``,
``"handoff_answered_share"``, ``"handoff_first_reply_median_min"`` and ``"handoffs_by_month"``
(per Jalali month: ``handoffs``, ``answered``, ``answered_share``, ``first_reply_median_min``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.calendar import Period, bounds
from bot.cli.command import CliContext, add_period_options, last_days
from bot.reports.figures import period_figures, stats_json
from bot.reports.handoff_speed import handoff_speed
from bot.store import Stats, Store, run_on_existing_store
from bot.store.reporting import report_events

__all__ = ["register", "stats_main"]


def stats_main(
    db_path: Path, date_from: str | None, date_to: str | None, period: Period | None = None
) -> dict[str, Any]:
    """The fixed JSON figures for the period (``period``, else from ``date_from`` to ``date_to``,
    each optional), then the handoff speed keys (additive: see :mod:`bot.reports.handoff_speed`);
    ``ValueError`` on a bad date, ``FileNotFoundError``."""
    start, end = (period.start, period.end) if period else bounds(date_from, date_to)

    async def read(store: Store) -> dict[str, Any]:
        figures = stats_json(await period_figures(store, start, end))
        events = await report_events(store, start, end)
        return {
            **figures,
            **_learning(await store.stats(start, end)),
            **handoff_speed(events.handoffs).to_json(),
        }

    return run_on_existing_store(db_path, read)


def _learning(counts: Stats) -> dict[str, Any]:
    """What citizens' choices taught: alternatives pressed, phrasings suggested and decided."""
    return {
        "corrections": counts.corrections,
        "suggestions": counts.suggestions,
        "suggestions_accepted": counts.suggestions_accepted,
        "suggestions_rejected": counts.suggestions_rejected,
    }


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
    figures = stats_main(args.db or context.store_path, args.date_from, args.date_to, last_days(args))
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name}: {'-' if value is None else value}")
    return 0
