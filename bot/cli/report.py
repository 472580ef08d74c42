"""``sabtyar report`` and ``sabtyar chart``: the indicator report and its charts, from the store.

Examples::

    sabtyar report --from 1405-07-01 --to 1405-09-30 --format xlsx --out indicators.xlsx
    sabtyar report --from 2026-09-23 --to 2026-10-22 --format csv --out mehr.csv
    sabtyar report --format json                      # this Jalali month so far, to stdout
    sabtyar report --from 1405-07 --pack pack-1405-07 # the monthly pack: workbook, PNG charts, PDF
    sabtyar chart --out chart.png                     # the last 30 days
    sabtyar report --last 7d --out week.xlsx          # the last 7 days, today included
    sabtyar chart --from 1405-07-25 --to 1405-08-05 --out chart.png

Dates are Jalali (``1405-07-01``) or Gregorian (``2026-09-23``) calendar days in Iran time, both
ends included, or a Jalali month (``1405-09``) or year (``1405``); ``--last 30d`` is the last 30
Iran days, today included. Without ``--from`` the report starts on the first of ``--to``'s Jalali
month; without ``--to`` it ends today.

Formats by name, never one under another's name: the report is xlsx, csv or json (``--format``,
else the ``--out`` file's suffix; JSON to stdout without ``--out``); the chart is png, svg or
pdf by the ``--out`` suffix. Any other suffix (``.ods``, ``.xls``, ``.jpg``) is refused with
what to use instead (LibreOffice opens the xlsx), as is a ``--format`` the ``--out`` suffix
contradicts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.calendar import Period
from bot.cli.command import CliContext, add_period_options, last_days
from bot.knowledge.loader import load_knowledge
from bot.locale import Catalog
from bot.messages import MessageError
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
    report.add_argument(
        "--out", type=Path, help="the .xlsx, .csv or .json file (default: JSON to stdout; required for xlsx)"
    )
    report.add_argument(
        "--pack",
        type=Path,
        metavar="DIR",
        help="the monthly pack into DIR: the printable workbook, the charts (PNG) and a one-page PDF",
    )
    report.set_defaults(run=run_report)
    chart: argparse.ArgumentParser = commands.add_parser(
        "chart",
        help="questions and satisfaction per day, questions per category: sabtyar chart --out c.png",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_period_options(chart)
    chart.add_argument("--out", type=Path, required=True, help="the .png, .svg or .pdf file to write")
    chart.set_defaults(run=run_chart)


def _read(path: Path, knowledge_dir: Path, period: Period, catalog: Catalog) -> Report:
    knowledge = load_knowledge(knowledge_dir)
    return run_on_existing_store(path, lambda store: build_report(store, knowledge, period, catalog))


def _suffix(path: Path | None) -> str:
    return path.suffix.lower().lstrip(".") if path else ""


def _format(args: argparse.Namespace, *, chart: bool) -> str:
    """The format to write: the one the file's name says (or ``--format``), else a ``MessageError``."""
    suffix = _suffix(args.out)
    if chart:
        from bot.reports.charts import CHART_FORMATS

        if suffix not in CHART_FORMATS:
            raise MessageError("report.error.chart_format", suffix=suffix or "-")
        return suffix
    if args.format:
        if args.out is not None and suffix != args.format:
            raise MessageError("report.error.format_mismatch", format=args.format, file=args.out.name)
        return str(args.format)
    if args.out is None:
        return "json"
    if suffix not in FORMATS:
        key = "report.error.spreadsheet_format" if suffix in ("ods", "xls", "xlsb") else "report.error.format"
        raise MessageError(key, suffix=suffix or "-")
    return suffix


def _write(args: argparse.Namespace, context: CliContext, *, chart: bool) -> int:
    # matplotlib and openpyxl load here, in the only commands that draw or write a workbook
    from bot.reports.charts import chart_bytes, chart_period, chart_png  # matplotlib: only here
    from bot.reports.workbook import write_workbook

    catalog = context.catalog
    period = last_days(args) or (chart_period if chart else report_period)(args.date_from, args.date_to)
    kind = _format(args, chart=chart)
    if kind == "xlsx" and args.out is None:
        raise MessageError("report.error.xlsx_needs_out")
    report = _read(args.db or context.store_path, context.knowledge_dir, period, catalog)
    if chart:
        args.out.write_bytes(chart_bytes(report, kind))
    elif kind == "xlsx":
        write_workbook(report, args.out, chart_png(report))
    else:
        data = report_json(report).encode() if kind == "json" else report_csv(report)
        if args.out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            args.out.write_bytes(data)
    if args.out is not None:
        title = period_title(report.period, catalog)
        print(
            f"sabtyar {args.command}: {catalog.text('report.written', file=str(args.out), period=title)}",
            file=sys.stderr,
        )
    return 0


def run_report(args: argparse.Namespace, context: CliContext) -> int:
    """Write the report in the chosen format (or the pack with ``--pack``), in the catalog's language."""
    if args.pack is not None:
        return _write_pack(args, context)
    return _write(args, context, chart=False)


def _write_pack(args: argparse.Namespace, context: CliContext) -> int:
    from bot.reports.pack import build_pack  # matplotlib and openpyxl: only here
    from bot.reports.pack_files import write_pack

    if args.out is not None or args.format is not None:
        raise MessageError("report.error.pack_alone", folder=str(args.pack))
    catalog, period = context.catalog, last_days(args) or report_period(args.date_from, args.date_to)
    knowledge = load_knowledge(context.knowledge_dir)
    path = args.db or context.store_path
    pack = run_on_existing_store(path, lambda store: build_pack(store, knowledge, period, catalog))
    written = write_pack(pack, args.pack)
    print(f"sabtyar report: {args.pack} ({period_title(period, catalog)})", file=sys.stderr)
    for file in written:
        print(file)
    return 0


def run_chart(args: argparse.Namespace, context: CliContext) -> int:
    """Write the chart as the PNG, SVG or PDF its file name says."""
    return _write(args, context, chart=True)
