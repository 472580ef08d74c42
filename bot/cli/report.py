"""``sabtyar report`` and ``sabtyar chart``: the indicator report and its charts, from the store.

Examples::

    sabtyar report --from 1405-07-01 --to 1405-09-30 --format xlsx --out indicators.xlsx
    sabtyar report --from 2026-09-23 --to 2026-10-22 --format csv --out mehr.csv
    sabtyar report --format json                      # this Jalali month so far, to stdout
    sabtyar chart --out chart.png                     # the last 30 days
    sabtyar chart --from 1405-07-25 --to 1405-08-05 --out chart.png

Dates are Jalali (``1405-07-01``) or Gregorian (``2026-09-23``) calendar days in Iran time, both
ends included. Without ``--from`` the report starts on the first of ``--to``'s Jalali month;
without ``--to`` it ends today. The format defaults to the ``--out`` file's suffix, else JSON.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.calendar import Period
from bot.cli.command import CliContext, add_period_options
from bot.knowledge.loader import load_knowledge
from bot.locale import Catalog
from bot.reports.figures import Report, build_report
from bot.reports.labels import period_title
from bot.reports.output import report_csv, report_json
from bot.store import run_on_existing_store

__all__ = ["register", "report_period", "run_chart", "run_report"]

FORMATS = ("xlsx", "csv", "json")


def report_period(date_from: str | None, date_to: str | None) -> Period:
    """The report's period from the typed dates (see the module docstring for the defaults)."""
    return Period.between(date_from, date_to)


def register(commands: Any) -> None:
    """Add the ``report`` and ``chart`` commands."""
    report: argparse.ArgumentParser = commands.add_parser(
        "report",
        help="e-government indicators: sabtyar report --from 1405-07-01 --to 1405-07-30 --out r.xlsx",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_period_options(report)
    report.add_argument("--format", choices=FORMATS, help="xlsx, csv or json (default: from --out)")
    report.add_argument("--out", type=Path, help="output file (default: stdout; required for xlsx)")
    report.set_defaults(run=run_report)
    chart: argparse.ArgumentParser = commands.add_parser(
        "chart",
        help="questions and satisfaction per day, questions per category: sabtyar chart --out c.png",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_period_options(chart)
    chart.add_argument("--out", type=Path, required=True, help="the PNG file to write")
    chart.set_defaults(run=run_chart)


def _read(path: Path, knowledge_dir: Path, period: Period, catalog: Catalog) -> Report:
    knowledge = load_knowledge(knowledge_dir)
    return run_on_existing_store(path, lambda store: build_report(store, knowledge, period, catalog))


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.out.suffix.lower().lstrip(".") if args.out else ""
    return suffix if suffix in FORMATS else "json"


def _write(args: argparse.Namespace, context: CliContext, *, chart: bool) -> int:
    # matplotlib and openpyxl load here, in the only commands that draw or write a workbook
    from bot.reports.charts import chart_period, chart_png
    from bot.reports.workbook import write_workbook

    catalog = context.catalog
    period = (chart_period if chart else report_period)(args.date_from, args.date_to)
    kind = "png" if chart else _format(args)
    if kind == "xlsx" and args.out is None:
        raise ValueError("an xlsx workbook needs --out FILE.xlsx")
    report = _read(args.db or context.store_path, context.knowledge_dir, period, catalog)
    if kind in ("png", "xlsx"):
        png = chart_png(report)
        if kind == "png":
            args.out.write_bytes(png)
        else:
            write_workbook(report, args.out, png)
    else:
        data = report_json(report).encode() if kind == "json" else report_csv(report)
        if args.out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            args.out.write_bytes(data)
    if args.out is not None:
        print(f"sabtyar {args.command}: {args.out} ({period_title(report.period, catalog)})", file=sys.stderr)
    return 0


def run_report(args: argparse.Namespace, context: CliContext) -> int:
    """Write the report in the chosen format, titled in the catalog's language."""
    return _write(args, context, chart=False)


def run_chart(args: argparse.Namespace, context: CliContext) -> int:
    """Write the chart PNG."""
    return _write(args, context, chart=True)
