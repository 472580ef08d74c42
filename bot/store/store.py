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
import functools
import json
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiosqlite

from bot.store.database.backup import backup_before_migrations
from bot.store.database.files import WalFiles, file_id, move_aside, restore_shm_size, wal_files
from bot.store.database.migrations import MIGRATIONS, Migration
from bot.store.errors import Refused, SchemaError, StoreError, StoreUnavailable, check_user, row_id, utc_text
from bot.store.events import Asked, Chosen, Commented, Corrected, Rated, Shown
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

_LOG = logging.getLogger("sabtyar.store")
#: Seconds between two looks at the database file (``Store.keep``).
KEEP_SECONDS = 1.0
#: Seconds a start gives the database to take a write before it says it does not (the other
#: processes of a group write for a moment at their start too).
_START_PROBE_SECONDS = 1.0

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


#: SQLite's primary result codes of a database that cannot be used now (read-only, I/O, full, cannot
#: open, locking protocol), as opposed to a mistake in the SQL.
_UNUSABLE_CODES = frozenset({8, 10, 13, 14, 15})


def _cannot_be_used(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _UNUSABLE_CODES
    return any(word in str(error) for word in ("readonly", "disk", "I/O", "unable to open"))


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


async def _connect(path: Path, migrations: Sequence[Migration], busy_timeout_ms: int) -> aiosqlite.Connection:
    """A connection to ``path`` with the pragmas set and the migrations applied (a database that
    is not there is created). While another process holds the database, tried again until the
    busy timeout (``StoreUnavailable``); a database whose migrations are all applied is only
    read, so a start while another process holds it opens it all the same."""
    _private_file(path)
    # The loop thread runs short statements itself (see ``Store._run``), so the connection is
    # shared with aiosqlite's thread; the store's lock keeps them from ever overlapping.
    db = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
    try:
        db._conn.execute("PRAGMA busy_timeout = 0").fetchall()  # waits are the store's, off the connection
        mode = await _retrying(
            db, busy_timeout_ms, lambda c: c.execute("PRAGMA journal_mode = WAL").fetchall()[0][0]
        )
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: cannot use WAL journaling (got {mode!r})")
        for pragma in ("synchronous = NORMAL", "foreign_keys = ON", "secure_delete = ON"):
            db._conn.execute(f"PRAGMA {pragma}").fetchall()
        await _migrate(db, path, migrations, busy_timeout_ms)
    except BaseException:
        await db.close()
        raise
    return db


async def _retrying[R](
    db: aiosqlite.Connection, busy_timeout_ms: int, job: Callable[[sqlite3.Connection], R]
) -> R:
    """``job`` on the bare connection in the loop thread, tried again while the database is busy;
    ``StoreUnavailable`` when it stays busy or cannot be used (read-only, full, I/O); any other
    error (a broken migration) as it is."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + busy_timeout_ms / 1000, _FIRST_PAUSE
    while True:
        try:
            return job(db._conn)
        except sqlite3.OperationalError as error:
            if not _is_busy(error) and not _cannot_be_used(error):
                raise
            if not _is_busy(error) or loop.time() >= deadline:
                raise StoreUnavailable(str(error)) from error
        await asyncio.sleep(min(pause, max(0.0, deadline - loop.time())))
        pause = min(pause * 2, _LONGEST_PAUSE)


def _applied(db: sqlite3.Connection) -> set[str] | None:
    """The migrations applied, ``None`` on a database that never had any."""
    if not db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone():
        return None
    return {name for (name,) in db.execute("SELECT name FROM schema_migrations")}


async def _migrate(
    db: aiosqlite.Connection, path: Path, migrations: Sequence[Migration], busy_timeout_ms: int
) -> None:
    names = [migration.name for migration in migrations]
    if len(set(names)) != len(names):
        raise SchemaError(f"duplicate migration names in {names}")
    applied = await _retrying(db, busy_timeout_ms, _applied)
    unknown = sorted((applied or set()) - set(names))
    if unknown:
        raise SchemaError(f"{path} has migrations this code does not know: {', '.join(unknown)}")
    pending = [migration for migration in migrations if migration.name not in (applied or set())]
    if not pending:
        return
    if applied is None:

        def create(conn: sqlite3.Connection) -> None:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )

        await _retrying(db, busy_timeout_ms, lambda conn: _in_transaction(conn, create))
    elif applied and not any(path.parent.glob(f"{path.name}.before-{pending[0].name}-*")):
        # an upgrade of a database in use: keep a copy to roll back to (once: a start that could
        # not take the migrations, the database locked, tries again every second)
        await db.execute("VACUUM INTO ?", (str(backup_before_migrations(path, pending[0].name)),))
    for migration in pending:
        await _retrying(db, busy_timeout_ms, functools.partial(_apply_migration, migration))


def _apply_migration(migration: Migration, conn: sqlite3.Connection) -> None:
    """``migration`` and the row that records it, in one transaction (unless another process
    applied it meanwhile)."""

    def apply(db: sqlite3.Connection) -> None:
        if db.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (migration.name,)).fetchall():
            return
        for statement in migration.statements:
            db.execute(statement)
        db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (migration.name, utc_text(None)))

    _in_transaction(conn, apply)


class Store:
    """Owns one connection; open with ``await Store.open(path)``, close with ``await store.close()``.

    Never waits on the database while holding the connection: SQLite's own busy timeout is 0, and
    a call that finds the database locked by another process lets go of the connection and tries
    again a moment later (``_patiently``), for up to ``busy_timeout_ms``; meanwhile every other
    call (a reply's write that defers at once, a read) goes on. A write that must not wait at all
    (``write_now``) is ``StoreUnavailable`` at once.

    The running bot's store (:meth:`open_serving`) may also be *down*: not opened at start (the
    database locked, read-only, full), or closed because its file was deleted or replaced under
    it. Every call is then ``StoreUnavailable`` (the citizens' events wait in the spool), and
    :meth:`keep` opens it again, recreating a missing database with the migrations."""

    def __init__(
        self,
        db: aiosqlite.Connection | None,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_ms: int = 5000,
    ) -> None:
        self._db_or_none = db
        self.path = path
        self._lock = asyncio.Lock()
        self._closed = False
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._migrations = tuple(migrations)
        self._identity = file_id(path) if db is not None else None
        self._shm_size = 0
        self._down: str | None = None if db is not None else "not opened yet"
        self.took_writes_at_start = db is not None
        """Whether the database took a write when :meth:`open_serving` opened it."""
        self.last_refusal: str | None = None
        """Why the database last refused a call (for the log line that says the store is down)."""
        self._wal = wal_files(path) if db is not None else WalFiles(None, None)
        """The ``-wal`` and ``-shm`` the connection uses (SQLite made them when it opened)."""

    @classmethod
    async def open(
        cls, path: Path | str, *, migrations: Sequence[Migration] = MIGRATIONS, busy_timeout_ms: int = 5000
    ) -> Self:
        """Connect, set the pragmas and apply the migrations not yet applied."""
        path = Path(path)
        db = await _connect(path, migrations, busy_timeout_ms)
        return cls(db, path, migrations=migrations, busy_timeout_ms=busy_timeout_ms)

    @classmethod
    async def open_serving(
        cls, path: Path | str, *, migrations: Sequence[Migration] = MIGRATIONS, busy_timeout_ms: int = 5000
    ) -> Self:
        """:meth:`open`, or, when the database cannot be used now (locked past the busy timeout,
        read-only, full, an I/O error), a store that is down until :meth:`keep` opens it: the bot
        starts and answers all the same, its writes waiting in the spool, and says so at ERROR.
        A schema newer than this code still stops it (``SchemaError``)."""
        try:
            store = await cls.open(path, migrations=migrations, busy_timeout_ms=busy_timeout_ms)
        except (StoreUnavailable, sqlite3.OperationalError) as error:
            store = cls(None, Path(path), migrations=migrations, busy_timeout_ms=busy_timeout_ms)
            store._down = str(error)
            _LOG.error(
                "%s cannot be used at start (%s): answering anyway, the writes wait in %s.spool;"
                " opening it again every %.0f s",
                store.path.name,
                error,
                store.path.name,
                KEEP_SECONDS,
            )
            return store
        # opened for reading; another process may hold it (a worker's moment, or an outage)
        store.took_writes_at_start = await store.takes_writes(within=_START_PROBE_SECONDS)
        if not store.took_writes_at_start:
            _LOG.error(
                "%s does not take writes at start (another process holds it, or it is read-only or"
                " full): answering anyway, the writes wait in %s.spool",
                store.path.name,
                store.path.name,
            )
        return store

    async def takes_writes(self, within: float = 0.0) -> bool:
        """Whether a write transaction opens (an empty one) within ``within`` seconds; the lock
        is never held while it waits."""
        deadline = time.monotonic() + within
        while True:
            try:
                await self._run(lambda db: None, write=True, patient=False)
            except StoreError:
                if time.monotonic() >= deadline:
                    return False
                await asyncio.sleep(_LONGEST_PAUSE)
            else:
                return True

    @property
    def available(self) -> bool:
        """Whether the database is open (it may still be locked by another process)."""
        return self._db_or_none is not None and not self._closed

    @property
    def _db(self) -> aiosqlite.Connection:
        if self._db_or_none is None:
            self.last_refusal = f"{self.path.name} is not open ({self._down})"
            raise StoreUnavailable(self.last_refusal)
        return self._db_or_none

    async def keep(self, every: float = KEEP_SECONDS) -> None:
        """Watch the database file and open the store again while it is down; until cancelled."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.check_file()
            except Exception:
                _LOG.exception("%s: watching the database failed; trying again", self.path.name)

    async def check_file(self) -> None:
        """One look: a database deleted or replaced under the open connection is logged at ERROR,
        the connection closed and the path opened again (a missing database recreated with the
        migrations; the writes that waited meanwhile are then replayed from the spool); a store
        that is down is opened again when it can be.

        The old file's ``-wal`` and ``-shm`` stay behind (SQLite never checkpoints or removes them
        for a database moved or unlinked under it) and would be read as the new database's: they
        are moved aside first (``<name>-wal.orphaned-<time>``: the old file's last writes), unless
        another process of the group moved them already (they are no longer the ones this
        connection used)."""
        async with self._lock:
            if self._closed:
                return
            if self._db_or_none is not None:
                now = file_id(self.path)
                if now == self._identity:
                    return
                what = "deleted" if now is None else "replaced by another file"
                self._down = f"the database file was {what}"
                old, self._db_or_none = self._db_or_none, None
                with contextlib.suppress(sqlite3.Error):
                    await old.close()
                moved = move_aside(self.path, self._wal)
                _LOG.error(
                    "%s was %s while in use: the writes wait in the spool while it is %s%s",
                    self.path.name,
                    what,
                    "recreated with the migrations" if now is None else "opened again",
                    f"; the old file's {', '.join(moved)} kept aside" if moved else "",
                )
            existed = self.path.exists()
            try:
                db = await _connect(self.path, self._migrations, self._busy_timeout_ms)
            except (StoreUnavailable, sqlite3.OperationalError) as error:
                self._down = str(error)
                return
            self._db_or_none, self._identity, self._shm_size = db, file_id(self.path), 0
            self._wal = wal_files(self.path)
            how = "opened" if existed else "recreated with the migrations"
            _LOG.warning("%s %s: the writes that waited are written now", self.path.name, how)
            self._down = None

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
            if self._db_or_none is None:
                return
            with contextlib.suppress(sqlite3.OperationalError):  # an optimisation only
                await self._db_or_none.execute("PRAGMA optimize")
            await self._db_or_none.close()

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

        await self._patiently(begin, keep_lock=True, write=True)
        try:
            connection = self._db
            try:
                yield connection
                await connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:  # also after a failed COMMIT (disk full)
                    await connection.execute("ROLLBACK")
                raise
            finally:
                if durable:
                    await connection.execute("PRAGMA synchronous = NORMAL")
        finally:
            self._lock.release()

    async def write_now(self, work: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        """``work`` in one write transaction in the loop thread, never waiting for a lock:
        ``StoreUnavailable`` at once when another writer holds the database (the inbox and the
        question log must never keep a reply or a poll waiting); ``durable`` as in :meth:`_run`."""
        return await self._run(work, write=True, durable=durable, patient=False)

    async def write_within(
        self, work: Callable[[sqlite3.Connection], T], seconds: float, *, durable: bool = False
    ) -> T:
        """:meth:`write_now`, but a database another process holds is waited for up to
        ``seconds`` (never holding the connection meanwhile), then ``StoreUnavailable``."""

        def job(db: sqlite3.Connection) -> T:
            if durable:
                db.execute("PRAGMA synchronous = FULL")
            try:
                return _in_transaction(db, work)
            finally:
                if durable:
                    db.execute("PRAGMA synchronous = NORMAL")

        return await self._patiently(job, write=True, seconds=seconds)

    def write_at_once(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in one write transaction right now, without awaiting anything: for a hook that
        cannot wait (an update's end). ``StoreUnavailable`` when the connection is in use by a
        transaction that awaits, or another writer holds the database."""
        if self._lock.locked():
            raise StoreUnavailable("the connection is busy")
        try:
            return _in_transaction(self._connection(write=True), work)
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
            return await self._patiently(job, write=write)
        async with self._lock:
            try:
                return job(self._connection(write=write))
            except sqlite3.OperationalError as error:
                self.last_refusal = str(error)
                raise StoreUnavailable(str(error)) from error

    def _connection(self, *, write: bool = False) -> sqlite3.Connection:
        """The open connection (call with the lock held), after a look at the files: a ``-shm``
        another process cut short is given its size back (``files.restore_shm_size``), and a
        write to a database file deleted or replaced since it was opened is ``StoreUnavailable``
        (it would be lost with the old file; :meth:`check_file` closes it)."""
        if self._closed:
            raise StoreError("the store is closed")
        connection = self._db._conn
        size, self._shm_size = restore_shm_size(self.path, self._shm_size)
        if size < self._shm_size:
            _LOG.error(
                "%s-shm was cut short by another process (%d of %d bytes): its size given back, the"
                " WAL index is rebuilt",
                self.path.name,
                size,
                self._shm_size,
            )
        if write and file_id(self.path) != self._identity:
            self.last_refusal = f"{self.path.name} was deleted or replaced while in use"
            raise StoreUnavailable(self.last_refusal)
        return connection

    async def _patiently(
        self,
        job: Callable[[sqlite3.Connection], T],
        *,
        keep_lock: bool = False,
        write: bool = False,
        seconds: float | None = None,
    ) -> T:
        """``job`` under the lock; while the database is locked by another process (``busy``,
        ``locked``), the lock is let go and ``job`` tried again after a growing pause (5 to 100
        ms) until the busy timeout, then ``StoreUnavailable``. Any other ``OperationalError``
        (read-only, disk full, I/O) is ``StoreUnavailable`` at once. ``keep_lock``: returns with
        the lock still held (the caller releases it). ``seconds``: instead of the busy timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self._busy_timeout_ms / 1000 if seconds is None else seconds)
        pause = _FIRST_PAUSE
        while True:
            await self._lock.acquire()
            try:
                result = job(self._connection(write=write))
            except sqlite3.OperationalError as error:
                self._lock.release()
                if not _is_busy(error) or loop.time() >= deadline:
                    self.last_refusal = str(error)
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
