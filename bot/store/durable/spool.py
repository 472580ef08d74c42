"""An append-only file beside the database for what must be kept while the database cannot take it.

While the database is locked, read-only, full or gone, the inbox (updates received) and the
events (questions, answers shown, ratings) are appended here as JSON lines, one ``write`` and one
``fsync`` per batch, so they survive a crash or a restart during the outage. Once the database
takes writes again, the owner replays the file (oldest first, every record idempotent) and it is
removed. Several processes (the poller and its workers) share the file: every append and every
replay holds an exclusive POSIX record lock on it (``lockf``), and, within one process, the
spool's own thread lock. Not ``flock``: a flock belongs to the open file, so a worker forked
while the polling process appended in a thread kept the lock for its whole life, and every
later append waited for ever. An append (in a thread) waits for the lock; a replay runs in the
event loop, so it only tries: while another process holds the lock (appending, replaying, or
frozen in the middle of either) it leaves the file to the next attempt, and never stops its own
loop, whose heartbeat, polling and replies go on. A file another process replayed and removed
meanwhile is nothing to replay.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["Spool", "spool_path"]

_LOG = logging.getLogger("sabtyar.store")

Record = dict[str, Any]


def spool_path(database: Path) -> Path:
    """The spool file of ``database``: ``sabtyar.db`` → ``sabtyar.db.spool``."""
    return database.with_name(database.name + ".spool")


class Spool:
    """The append-only file at ``path``; records are JSON objects."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.appended = 0
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self, flags: int, *, wait: bool = True) -> Iterator[int | None]:
        """The file, open and locked; never one another process removed while this one waited.
        Not ``wait``: ``None`` at once while another thread or process holds the lock or
        (without ``O_CREAT``) when there is no file."""
        if not self._thread_lock.acquire(blocking=wait):
            yield None
            return
        try:
            with self._file_locked(flags, wait=wait) as fd:
                yield fd
        finally:
            self._thread_lock.release()

    @contextlib.contextmanager
    def _file_locked(self, flags: int, *, wait: bool) -> Iterator[int | None]:
        while True:
            try:
                fd = os.open(self.path, flags | os.O_CLOEXEC, 0o600)
            except FileNotFoundError:
                if wait:
                    raise
                yield None
                return
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                os.close(fd)
                if wait or error.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                yield None
                return
            if os.fstat(fd).st_nlink > 0:
                break
            os.close(fd)  # replayed and removed meanwhile: open the path again
        try:
            yield fd
        finally:
            os.close(fd)  # releases the lock

    def append(self, records: Sequence[Record]) -> None:
        """Append ``records`` with one write and one fsync; ``OSError`` if the disk refuses."""
        if not records:
            return
        data = b"".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for r in records
        )
        with self._locked(os.O_WRONLY | os.O_APPEND | os.O_CREAT) as fd:
            assert fd is not None  # created if missing, waited for if locked
            os.write(fd, data)
            os.fsync(fd)
        self.appended += len(records)

    def read(self) -> list[Record]:
        """The records the file holds now, nothing removed (``[]`` when there is none, or while
        another process holds it); a line cut short is skipped."""
        with self._locked(os.O_RDWR, wait=False) as fd:
            if fd is None:
                return []
            with open(fd, "rb", closefd=False) as source:
                return _records(source.read(), self.path.name, warn=False)

    def exists(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:  # none, or its folder cannot be read: nothing in it to replay
            return False

    async def replay(self, apply: Callable[[list[Record]], Awaitable[None]]) -> int:
        """Give every record to ``apply`` (one call), then empty the file; the number replayed.

        ``apply`` raises when the database cannot take them yet: the file is kept as it is; so
        it is while another process holds its lock (0 replayed, for the next attempt). A line
        cut short by a crash in the middle of an append is skipped with a warning."""
        with self._locked(os.O_RDWR, wait=False) as fd:
            if fd is None:
                return 0
            with open(fd, "rb", closefd=False) as source:
                records = _records(source.read(), self.path.name, warn=True)
            if records:
                await apply(records)
            self.path.unlink()  # under the lock: an appender waiting for it opens a new file
        if records:
            _LOG.warning("spool %s: %d records written to the database", self.path.name, len(records))
        return len(records)


def _records(data: bytes, name: str, *, warn: bool) -> list[Record]:
    """The JSON objects of the file's lines; a line cut short by a crash is skipped."""
    records = []
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if warn:
                _LOG.warning("spool %s: skipped a line cut short (%d bytes)", name, len(line))
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
