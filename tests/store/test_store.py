"""The event store on real SQLite files: migrations, idempotency, ratings, figures, privacy, SIGKILL."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.calendar import bounds as day_bounds
from bot.cli.stats import stats_main
from bot.engine.analyzer import MatchKey
from bot.engine.decision import Decision, Outcome
from bot.engine.engine import Reply
from bot.engine.matcher import Candidate
from bot.hash_secret import user_hash_secret
from bot.settings import ROOT, Settings, StoreSettings
from bot.store import MIGRATIONS, Migration, QuestionEvent, Refused, SchemaError, Store, UserHasher
from handlers.recording import question_event
from tests.support.cli import run_cli

HASHER = UserHasher("test-secret-for-the-store-only")
ALI = HASHER("telegram", 7364918205)
SARA = HASHER("bale", 8123456790)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def question(
    outcome: str = "answer",
    *,
    user: str = ALI,
    platform: str = "telegram",
    candidates: tuple[str, ...] = ("birth-certificate-lost",),
    text: str = "شناسنامه‌ام گم شده",
    update_id: int | None = None,
    asked_at: datetime | None = None,
) -> QuestionEvent:
    return QuestionEvent(
        platform=platform,  # type: ignore[arg-type]
        user_hash=user,
        language="fa",
        text=text,
        match_form="شناسنامه گم",
        outcome=outcome,
        answer_id=candidates[0] if outcome == "answer" else None,
        score=0.8 if outcome == "answer" else 0.4 if outcome == "did_you_mean" else 0.1,
        candidates=candidates if outcome != "no_match" else (),
        response_ms=12,
        update_id=update_id,
        asked_at=asked_at,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "sabtyar.db") as opened:
        yield opened


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


# Migrations -----------------------------------------------------------------------------------


async def test_fresh_file_gets_schema_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "data" / "fresh.db"
    async with await Store.open(path) as store:
        applied = await store.applied_migrations()
    assert [name for name, _ in applied] == [m.name for m in MIGRATIONS]
    tables = {name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "resolutions", "answer_events", "ratings", "subscriptions", "contacts"} <= tables
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]


async def test_reopen_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    async with await Store.open(path) as store:
        first = await store.applied_migrations()
    async with await Store.open(path) as store:
        assert await store.applied_migrations() == first


async def test_new_migration_applied_once_and_newer_database_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    async with await Store.open(path):
        pass
    v2 = (*MIGRATIONS, Migration("0099_pretend_v2", ("CREATE TABLE pretend (id INTEGER PRIMARY KEY)",)))
    for _ in range(2):
        async with await Store.open(path, migrations=v2) as store:
            names = [name for name, _ in await store.applied_migrations()]
    assert names.count("0099_pretend_v2") == 1 and names[-1] == "0099_pretend_v2"
    with pytest.raises(SchemaError, match="0099_pretend_v2"):
        await Store.open(path)


async def test_failed_migration_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    broken = (*MIGRATIONS, Migration("0099_broken", ("CREATE TABLE half (x)", "NOT SQL AT ALL")))
    with pytest.raises(sqlite3.OperationalError):
        await Store.open(path, migrations=broken)
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'half'") == []
    async with await Store.open(path) as store:
        assert "0099_broken" not in [name for name, _ in await store.applied_migrations()]


# Questions, choices, ratings ------------------------------------------------------------------


async def test_question_is_masked_verbatim_and_recorded_once(store: Store) -> None:
    text = "کد ملی ۰۴۹۹۳۷۰۸۹۹ '); DROP TABLE questions; --"
    first = await store.record_question(question(text=text, update_id=41))
    assert await store.record_question(question(text=text, update_id=41)) == first
    other = await store.record_question(question(text=text, update_id=41, platform="bale", user=SARA))
    assert other != first
    assert await store.record_question(question()) not in (first, other)  # console-like: no update id
    await store.close()
    stored = rows(store.path, "SELECT text, update_key FROM questions ORDER BY id")
    assert len(stored) == 3
    assert stored[0][0] == "کد ملی [کد ملی] '); DROP TABLE questions; --"
    assert stored[0][1] != stored[1][1]


async def test_question_from_engine_reply(store: Store) -> None:
    decision = Decision(Outcome.DID_YOU_MEAN, (Candidate("a", 0.5, "x"), Candidate("b", 0.45, "y")))
    reply = Reply("تعویض کارت ملی", MatchKey(("تعویض", "کارت", "ملی")), decision, (), 0.0123)
    event = question_event(reply, platform="bale", user_hash=SARA, language="fa", update_id=9)
    question_id = await store.record_question(event)
    await store.close()
    assert rows(
        store.path, "SELECT match_form, outcome, answer_id, candidates, response_ms FROM questions"
    ) == [("تعویض کارت ملی", "did_you_mean", None, '["a", "b"]', 12)]
    assert question_id == 1


async def test_rejects_raw_ids_and_naive_times(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.record_question(question(user="7364918205"))
    with pytest.raises(ValueError):
        await store.record_question(question(platform="whatsapp"))
    with pytest.raises(ValueError):
        await store.record_question(question(asked_at=datetime(2026, 1, 1)))


async def test_choice_resolves_once_and_refuses_forgeries(store: Store) -> None:
    offered = await store.record_question(question("did_you_mean", candidates=("a", "b"), update_id=1))
    answered = await store.record_question(question("answer", update_id=2))
    first = await store.record_choice(offered, "a", user_hash=ALI, platform="telegram", update_id=3)
    assert await store.record_choice(offered, "a", user_hash=ALI, platform="telegram", update_id=3) == first
    second = await store.record_choice(offered, "b", user_hash=ALI, platform="telegram", update_id=4)
    assert second != first and await store.answer_event_owner(second) == ALI
    for forged in [
        (offered, "b", SARA),  # someone else's question
        (offered, "c", ALI),  # not offered
        (answered, "birth-certificate-lost", ALI),  # not a "did you mean" question
        (999, "a", ALI),  # unknown question
        (-1, "a", ALI),
        (2**70, "a", ALI),
    ]:
        with pytest.raises(Refused):
            await store.record_choice(forged[0], forged[1], user_hash=forged[2], platform="telegram")
    await store.close()
    assert rows(store.path, "SELECT question_id, entry_id FROM resolutions") == [(offered, "b")]
    assert rows(store.path, "SELECT count(*) FROM answer_events WHERE via = 'choice'") == [(2,)]


async def test_rating_upsert_and_comment(store: Store) -> None:
    event = await store.record_answer_event(user_hash=ALI, platform="telegram", entry_id="a", via="menu")
    first = await store.record_rating(event, ALI, 2)
    assert await store.record_rating(event, ALI, 5) == first
    assert await store.rating(event, ALI) == 5
    assert await store.record_comment(event, ALI, "شماره من 09121234567 است")
    assert not await store.record_comment(event, SARA, "no rating of mine")
    await store.close()
    assert rows(store.path, "SELECT id, score, comment FROM ratings") == [(first, 5, "شماره من [تلفن] است")]


async def test_foreign_and_forged_ratings_are_refused(store: Store) -> None:
    event = await store.record_answer_event(user_hash=ALI, platform="telegram", entry_id="a", via="menu")
    assert await store.answer_event_owner(event) == ALI
    assert await store.answer_event_owner(event + 1) is None
    assert await store.answer_event_owner(2**80) is None
    await store.record_rating(event, ALI, 4)
    for event_id, user, score in [
        (event, SARA, 1),  # someone else's answer
        (event + 1, ALI, 1),  # unknown answer
        (event, ALI, 0),
        (event, ALI, 6),
        (event, ALI, True),
        (event, ALI, "5"),
        (2**80, ALI, 3),
    ]:
        with pytest.raises(Refused):
            await store.record_rating(event_id, user, score)  # type: ignore[arg-type]
    assert await store.rating(event, ALI) == 4
    assert await store.rating(event, SARA) is None


async def test_answer_event_idempotent_per_update(store: Store) -> None:
    kwargs = {"user_hash": SARA, "platform": "bale", "entry_id": "a", "via": "menu", "update_id": 77}
    assert await store.record_answer_event(**kwargs) == await store.record_answer_event(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):  # foreign_keys is on
        await store.record_answer_event(
            user_hash=SARA, platform="bale", entry_id="a", via="direct", question_id=9
        )
    with pytest.raises(ValueError):
        await store.record_answer_event(user_hash=SARA, platform="bale", entry_id="a", via="inline")  # type: ignore[arg-type]


async def test_concurrent_writers_share_one_connection(store: Store) -> None:
    ids = await asyncio.gather(*(store.record_question(question(update_id=i)) for i in range(60)))
    assert len(set(ids)) == 60
    assert (await store.stats()).questions == 60


# Subscriptions and contacts -------------------------------------------------------------------


async def test_subscriptions_keep_chat_ids_only_while_needed(store: Store) -> None:
    assert await store.subscribe(ALI, "telegram", 7364918205)
    assert not await store.subscribe(ALI, "telegram", 7364918205)
    await store.subscribe(SARA, "bale", 8123456790)
    assert [s.chat_id for s in await store.subscribers("telegram")] == [7364918205]
    await store.hold_contact(ALI, "telegram", 7364918205, "handoff")
    assert await store.unsubscribe(ALI) and not await store.unsubscribe(ALI)
    assert not await store.is_subscribed(ALI)
    assert await store.contact(ALI) == 7364918205  # still waiting for a staff reply
    await store.release_contact(ALI, "handoff")
    assert await store.contact(ALI) is None
    assert await store.subscribers("telegram") == []
    assert await store.is_subscribed(SARA)


# Figures --------------------------------------------------------------------------------------


async def seed(store: Store) -> None:
    """Questions and ratings on both sides of Iran's midnight starting 1405-07-01 (2026-09-22 20:30 UTC)."""
    for _ in range(2):  # a replayed update counts once
        await store.record_question(question(update_id=100, asked_at=at("2026-09-20T09:00")))
    q1 = await store.record_question(question(asked_at=at("2026-09-22T10:00")))
    e1 = await store.record_answer_event(
        user_hash=ALI,
        platform="telegram",
        entry_id="a",
        via="direct",
        question_id=q1,
        at=at("2026-09-22T10:00"),
    )
    await store.record_rating(e1, ALI, 5, at=at("2026-09-22T10:01"))
    q2 = await store.record_question(
        question(
            "did_you_mean", user=SARA, platform="bale", candidates=("a", "b"), asked_at=at("2026-09-22T21:00")
        )
    )
    e2 = await store.record_choice(q2, "b", user_hash=SARA, platform="bale", at=at("2026-09-22T21:01"))
    await store.record_rating(e2, SARA, 3, at=at("2026-09-22T21:02"))
    await store.record_rating(e2, SARA, 4, at=at("2026-09-22T21:03"))
    await store.record_question(question("no_match", asked_at=at("2026-09-23T08:00")))
    await store.record_question(
        question("did_you_mean", candidates=("a", "b"), asked_at=at("2026-09-23T09:00"))
    )
    e6 = await store.record_answer_event(
        user_hash=SARA, platform="bale", entry_id="c", via="menu", at=at("2026-09-23T10:00")
    )
    await store.record_rating(e6, SARA, 2, at=at("2026-09-23T10:05"))
    q5 = await store.record_question(question(asked_at=at("2026-09-24T12:00")))
    e5 = await store.record_answer_event(
        user_hash=ALI,
        platform="telegram",
        entry_id="a",
        via="direct",
        question_id=q5,
        at=at("2026-09-24T12:00"),
    )
    await store.record_rating(e5, ALI, 1, at=at("2026-09-24T12:01"))


async def test_stats_by_hand(store: Store) -> None:
    await seed(store)
    everything = await store.stats()
    # unanswered = questions - answered - resolutions: the no match and the choice left unchosen
    assert (everything.questions, everything.answered, everything.did_you_mean, everything.unanswered) == (
        6,
        3,
        2,
        2,
    )
    assert everything.no_match == 1
    assert (everything.resolutions, everything.ratings) == (1, 4)
    assert everything.mean_rating == pytest.approx(12 / 4) and everything.csat == pytest.approx(2 / 4)

    mehr_first = await store.stats(*day_bounds("1405-07-01", "1405-07-01"))
    assert (mehr_first.questions, mehr_first.answered, mehr_first.did_you_mean, mehr_first.unanswered) == (
        3,
        0,
        2,
        2,
    )
    assert (mehr_first.no_match, mehr_first.ratings, mehr_first.mean_rating, mehr_first.csat) == (
        1,
        2,
        3.0,
        0.5,
    )
    assert (mehr_first.corrections, mehr_first.suggestions) == (0, 1)  # the choice is a suggestion
    assert mehr_first.resolutions == 1

    across = await store.stats(*day_bounds("1405-06-31", "1405-07-01"))
    assert (across.questions, across.answered, across.did_you_mean, across.unanswered) == (4, 1, 2, 2)
    assert (
        across.ratings == 3
        and across.mean_rating == pytest.approx(11 / 3)
        and across.csat == pytest.approx(2 / 3)
    )

    bale = await store.stats(platform="bale")
    assert (bale.questions, bale.did_you_mean, bale.resolutions, bale.ratings, bale.csat) == (1, 1, 1, 2, 0.5)

    empty = await store.stats(at("2030-01-01T00:00"), at("2030-02-01T00:00"))
    assert (empty.questions, empty.unanswered, empty.ratings, empty.mean_rating, empty.csat) == (
        0,
        0,
        0,
        None,
        None,
    )


def test_stats_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sabtyar.db"

    async def prepare() -> None:
        async with await Store.open(path) as store:
            await seed(store)

    asyncio.run(prepare())
    jalali = stats_main(path, "1405-07-01", "1405-07-01")
    assert list(jalali)[:7] == [  # the fixed keys, in order; later keys are only added
        "questions",
        "answered",
        "did_you_mean",
        "unanswered",
        "ratings",
        "mean_rating",
        "csat",
    ]
    assert {key: jalali[key] for key in list(jalali)[:14]} == {
        "questions": 3,
        "answered": 0,
        "did_you_mean": 2,
        "unanswered": 2,
        "ratings": 2,
        "mean_rating": 3.0,
        "csat": 0.5,
        "resolved": 1,
        "answer_rate": 0.3333,
        "delivered": 0,  # no update of the seed was handled by the bot
        "corrections": 0,
        "suggestions": 1,
        "suggestions_accepted": 0,
        "suggestions_rejected": 0,
    }
    assert jalali == stats_main(path, "2026-09-23", "2026-09-23")
    assert stats_main(path, None, None)["questions"] == 6

    assert run_cli(["stats", "--json", "--from", "1405-07-01", "--to", "1405-07-01"], store_path=path) == 0
    assert json.loads(capsys.readouterr().out) == jalali
    assert run_cli(["stats", "--json", "--from", "1405-13-01"], store_path=path) == 2
    assert run_cli(["stats", "--json"], store_path=tmp_path / "missing.db") == 1
    assert not (tmp_path / "missing.db").exists()


# Retention and privacy ------------------------------------------------------------------------


async def test_purge_blanks_old_text_and_keeps_figures(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    secret_text = "متن قدیمی یک شهروند درباره ازدواج"
    async with await Store.open(path) as store:
        old = await store.record_question(question(text=secret_text, asked_at=at("2026-01-01T08:00")))
        await store.record_question(question(text="سوال تازه", asked_at=at("2026-06-01T08:00")))
        event = await store.record_answer_event(
            user_hash=ALI, platform="telegram", entry_id="a", via="direct", question_id=old
        )
        await store.record_rating(event, ALI, 1, at=at("2026-01-01T08:01"))
        await store.record_comment(event, ALI, "توضیح محرمانه قدیمی", at=at("2026-01-01T08:02"))
        before = await store.stats()
        assert await store.purge_raw_text(at("2026-03-01T00:00")) == 2
        assert await store.purge_raw_text(at("2026-03-01T00:00")) == 0
        assert await store.stats() == before
    assert rows(path, "SELECT text FROM questions ORDER BY id") == [(None,), ("سوال تازه",)]
    assert rows(path, "SELECT score, comment FROM ratings") == [(1, None)]
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert secret_text.encode() not in data and "توضیح محرمانه".encode() not in data


async def test_no_raw_user_id_in_database_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    raw_ids = {("telegram", 7364918205), ("bale", 8123456790), ("telegram", 5550001234)}
    async with await Store.open(path) as store:
        for number, (platform, user_id) in enumerate(sorted(raw_ids)):
            user = HASHER(platform, user_id)
            qid = await store.record_question(question(user=user, platform=platform, update_id=number))
            event = await store.record_answer_event(
                user_hash=user, platform=platform, entry_id="a", via="direct", question_id=qid
            )
            await store.record_rating(event, user, 3)
            await store.subscribe(user, platform, user_id)  # private chats: chat id == user id
            await store.unsubscribe(user)
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for _, user_id in raw_ids:
        assert str(user_id).encode() not in data
        assert user_id.to_bytes(6, "big") not in data  # SQLite's integer encoding for these values


# Durability -----------------------------------------------------------------------------------

CHILD = """
import asyncio, sys
from bot.store import Store, UserHasher

async def main(path):
    user = UserHasher("durability-test-secret")("telegram", 1)
    store = await Store.open(path)
    for n in range(100000):
        event = await store.record_answer_event(user_hash=user, platform="telegram", entry_id="a", via="menu")
        rating = await store.record_rating(event, user, n % 5 + 1)
        print(rating, event, n % 5 + 1, flush=True)  # the citizen is thanked now

asyncio.run(main(sys.argv[1]))
"""


async def test_sigkill_loses_no_thanked_rating(tmp_path: Path) -> None:
    path = tmp_path / "burst.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    printed = [child.stdout.readline() for _ in range(150)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    printed += child.stdout.read().splitlines(keepends=True)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    thanked = [tuple(map(int, line.split())) for line in printed if line.endswith("\n")]
    assert len(thanked) >= 150
    user = UserHasher("durability-test-secret")("telegram", 1)
    async with await Store.open(path) as store:
        for rating_id, event, score in thanked:
            assert await store.rating(event, user) == score, rating_id
        assert (await store.stats()).ratings >= len(thanked)


async def test_a_pressed_alternative_is_a_correction_and_a_suggestion_not_a_rating(store: Store) -> None:
    event = dataclasses.replace(
        question(candidates=("smartcard-lost", "birthcert-duplicate", "smartcard-pin")),
        alternatives=("birthcert-duplicate", "smartcard-pin"),
    )
    question_id = await store.record_question(event)
    shown = await store.record_correction(
        question_id, "birthcert-duplicate", user_hash=ALI, platform="telegram"
    )
    again = await store.record_correction(
        question_id, "birthcert-duplicate", user_hash=ALI, platform="telegram"
    )
    assert shown != again  # each press shows the answer again, one correction is kept
    assert await store.offered_beside_answer(question_id, ALI) == ("birthcert-duplicate", "smartcard-pin")
    for entry, user in (("smartcard-lost", ALI), ("baby-name", ALI), ("smartcard-pin", SARA)):
        with pytest.raises(Refused):  # the answer itself, an entry never offered, another citizen
            await store.record_correction(question_id, entry, user_hash=user, platform="telegram")
    stats = await store.stats()
    assert (stats.corrections, stats.suggestions, stats.ratings, stats.answered) == (1, 1, 0, 1)
    await store.close()
    assert rows(store.path, "SELECT from_entry, to_entry, kind FROM corrections") == [
        ("smartcard-lost", "birthcert-duplicate", "alternative")
    ]
    assert rows(store.path, "SELECT via FROM answer_events") == [("alternative",), ("alternative",)]
    assert rows(store.path, "SELECT entry_id, status FROM suggestions") == [
        ("birthcert-duplicate", "pending")
    ]


async def test_the_other_part_of_a_two_part_question_is_not_a_correction(store: Store) -> None:
    event = dataclasses.replace(
        question(candidates=("smartcard-lost", "birthcert-replace")),
        alternatives=("birthcert-replace",),
        parts=("smartcard-lost", "birthcert-replace"),
    )
    question_id = await store.record_question(event)
    await store.record_correction(question_id, "birthcert-replace", user_hash=ALI, platform="telegram")
    stats = await store.stats()
    assert (stats.corrections, stats.suggestions) == (0, 0)
    await store.close()
    assert rows(store.path, "SELECT kind FROM corrections") == [("part",)]
    assert rows(store.path, "SELECT parts FROM questions") == [('["smartcard-lost", "birthcert-replace"]',)]


async def test_item13_the_database_its_wal_and_folder_are_private(tmp_path: Path) -> None:
    """Issue 14, item 13: no world-readable personal data, whatever the umask."""
    old_umask = os.umask(0o022)
    try:
        folder = tmp_path / "data"
        store = await Store.open(folder / "sabtyar.db")
        try:
            await store.record_question(question())
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            assert {"sabtyar.db", "sabtyar.db-wal", "sabtyar.db-shm"} <= set(modes)
            assert set(modes.values()) == {0o600}, modes
        finally:
            await store.close()
        loose = tmp_path / "old.db"  # an existing database from an older version is tightened
        loose.touch(mode=0o644)
        loose.chmod(0o644)
        store = await Store.open(loose)
        await store.close()
        assert stat.S_IMODE(loose.stat().st_mode) == 0o600
        settings = replace(Settings(), store=StoreSettings(tmp_path / "fresh" / "sabtyar.db"))
        user_hash_secret(settings)
        secret_file = tmp_path / "fresh" / "sabtyar.db.hash-secret"
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(secret_file.parent.stat().st_mode) == 0o700
    finally:
        os.umask(old_umask)


async def test_a_close_whose_optimize_is_refused_still_closes_the_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PRAGMA optimize`` fails at once when another process wrote meanwhile (a group stopping):
    the connection then stayed open and its WAL was never checkpointed into the file."""
    path = tmp_path / "sabtyar.db"
    store = await Store.open(path)
    await store.record_question(question(update_id=1))
    wal = path.with_name("sabtyar.db-wal")
    assert wal.exists() and wal.stat().st_size > 0
    execute = store._db.execute

    def refused(sql: str, *args: Any) -> Any:
        if sql == "PRAGMA optimize":
            raise sqlite3.OperationalError("database is locked")
        return execute(sql, *args)

    monkeypatch.setattr(store._db, "execute", refused)
    await store.close()
    assert not wal.exists() or wal.stat().st_size == 0  # closed: the WAL is in the file
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone() == (1,)
