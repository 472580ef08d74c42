"""Staff tools without a messenger: settings, office hours, periods, paced delivery, edits, purge, audit."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.calendar import IRAN_TIME, Period
from bot.config_values import ConfigError
from bot.knowledge.edit import EditError, apply_entry_change
from bot.locale import bundled_catalog
from bot.messenger.broadcast import Result, deliver
from bot.messenger.office_hours import is_open, next_opening
from bot.messenger.staff_settings import HandoffSettings, Role
from bot.settings import ROOT, Settings, load_settings
from bot.store import QuestionEvent, Store
from bot.store.curation import dismissed_forms, last_change, record_change, record_undo

CITIZEN = "c" * 64
STAFF = "a" * 64


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_staff_and_handoff_settings(tmp_path: Path) -> None:
    settings = load_settings(
        config(
            tmp_path,
            "[staff]\nreview_after_days = 90\n[staff.telegram]\neditors = [111]\nviewers = [222, 111]\n"
            '[staff.bale]\nviewers = [333]\n[handoff]\noffice_hours = "07:30-15:00"\n'
            "[handoff.bale]\ngroup_chat_id = -100\n",
        ),
        environ={},
    )
    staff = settings.staff
    assert staff.role("telegram", 111) is Role.EDITOR and staff.role("telegram", 222) is Role.VIEWER
    assert staff.role("bale", 333) is Role.VIEWER and staff.role("bale", 111) is None
    assert staff.role("telegram", 333) is None and staff.review_after_days == 90
    assert Role.EDITOR.allows(Role.VIEWER) and not Role.VIEWER.allows(Role.EDITOR)
    assert settings.handoff.group("bale") == -100 and settings.handoff.group("telegram") is None
    assert (settings.handoff.opens.hour, settings.handoff.opens.minute, settings.handoff.closes.hour) == (
        7,
        30,
        15,
    )
    assert Settings().staff.role("telegram", 111) is None  # nobody is staff by default
    assert staff.admin_ids("telegram") == {111} and staff.admin_ids("bale") == frozenset()  # the editors
    admins = load_settings(config(tmp_path, "[staff.bale]\nviewers = [5]\nadmins = [7]\n"), environ={}).staff
    assert admins.admin_ids("bale") == {7} and admins.role("bale", 7) is Role.EDITOR  # admins edit
    example = load_settings(ROOT / "config.example.toml", environ={})
    assert example.staff.review_after_days == 180 and example.handoff.group_chat_ids == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[staff.telegram]\neditors = ["111"]\n', "[staff.telegram] editors"),
        ("[staff.telegram]\nowners = [1]\n", "unknown key(s): owners"),
        ('[staff.telegram]\nadmins = ["1"]\n', "[staff.telegram] admins"),
        ('[handoff]\noffice_hours = "14:00-08:00"\n', "office_hours"),
        ('[handoff]\noffice_hours = "8-14"\n', "office_hours"),
        ('[handoff.bale]\ngroup_chat_id = "x"\n', "group_chat_id"),
        ("[staff]\nreview_after_days = 0\n", "review_after_days"),
    ],
)
def test_bad_staff_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(
        ConfigError,
        match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)"),
    ):
        load_settings(config(tmp_path, text), environ={})


def iran(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=IRAN_TIME).astimezone(UTC)


def test_office_hours_saturday_to_wednesday_in_iran_time() -> None:
    hours = HandoffSettings()
    saturday, wednesday, thursday = date(2026, 11, 28), date(2026, 12, 2), date(2026, 12, 3)
    assert is_open(hours, iran(saturday, 8)) and is_open(hours, iran(wednesday, 13, 59))
    assert not is_open(hours, iran(saturday, 14)) and not is_open(hours, iran(saturday, 7, 59))
    assert not is_open(hours, iran(thursday, 10))
    assert next_opening(hours, iran(saturday, 15)) == datetime(2026, 11, 29, 8, 0, tzinfo=IRAN_TIME)
    assert next_opening(hours, iran(wednesday, 15)) == datetime(2026, 12, 5, 8, 0, tzinfo=IRAN_TIME)
    assert next_opening(hours, iran(thursday, 6)) == datetime(2026, 12, 5, 8, 0, tzinfo=IRAN_TIME)
    assert next_opening(hours, iran(saturday, 6)) == datetime(2026, 11, 28, 8, 0, tzinfo=IRAN_TIME)


def test_periods_jalali_month_two_days_and_default() -> None:
    month = Period.of_words(["1405-07"])
    assert (month.first_day, month.last_day) == (date(2026, 9, 23), date(2026, 10, 22))
    assert Period.of_words(["۱۴۰۵-۰۷"]) == month
    assert Period.of_words(["1405-07-01", "1405-07-30"]) == month
    assert Period.of_words(["2026-09-23", "2026-10-22"]) == month
    current = Period.of_words([], today=date(2026, 11, 28))  # 7 Azar 1405
    assert (current.first_day, current.last_day) == (date(2026, 11, 22), date(2026, 11, 28))
    for bad in (["2026-07"], ["1405-13"], ["x"], ["1", "2", "3"], ["1405-07-30", "1405-07-01"]):
        with pytest.raises(ValueError):
            Period.of_words(bad)


async def test_delivery_is_paced_retried_and_counted() -> None:
    starts: list[float] = []
    tries: dict[int, int] = {}

    async def send(recipient: int) -> Result:
        starts.append(time.monotonic())
        tries[recipient] = tries.get(recipient, 0) + 1
        await asyncio.sleep(0.02)
        if recipient % 10 == 0:
            return Result.BLOCKED
        if recipient % 7 == 0:
            return Result.RETRY if tries[recipient] < 3 or recipient == 7 else Result.SENT
        return Result.FAILED if recipient == 99 else Result.SENT

    progress: list[int] = []

    async def show(delivery: object) -> None:
        progress.append(delivery.done)  # type: ignore[attr-defined]

    delivery = await deliver(
        list(range(1, 101)), send, per_second=100, attempts=3, on_progress=show, progress_every=0.3
    )
    assert (delivery.sent, delivery.blocked, delivery.failed) == (88, 10, 2)  # 7 fails 3 times, 99 fails
    assert delivery.blocked_recipients == list(range(10, 101, 10))
    assert tries[7] == 3 and tries[14] == 3 and tries[10] == 1
    # Paced at 100/s: any 11 consecutive starts span about 0.1 s. The pacer spaces task creations
    # exactly; on a loaded machine a stalled loop may start a few created tasks back to back.
    assert all(starts[i + 10] - starts[i] >= 0.07 for i in range(len(starts) - 10))
    assert progress[-1] == 100 and len(progress) >= 3
    with pytest.raises(ValueError):
        await deliver([1], send, per_second=0)


def test_entry_change_is_validated_and_atomic(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, folder)
    assert apply_entry_change(folder, "smartcard-lost", lambda r: r).entry("smartcard-lost")
    assert (folder / "smartcard.yaml").read_bytes() == (
        settings.knowledge_dir / "smartcard.yaml"
    ).read_bytes()
    with pytest.raises(EditError) as broken:
        apply_entry_change(folder, "smartcard-lost", lambda r: {**r, "questions": ["یک"]})
    assert any(p.file == "smartcard.yaml" and "at least 5" in p.message for p in broken.value.problems)
    with pytest.raises(EditError):
        apply_entry_change(folder, "no-such-entry", lambda r: r)
    assert (folder / "smartcard.yaml").read_bytes() == (
        settings.knowledge_dir / "smartcard.yaml"
    ).read_bytes()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    knowledge = apply_entry_change(folder, "smartcard-lost", lambda r: {**r, "answer": "الف\n\nب: «ج» # د"})
    assert knowledge.entry("smartcard-lost").answer == "الف\n\nب: «ج» # د"


async def test_audit_rows_undo_and_dismissals(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "s.db") as store:
        assert await last_change(store, STAFF) is None
        first = await record_change(
            store, staff_hash=STAFF, platform="bale", entry_id="e", field="answer", before="a", after="b"
        )
        await record_change(
            store,
            staff_hash=STAFF,
            platform="bale",
            entry_id="",
            field="dismissed",
            before=None,
            after="form",
        )
        assert await dismissed_forms(store) == {"form"}
        latest = await last_change(store, STAFF)
        assert latest is not None and latest.field == "dismissed"
        await record_undo(store, latest, staff_hash=STAFF, platform="bale")
        assert await dismissed_forms(store) == frozenset()
        again = await last_change(store, STAFF)
        assert again is not None and again.id == first and (again.before, again.after) == ("a", "b")
        with pytest.raises(ValueError):
            await record_change(
                store, staff_hash="111", platform="bale", entry_id="e", field="answer", before="", after=""
            )


@pytest.mark.slow
def test_purge_cli_blanks_old_texts_and_keeps_figures(tmp_path: Path) -> None:
    db = tmp_path / "sabtyar.db"

    async def seed() -> None:
        async with await Store.open(db) as store:
            for days, text in ((400, "قدیمی 09121234567"), (1, "تازه")):
                await store.record_question(
                    QuestionEvent(
                        "bale",
                        CITIZEN,
                        "fa",
                        text,
                        text,
                        "no_match",
                        None,
                        0.1,
                        (),
                        5,
                        asked_at=datetime.now(UTC) - timedelta(days=days),
                    )
                )

    asyncio.run(seed())
    command = [
        sys.executable,
        "-m",
        "bot.cli.main",
        "--config",
        str(config(tmp_path, '[store]\npath = "sabtyar.db"\n')),
    ]
    result = subprocess.run(
        [*command, "purge", "--older-than", "180"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == bundled_catalog("fa").text("backup.purged", count=1, days=180) + "\n"
    assert "۱۸۰" in result.stdout  # in the configured language, Persian by default
    import sqlite3

    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT text FROM questions ORDER BY id").fetchall() == [(None,), ("تازه",)]
    assert b"09121234567" not in db.read_bytes()  # masked when stored; match_form is kept for grouping
    missing = subprocess.run(
        [*command, "purge", "--older-than", "1", "--db", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert missing.returncode == 1 and "پایگاه داده ثبت‌یار" in missing.stderr


def test_unofficial_links(settings: Settings) -> None:
    from bot.knowledge.loader import unofficial_links

    text = "ببینید https://www.sabteahval.ir/x و my.sabteahval.ir و https://evil.example/a و www.bad.ir."
    assert unofficial_links(text, settings.knowledge_dir) == ["https://evil.example/a", "www.bad.ir"]


def test_office_hours_skip_holidays_and_follow_the_configured_week() -> None:
    from datetime import date

    from bot.knowledge.directory.holidays import Holidays
    from bot.messenger.staff_settings import read_handoff

    hours = read_handoff({"office_hours": "08:00-14:00", "workdays": "saturday-thursday"})
    thursday = date(2026, 12, 3)
    assert is_open(hours, iran(thursday, 10))  # a six-day week
    closed = Holidays(extra=frozenset({thursday}))
    assert not is_open(hours, iran(thursday, 10), closed)
    saturday = date(2026, 12, 5)
    assert next_opening(hours, iran(thursday, 10), closed) == datetime(2026, 12, 5, 8, 0, tzinfo=IRAN_TIME)
    assert next_opening(read_handoff({}), iran(saturday, 6)).date() == saturday
    with pytest.raises(ConfigError):
        read_handoff({"workdays": "monday-friday"})
