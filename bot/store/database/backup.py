"""Consistent copies of the database while the bot runs, restoring one, and the run lock.

:func:`backup_database` uses SQLite's online backup API: the copy is one read snapshot of the
database (WAL included), so every write committed before it began is in it and none is half
there, while the bot keeps writing. A plain file copy of a WAL database can miss the WAL or
catch it mid-write. :func:`restore_database` puts a backup back with the bot stopped (checked
with :func:`run_lock`, which ``sabtyar run`` holds), keeping the replaced database beside it.
:func:`backup_before_migrations` is what :class:`~bot.store.store.Store` calls before it applies
a migration to a database that already has data, so an upgrade can be rolled back.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "BackupError",
    "backup_before_migrations",
    "backup_database",
    "is_running",
    "restore_database",
    "run_lock",
    "run_lock_file",
]


_LOG = logging.getLogger("sabtyar.store")
#: Seconds between attempts to take a run lock held by another process.
_LOCK_POLL_SECONDS = 0.1


class BackupError(Exception):
    """The backup or restore could not be made; nothing was replaced."""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _check(path: Path) -> None:
    """``BackupError`` unless ``path`` is an SQLite database that passes ``quick_check``."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            [(result,)] = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a usable sabtyar database: {error}") from error
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")


def backup_database(source: Path, out: Path) -> Path:
    """Copy ``source`` to ``out`` as one consistent snapshot, safe while the bot writes.

    The copy is written beside ``out`` first, checked, then moved into place; ``out`` must not
    be the database itself. ``FileNotFoundError`` when there is no database.
    """
    if not source.is_file():
        raise FileNotFoundError(f"no sabtyar database at {source}")
    if out.resolve() == source.resolve():
        raise BackupError("the backup must go to another file than the database")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=30)) as db,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            db.backup(copy)  # all pages in one step: one read snapshot
            copy.execute("PRAGMA journal_mode = DELETE")
        _check(partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {source}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return out


def backup_before_migrations(path: Path, first_pending: str) -> Path:
    """Where the automatic copy made before ``first_pending`` runs goes:
    ``<database>.before-<migration>-<time>``, beside the database (the store writes it with
    ``VACUUM INTO``, one consistent snapshot)."""
    return path.with_name(f"{path.name}.before-{first_pending}-{_stamp()}")


def run_lock_file(database: Path) -> Path:
    """The file ``sabtyar run`` holds locked while it uses ``database``."""
    return database.with_name(database.name + ".run-lock")


@contextlib.contextmanager
def run_lock(database: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the run lock of ``database`` (``BackupError`` if another process holds it for longer
    than ``wait`` seconds).

    ``sabtyar run`` waits: the workers of a group whose polling process was killed hold the lock
    (inherited at the fork) while they finish the updates they were given; a restart that began
    before they ended would otherwise exit, and nobody would poll."""
    path = run_lock_file(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        waited = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BackupError(f"another sabtyar process is running on {database}") from None
                if not waited:
                    _LOG.warning("another sabtyar process holds %s: waiting up to %.0f s", path.name, wait)
                    waited = True
                time.sleep(_LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(descriptor)


def is_running(database: Path) -> bool:
    """Whether a ``sabtyar run`` holds the run lock of ``database`` now. Only looks: with no lock
    file nothing holds it, and none is made (one made by root, as ``sabtyar doctor`` run as root
    would, could not be opened by the bot's own user)."""
    if not run_lock_file(database).exists():
        return False
    try:
        with run_lock(database):
            return False
    except BackupError:
        return True


def restore_database(backup: Path, database: Path) -> Path | None:
    """Put ``backup`` in place of ``database`` (the bot must be stopped); the replaced database is
    kept as ``<database>.before-restore-<time>``, whose path returns (``None`` if there was none)."""
    if not backup.is_file():
        raise FileNotFoundError(f"no backup at {backup}")
    _check(backup)
    with run_lock(database):
        kept = None
        if database.exists():
            kept = database.with_name(f"{database.name}.before-restore-{_stamp()}")
            backup_database(database, kept)
        staged = database.with_name(f".{database.name}.{os.getpid()}.restoring")
        try:
            backup_database(backup, staged)
            for suffix in ("-wal", "-shm"):
                database.with_name(database.name + suffix).unlink(missing_ok=True)
            os.replace(staged, database)
        finally:
            staged.unlink(missing_ok=True)
        return kept
