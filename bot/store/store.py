"""The event store: one aiosqlite connection, all the SQL, every write a ``BEGIN IMMEDIATE`` transaction.

Durability: WAL with ``synchronous=NORMAL`` for the question log, so a commit is in the WAL file
(the OS keeps it even if the process is SIGKILLed) and only a power cut or kernel crash can lose
the last few questions. Ratings, comments and subscription changes, which the citizen is thanked
or confirmed for, commit with ``synchronous=FULL``: the WAL is fsynced before the call returns,
so they survive a power cut too. Callers send the thank-you only after the awaited call returned.

Every write checks its arguments first (platforms, user hashes, scores) and forged or foreign
requests raise ``Refused`` before anything changes (the errors: ``errors.py``). A citizen's
events (questions, answers shown, choices, ratings, comments) are records with their own SQL
(``events.py``), so a write the database cannot take now can wait in the spool and be made later.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiosqlite

from bot.store.backup import backup_before_migrations
from bot.store.errors import Refused, SchemaError, StoreError, StoreUnavailable, check_user, row_id, utc_text
from bot.store.events import Asked, Chosen, Commented, Corrected, Rated, Shown
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.records import Purpose, QuestionEvent, Subscriber, Via
from bot.store.stats import SATISFIED, Stats

__all__ = [
    "Refused",
    "SchemaError",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "check_user",
    "row_id",
    "run_on_existing_store",
    "utc_text",
]

T = TypeVar("T")

#: The first and the longest pause between two attempts while another process holds the database.
_FIRST_PAUSE = 0.005
_LONGEST_PAUSE = 0.1
_PURPOSES: dict[str, tuple[str, str]] = {
    "subscription": ("for_subscription", "for_handoff"),
    "handoff": ("for_handoff", "for_subscription"),
}


def _private_file(path: Path) -> None:
    """Make ``path`` readable by its owner only before SQLite opens it: a new folder 0700, the
    database 0600 (SQLite gives its ``-wal`` and ``-shm`` files the database's mode), existing
    files tightened to 0600. Citizens' questions are personal data."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):  # gone, or not ours to change: SQLite will say so
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """Another connection holds the database (worth waiting for), as opposed to a refusal."""
    text = str(error)
    return "locked" in text or "busy" in text


def _in_transaction[R](db: sqlite3.Connection, work: Callable[[sqlite3.Connection], R]) -> R:
    """``work`` inside ``BEGIN IMMEDIATE``/``COMMIT``, rolled back on any error (also a failed
    commit, so a full disk never leaves the connection inside a transaction)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return result


class Store:
    """Owns one connection; open with ``await Store.open(path)``, close with ``await store.close()``.

    Never waits on the database while holding the connection: SQLite's own busy timeout is 0, and
    a call that finds the database locked by another process lets go of the connection and tries
    again a moment later (``_patiently``), for up to ``busy_timeout_ms``; meanwhile every other
    call (a reply's write that defers at once, a read) goes on. A write that must not wait at all
    (``write_now``) is ``StoreUnavailable`` at once."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._lock = asyncio.Lock()
        self._closed = False
        self._busy_timeout_ms = 5000

    @classmethod
    async def open(
        cls, path: Path | str, *, migrations: Sequence[Migration] = MIGRATIONS, busy_timeout_ms: int = 5000
    ) -> Self:
        """Connect, set the pragmas and apply the migrations not yet applied."""
        path = Path(path)
        _private_file(path)
        # The loop thread runs short statements itself (see ``_run``), so the connection is shared
        # with aiosqlite's thread; the store's lock keeps them from ever overlapping.
        db = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        store = cls(db, path)
        store._busy_timeout_ms = int(busy_timeout_ms)
        try:
            await db.execute("PRAGMA busy_timeout = 0")  # waits are the store's, off the connection
            mode = await store._run(lambda conn: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot use WAL journaling (got {mode!r})")
            for pragma in ("synchronous = NORMAL", "foreign_keys = ON", "secure_delete = ON"):
                await db.execute(f"PRAGMA {pragma}")
            await store._migrate(migrations)
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Close the connection (the last one checkpoints the WAL into the file); idempotent.

        ``PRAGMA optimize`` first, where the database allows: it fails at once ("database is
        locked") when another process wrote since its read began (the workers of a group stop
        together), and then the connection is closed all the same (it used to stay open, its WAL
        never checkpointed)."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(sqlite3.OperationalError):  # an optimisation only
                await self._db.execute("PRAGMA optimize")
            await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; ``durable`` fsyncs the WAL at commit.

        With :meth:`rows` and :meth:`scalar`, what the store's noun modules (``handoffs``,
        ``announcements``, ``curation``, ``reporting``) write and read through: the same
        connection and lock as the store's own methods. While another process holds the
        database, the wait for it (up to the busy timeout, then ``StoreUnavailable``) holds
        neither the lock nor the connection."""

        def begin(db: sqlite3.Connection) -> None:
            if durable:
                db.execute("PRAGMA synchronous = FULL")
            try:
                db.execute("BEGIN IMMEDIATE")
            except BaseException:
                if durable:
                    db.execute("PRAGMA synchronous = NORMAL")
                raise

        await self._patiently(begin, keep_lock=True)
        try:
            try:
                yield self._db
                await self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # also after a failed COMMIT (disk full)
                    await self._db.execute("ROLLBACK")
                raise
            finally:
                if durable:
                    await self._db.execute("PRAGMA synchronous = NORMAL")
        finally:
            self._lock.release()

    async def write_now(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in one write transaction in the loop thread, never waiting for a lock:
        ``StoreUnavailable`` at once when another writer holds the database (the inbox and the
        question log must never keep a reply or a poll waiting)."""
        return await self._run(work, write=True, patient=False)

    def write_at_once(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in one write transaction right now, without awaiting anything: for a hook that
        cannot wait (an update's end). ``StoreUnavailable`` when the connection is in use by a
        transaction that awaits, or another writer holds the database."""
        if self._lock.locked() or self._closed:
            raise StoreUnavailable("the connection is busy")
        try:
            return _in_transaction(self._db._conn, work)
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error

    async def _run(
        self,
        work: Callable[[sqlite3.Connection], T],
        *,
        write: bool = False,
        durable: bool = False,
        patient: bool = True,
    ) -> T:
        """Run ``work`` as one call in the loop thread: under load every ``await`` of a statement
        on aiosqlite's thread waits for an event-loop turn and a GIL hand-off while the lock is
        held (measured: 50 ms per question with 10 concurrent citizens), so the hot paths
        (questions, answers shown, choices, ratings, reads) run their whole transaction at once
        (about 0.1 ms), and SQLite never waits inside it (busy timeout 0).

        ``write`` wraps it in ``BEGIN IMMEDIATE``/``COMMIT`` (rolled back on any error, also a
        failed commit, so a full disk never leaves the connection inside a transaction);
        ``durable`` fsyncs the WAL at commit, as :meth:`transaction` does. ``patient``: while
        another process holds the database, tried again until the busy timeout
        (``_patiently``); else ``StoreUnavailable`` at once.
        """

        def job(db: sqlite3.Connection) -> T:
            if not write:
                return work(db)
            if durable:
                db.execute("PRAGMA synchronous = FULL")
            try:
                return _in_transaction(db, work)
            finally:
                if durable:
                    db.execute("PRAGMA synchronous = NORMAL")

        if patient:
            return await self._patiently(job)
        async with self._lock:
            try:
                return job(self._connection())
            except sqlite3.OperationalError as error:
                raise StoreUnavailable(str(error)) from error

    def _connection(self) -> sqlite3.Connection:
        """The open connection (call with the lock held); ``StoreError`` once closed."""
        if self._closed:
            raise StoreError("the store is closed")
        return self._db._conn

    async def _patiently(self, job: Callable[[sqlite3.Connection], T], *, keep_lock: bool = False) -> T:
        """``job`` under the lock; while the database is locked by another process (``busy``,
        ``locked``), the lock is let go and ``job`` tried again after a growing pause (5 to 100
        ms) until the busy timeout, then ``StoreUnavailable``. Any other ``OperationalError``
        (read-only, disk full, I/O) is ``StoreUnavailable`` at once. ``keep_lock``: returns with
        the lock still held (the caller releases it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy_timeout_ms / 1000
        pause = _FIRST_PAUSE
        while True:
            await self._lock.acquire()
            try:
                result = job(self._connection())
            except sqlite3.OperationalError as error:
                self._lock.release()
                if not _is_busy(error) or loop.time() >= deadline:
                    raise StoreUnavailable(str(error)) from error
            except BaseException:
                self._lock.release()
                raise
            else:
                if not keep_lock:
                    self._lock.release()
                return result
            await asyncio.sleep(min(pause, max(0.0, deadline - loop.time())))
            pause = min(pause * 2, _LONGEST_PAUSE)

    async def scalar(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """The first column of the first row, or ``None``."""
        async with self._db.execute(sql, parameters) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    async def rows(
        self, sql: str, parameters: Sequence[object] | Mapping[str, object] = ()
    ) -> list[tuple[Any, ...]]:
        return await self._run(lambda db: db.execute(sql, parameters).fetchall())

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        names = [migration.name for migration in migrations]
        if len(set(names)) != len(names):
            raise SchemaError(f"duplicate migration names in {names}")
        async with self.transaction():
            await self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        applied = {name for (name,) in await self.rows("SELECT name FROM schema_migrations")}
        unknown = sorted(applied - set(names))
        if unknown:
            raise SchemaError(f"{self.path} has migrations this code does not know: {', '.join(unknown)}")
        pending = [migration.name for migration in migrations if migration.name not in applied]
        if pending and applied:  # an upgrade of a database in use: keep a copy to roll back to
            await self._db.execute("VACUUM INTO ?", (str(backup_before_migrations(self.path, pending[0])),))
        for migration in migrations:
            async with self.transaction() as db:
                if await self.scalar("SELECT 1 FROM schema_migrations WHERE name = ?", (migration.name,)):
                    continue
                for statement in migration.statements:
                    await db.execute(statement)
                await db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?)", (migration.name, utc_text(None))
                )

    async def applied_migrations(self) -> list[tuple[str, str]]:
        """``(name, applied_at)`` of every migration applied, oldest first."""
        rows = await self.rows("SELECT name, applied_at FROM schema_migrations ORDER BY applied_at, rowid")
        return [(name, at) for name, at in rows]

    # Questions and answers ---------------------------------------------------------------------

    async def record_question(self, event: QuestionEvent) -> int:
        """Store a question (masked); a replay of the same update returns the first row's id."""
        return int(await self._run(Asked.of(event).apply, write=True))

    async def record_answer_event(
        self,
        *,
        user_hash: str,
        platform: str,
        entry_id: str,
        via: Via,
        question_id: int | None = None,
        update_id: int | None = None,
        key: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """Record an answer shown (its id goes into the rating buttons); idempotent per update
        (``key``, the update's generated key, is the event's id)."""
        shown = Shown.of(
            user_hash=user_hash,
            platform=platform,
            entry_id=entry_id,
            via=via,
            question_id=question_id,
            key=key,
            update_id=update_id,
            at=at,
        )
        return int(await self._run(shown.apply, write=True))

    async def record_choice(
        self,
        question_id: int,
        entry_id: str,
        *,
        user_hash: str,
        platform: str,
        update_id: int | None = None,
        key: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """Resolve a "did you mean" question by the citizen's choice; returns the answer event id.

        Refused unless the question is the citizen's own and ``entry_id`` was one of its choices.
        A later choice replaces the resolution (one per question).
        """
        shown = Shown.of(
            user_hash=user_hash,
            platform=platform,
            entry_id=entry_id,
            via="choice",
            question_id=question_id,
            key=key,
            update_id=update_id,
            at=at,
        )
        return int(await self._run(Chosen.of(question_id, entry_id, shown).apply, write=True))

    async def record_correction(
        self,
        question_id: int,
        entry_id: str,
        *,
        user_hash: str,
        platform: str,
        update_id: int | None = None,
        key: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """The citizen pressed ``entry_id`` under an answer: an alternative (a correction of the
        engine's first entry) or the other part of a two-part question; returns the answer event id.

        Refused unless the question is the citizen's own, was answered, and offered ``entry_id``
        besides its answer. A correction is not a rating; it also becomes a suggested phrasing.
        """
        shown = Shown.of(
            user_hash=user_hash,
            platform=platform,
            entry_id=entry_id,
            via="alternative",
            question_id=question_id,
            key=key,
            update_id=update_id,
            at=at,
        )
        return int(await self._run(Corrected.of(question_id, entry_id, shown).apply, write=True))

    async def offered_beside_answer(self, question_id: int, user_hash: str) -> tuple[str, ...] | None:
        """The entries an answered question of ``user_hash`` offered besides its answer, else ``None``."""
        try:
            question_id = row_id(question_id)
        except Refused:
            return None
        rows = await self.rows(
            "SELECT alternatives FROM questions WHERE id = ? AND user_hash = ? AND alternatives IS NOT NULL",
            (question_id, user_hash),
        )
        return tuple(json.loads(rows[0][0])) if rows else None

    async def answer_event_owner(self, event_id: int) -> str | None:
        """The user hash an answer was shown to, or ``None`` for an unknown id."""
        try:
            event_id = row_id(event_id)
        except Refused:
            return None
        rows = await self.rows("SELECT user_hash FROM answer_events WHERE id = ?", (event_id,))
        return rows[0][0] if rows else None

    async def question_owner(self, question_id: int) -> str | None:
        """The user hash that asked a question, or ``None`` for an unknown id."""
        try:
            question_id = row_id(question_id)
        except Refused:
            return None
        rows = await self.rows("SELECT user_hash FROM questions WHERE id = ?", (question_id,))
        return rows[0][0] if rows else None

    async def offered_choices(self, question_id: int, user_hash: str) -> tuple[str, ...] | None:
        """The entries a "did you mean" question of ``user_hash`` offered, else ``None``."""
        try:
            question_id = row_id(question_id)
        except Refused:
            return None
        rows = await self.rows(
            "SELECT candidates FROM questions WHERE id = ? AND user_hash = ? AND outcome = 'did_you_mean'",
            (question_id, user_hash),
        )
        return tuple(json.loads(rows[0][0])) if rows else None

    async def shown_entry(self, event_id: int, user_hash: str) -> str | None:
        """The entry an answer event of ``user_hash`` showed, else ``None`` (unknown or foreign id)."""
        try:
            event_id = row_id(event_id)
        except Refused:
            return None
        rows = await self.rows(
            "SELECT entry_id FROM answer_events WHERE id = ? AND user_hash = ?", (event_id, user_hash)
        )
        return rows[0][0] if rows else None

    # Ratings -----------------------------------------------------------------------------------

    async def record_rating(
        self, answer_event_id: int, user_hash: str, score: int, *, at: datetime | None = None
    ) -> int:
        """Rate an answer shown to ``user_hash`` (1..5); a second press changes it. Durable on return."""
        rated = Rated.of(answer_event_id, user_hash, score, at)
        return int(await self._run(rated.apply, write=True, durable=True))

    async def record_comment(
        self, answer_event_id: int, user_hash: str, comment: str, *, at: datetime | None = None
    ) -> bool:
        """Attach a (masked) comment to the citizen's rating; ``False`` if there is no such rating."""
        commented = Commented.of(answer_event_id, user_hash, comment, at)
        return bool(await self._run(commented.apply, write=True, durable=True))

    async def rating(self, answer_event_id: int, user_hash: str) -> int | None:
        """The score the citizen gave an answer, if any."""
        rows = await self.rows(
            "SELECT score FROM ratings WHERE answer_event_id = ? AND user_hash = ?",
            (answer_event_id, user_hash),
        )
        return rows[0][0] if rows else None

    # Subscriptions and contacts ----------------------------------------------------------------

    async def subscribe(
        self, user_hash: str, platform: str, chat_id: int, *, at: datetime | None = None
    ) -> bool:
        """Subscribe a citizen to announcements; ``True`` if they were not subscribed.

        Delivering needs the chat id, so it is kept in ``contacts``: the one place a messenger id
        lives, only while the citizen is subscribed or waits for a staff reply to a handoff, and
        deleted (overwritten, ``secure_delete``) when neither holds.
        """
        check_user(user_hash, platform)
        now = utc_text(at)
        async with self.transaction(durable=True) as db:
            was = await self.scalar("SELECT subscribed FROM subscriptions WHERE user_hash = ?", (user_hash,))
            await db.execute(
                "INSERT INTO subscriptions (user_hash, platform, subscribed, created_at, updated_at)"
                " VALUES (?, ?, 1, ?, ?) ON CONFLICT (user_hash) DO UPDATE SET subscribed = 1,"
                " platform = excluded.platform, updated_at = excluded.updated_at",
                (user_hash, platform, now, now),
            )
            await self._hold(user_hash, platform, int(chat_id), "subscription", now)
            return not was

    async def unsubscribe(self, user_hash: str, *, at: datetime | None = None) -> bool:
        """Unsubscribe (also for users who blocked the bot); ``True`` if they were subscribed."""
        check_user(user_hash)
        now = utc_text(at)
        async with self.transaction(durable=True) as db:
            cursor = await db.execute(
                "UPDATE subscriptions SET subscribed = 0, updated_at = ?"
                " WHERE user_hash = ? AND subscribed = 1",
                (now, user_hash),
            )
            await self._release(user_hash, "subscription", now)
            return cursor.rowcount == 1

    async def is_subscribed(self, user_hash: str) -> bool:
        rows = await self.rows("SELECT subscribed FROM subscriptions WHERE user_hash = ?", (user_hash,))
        return bool(rows and rows[0][0])

    async def subscribers(self, platform: str) -> list[Subscriber]:
        """Everyone subscribed on ``platform``, with the chat to deliver to."""
        rows = await self.rows(
            "SELECT s.user_hash, c.chat_id FROM subscriptions s JOIN contacts c USING (user_hash)"
            " WHERE s.subscribed = 1 AND s.platform = ? ORDER BY s.created_at",
            (platform,),
        )
        return [Subscriber(user_hash, chat_id) for user_hash, chat_id in rows]

    async def hold_contact(self, user_hash: str, platform: str, chat_id: int, purpose: Purpose) -> None:
        """Keep the chat id for ``purpose`` (``handoff``: until the staff reply is delivered)."""
        check_user(user_hash, platform)
        async with self.transaction(durable=True):
            await self._hold(user_hash, platform, int(chat_id), purpose, utc_text(None))

    async def release_contact(self, user_hash: str, purpose: Purpose) -> None:
        """Drop ``purpose``; the chat id is deleted when no purpose is left."""
        async with self.transaction(durable=True):
            await self._release(user_hash, purpose, utc_text(None))

    async def contact(self, user_hash: str) -> int | None:
        """The chat id to reach a citizen, while a purpose keeps it."""
        rows = await self.rows("SELECT chat_id FROM contacts WHERE user_hash = ?", (user_hash,))
        return rows[0][0] if rows else None

    async def _hold(self, user_hash: str, platform: str, chat_id: int, purpose: str, now: str) -> None:
        column, _ = _PURPOSES[purpose]
        await self._db.execute(
            f"INSERT INTO contacts (user_hash, platform, chat_id, {column}, updated_at)"
            " VALUES (?, ?, ?, 1, ?) ON CONFLICT (user_hash) DO UPDATE SET platform = excluded.platform,"
            f" chat_id = excluded.chat_id, {column} = 1, updated_at = excluded.updated_at",
            (user_hash, platform, chat_id, now),
        )

    async def _release(self, user_hash: str, purpose: str, now: str) -> None:
        column, other = _PURPOSES[purpose]
        await self._db.execute(f"DELETE FROM contacts WHERE user_hash = ? AND {other} = 0", (user_hash,))
        await self._db.execute(
            f"UPDATE contacts SET {column} = 0, updated_at = ? WHERE user_hash = ?", (now, user_hash)
        )

    # Figures and retention ---------------------------------------------------------------------

    async def stats(
        self, start: datetime | None = None, end: datetime | None = None, *, platform: str | None = None
    ) -> Stats:
        """Figures for questions asked, and ratings first given, in ``[start, end)``."""
        period = {
            "lo": utc_text(start) if start else "",
            "hi": utc_text(end) if end else "\uffff",
            "platform": platform,
        }
        [(questions, answered, offered, no_match)] = await self.rows(
            "SELECT count(*), coalesce(sum(outcome = 'answer'), 0),"
            " coalesce(sum(outcome = 'did_you_mean'), 0), coalesce(sum(outcome = 'no_match'), 0)"
            " FROM questions WHERE asked_at >= :lo AND asked_at < :hi"
            " AND (:platform IS NULL OR platform = :platform)",
            period,
        )
        [(resolutions,)] = await self.rows(
            "SELECT count(*) FROM resolutions r JOIN questions q ON q.id = r.question_id"
            " WHERE q.asked_at >= :lo AND q.asked_at < :hi AND (:platform IS NULL OR q.platform = :platform)",
            period,
        )
        [(ratings, mean, satisfied)] = await self.rows(
            f"SELECT count(*), avg(r.score), coalesce(sum(r.score >= {SATISFIED}), 0) FROM ratings r"
            " JOIN answer_events e ON e.id = r.answer_event_id WHERE r.rated_at >= :lo AND r.rated_at < :hi"
            " AND (:platform IS NULL OR e.platform = :platform)",
            period,
        )
        [(corrections,)] = await self.rows(
            "SELECT count(*) FROM corrections c JOIN questions q ON q.id = c.question_id"
            " WHERE c.kind = 'alternative' AND q.asked_at >= :lo AND q.asked_at < :hi"
            " AND (:platform IS NULL OR q.platform = :platform)",
            period,
        )
        suggested = dict(
            await self.rows(
                "SELECT s.status, count(*) FROM suggestions s JOIN questions q ON q.id = s.question_id"
                " WHERE q.asked_at >= :lo AND q.asked_at < :hi"
                " AND (:platform IS NULL OR q.platform = :platform) GROUP BY s.status",
                period,
            )
        )
        return Stats(
            questions=questions,
            corrections=corrections,
            suggestions=sum(suggested.values()),
            suggestions_accepted=suggested.get("accepted", 0),
            suggestions_rejected=suggested.get("rejected", 0),
            answered=answered,
            did_you_mean=offered,
            unanswered=questions - answered - resolutions,
            resolutions=resolutions,
            no_match=no_match,
            ratings=ratings,
            mean_rating=mean if ratings else None,
            csat=satisfied / ratings if ratings else None,
        )

    async def purge_raw_text(self, older_than: datetime) -> int:
        """Blank question texts and comments older than ``older_than``, keeping every row and figure.

        Returns the number of texts blanked. The freed bytes are zeroed (``secure_delete``) and
        the WAL is checkpointed and truncated so the old text does not linger in it.
        """
        cutoff = utc_text(older_than)
        async with self.transaction() as db:
            questions = await db.execute(
                "UPDATE questions SET text = NULL WHERE asked_at < ? AND text IS NOT NULL", (cutoff,)
            )
            comments = await db.execute(
                "UPDATE ratings SET comment = NULL WHERE updated_at < ? AND comment IS NOT NULL", (cutoff,)
            )
            blanked = questions.rowcount + comments.rowcount
        # the result read, so no statement stays open on the connection
        async with self._lock, self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            await cursor.fetchall()
        return blanked


class NoDatabase(FileNotFoundError):
    """There is no database at the path (``filename``) an offline command was given."""


def run_on_existing_store[R](path: Path | str, work: Callable[[Store], Awaitable[R]]) -> R:
    """``work``'s result on the database at ``path``, in an event loop of its own (the CLI's
    offline commands). Never creates a database: ``FileNotFoundError`` when there is none; any
    SQLite failure is a :class:`StoreError`."""
    if not Path(path).is_file():
        raise NoDatabase(errno.ENOENT, "no sabtyar database", str(path))

    async def run() -> R:
        async with await Store.open(path) as store:
            return await work(store)

    try:
        return asyncio.run(run())
    except sqlite3.Error as error:  # the store owns its SQLite errors
        raise StoreError(f"{path}: {error}") from error
