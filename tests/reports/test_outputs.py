"""One definition of every figure across ``stats --json``, ``/stats`` and the report; output formats
by the file's name.

The store is the hand-made one of :mod:`tests.reports.test_report` (its figures are checked there).
"""

from __future__ import annotations

import asyncio
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.calendar import iran_day, persian_digits
from bot.cli.stats import stats_main
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.reports.figures import STATS_KEYS
from bot.store import Store
from tests.reports.test_report import EXPECTED_SUMMARY, FA, report, report_args, seed
from tests.support.bot_harness import running_bot
from tests.support.cli import run_cli

FIRST, LAST = "1405-07-30", "1405-08-01"


@pytest.fixture
async def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"  # the harness's store: the running bot reads the same events
    async with await Store.open(path) as store:
        await seed(store)
    return path


def shown(value: int | float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    if percent:
        return FA.text("report.percent", value=persian_digits(f"{value * 100:.1f}"))
    return persian_digits(value)


async def test_stats_json_slash_stats_and_the_report_give_the_same_numbers(
    seeded: Path, tmp_path: Path, engine: AnswerEngine, locales: Locales, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = await asyncio.to_thread(stats_main, seeded, FIRST, LAST)  # the CLI runs its own loop
    argv = ["stats", "--json", "--from", FIRST, "--to", LAST]
    assert await asyncio.to_thread(lambda: run_cli(argv, store_path=seeded)) == 0
    assert json.loads(capsys.readouterr().out) == stats
    assert await asyncio.to_thread(report, report_args(seeded, "--format", "json")) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]["all"]
    assert summary == EXPECTED_SUMMARY
    # unanswered is questions - answered - resolved in both: no match, or choices left unchosen
    figures = {key: stats[key] for key in STATS_KEYS}  # the figures; the rest of stats --json is the store's
    assert {key: summary[key] for key in STATS_KEYS} == figures
    assert stats["unanswered"] == stats["questions"] - stats["answered"] - stats["resolved"] == 3

    from tests.handlers.test_staff_handlers import command, staff, staff_settings

    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        _editor, viewer, _citizen = staff(bot)
        [text, _photo] = await command(bot, viewer, f"/stats {FIRST} {LAST}", 2, timeout=30)
    lines = text.text.splitlines()
    for key in ("questions", "answered", "did_you_mean", "resolved", "unanswered", "ratings"):
        assert f"• {FA.text(f'report.figure.{key}.title')}: {shown(stats[key])}" in lines, key
    for key in ("answer_rate", "csat"):
        assert f"• {FA.text(f'report.figure.{key}.title')}: {shown(stats[key], True)}" in lines, key


@pytest.mark.parametrize("suffix", ["ods", "xls"])
def test_a_report_is_never_one_format_under_another_name(
    seeded: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"x.{suffix}"
    assert report(report_args(seeded, "--out", str(out))) == 2
    assert not out.exists()
    assert "report.xlsx" in capsys.readouterr().err
    mismatch = report_args(seeded, "--format", "csv", "--out", str(tmp_path / "x.json"))
    assert report(mismatch) == 2
    assert "--format csv" in capsys.readouterr().err


def test_report_writes_what_the_suffix_names(seeded: Path, tmp_path: Path) -> None:
    for suffix, start in [("xlsx", b"PK"), ("csv", b"\xef\xbb\xbf"), ("json", b"{")]:
        out = tmp_path / f"r.{suffix}"
        assert report(report_args(seeded, "--out", str(out))) == 0
        assert out.read_bytes().startswith(start), suffix
    assert zipfile.is_zipfile(tmp_path / "r.xlsx")


@pytest.mark.parametrize(("suffix", "start"), [("pdf", b"%PDF-"), ("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_chart_writes_what_the_suffix_names(seeded: Path, tmp_path: Path, suffix: str, start: bytes) -> None:
    out = tmp_path / f"c.{suffix}"
    assert report(["chart", "--from", FIRST, "--to", LAST, "--db", str(seeded), "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(start)
    if suffix == "svg":
        assert b"<svg" in data[:1000]


def test_chart_refuses_a_format_it_does_not_write(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.jpg"
    assert report(["chart", "--db", str(seeded), "--out", str(out)]) == 2
    assert not out.exists()
    assert "chart.pdf" in capsys.readouterr().err


def test_a_period_is_a_jalali_month_a_jalali_year_or_the_last_days(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def stats(*period: str) -> dict[str, object]:
        assert run_cli(["stats", "--json", *period], store_path=seeded) == 0
        return dict(json.loads(capsys.readouterr().out))

    year = stats("--from", "1405")
    mehr, aban = stats("--from", "1405-07", "--to", "1405-07"), stats("--from", "1405-08")
    assert year == stats("--from", "1405-07")  # the seeded events begin in Mehr 1405
    assert year["questions"] == mehr["questions"] + aban["questions"] == 16 and aban["questions"] == 8
    since_mehr = (iran_day(datetime.now(UTC)) - date(2026, 9, 23)).days + 1  # 1 Mehr 1405 to today
    assert stats("--last", f"{since_mehr}d") == year
    assert report(["report", "--last", f"{since_mehr}d", "--db", str(seeded)]) == 0
    assert json.loads(capsys.readouterr().out)["period"]["from"] == "1405-07-01"
    assert run_cli(["stats", "--last", "7d", "--from", "1405"], store_path=seeded) == 2
    assert capsys.readouterr().err == f"sabtyar stats: {FA.text('period.error.last_with_dates')}\n"


def test_a_file_or_database_that_cannot_be_used_is_said_in_the_configured_language(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def said(key: str, **values: str) -> str:
        return FA.text(key, **values, error="\x00").split("\x00")[0]  # up to the system's own words

    text = tmp_path / "r.txt"
    assert report(report_args(seeded, "--out", str(text))) == 2 and not text.exists()
    assert capsys.readouterr().err == f"sabtyar report: {said('report.error.format', suffix='txt')}\n"
    missing = tmp_path / "no-such-folder" / "r.csv"
    assert report(report_args(seeded, "--out", str(missing))) == 1
    assert capsys.readouterr().err == f"sabtyar report: {said('cli.error.no_file', file=str(missing))}\n"
    folder = tmp_path / "r.json"
    folder.mkdir()
    assert report(report_args(seeded, "--out", str(folder))) == 1
    assert capsys.readouterr().err.startswith(f"sabtyar report: {said('cli.error.os')}[Errno 21] ")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database, a note saved under the database's name\n" * 200)
    assert run_cli(["stats", "--json"], store_path=garbage) == 1
    assert capsys.readouterr().err.startswith(f"sabtyar stats: {said('cli.error.store')}")
