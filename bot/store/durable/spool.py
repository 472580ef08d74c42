"""An append-only file beside the database for what must be kept while the database cannot take it.

While the database is locked, read-only, full or gone, the inbox (updates received) and the
events (questions, answers shown, ratings) are appended here as JSON lines, one ``write`` and one
``fsync`` per batch, so they survive a crash or a restart during the outage. Once the database
takes writes again, the owner replays the file (oldest first, every record idempotent) and it is
removed. Several processes (the poller and its workers) share the file: every append and every
replay holds an exclusive ``flock`` on it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
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

    @contextlib.contextmanager
    def _locked(self, flags: int) -> Iterator[int]:
        """The file, open and locked; never one another process removed while this one waited."""
        while True:
            fd = os.open(self.path, flags | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
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
            os.write(fd, data)
            os.fsync(fd)
        self.appended += len(records)

    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    async def replay(self, apply: Callable[[list[Record]], Awaitable[None]]) -> int:
        """Give every record to ``apply`` (one call), then empty the file; the number replayed.

        ``apply`` raises when the database cannot take them yet: the file is kept as it is.
        A line cut short by a crash in the middle of an append is skipped with a warning."""
        if not self.path.exists():
            return 0
        with self._locked(os.O_RDWR) as fd:
            with open(fd, "rb", closefd=False) as source:
                lines = source.read().splitlines()
            records = []
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    _LOG.warning("spool %s: skipped a line cut short (%d bytes)", self.path.name, len(line))
                    continue
                if isinstance(record, dict):
                    records.append(record)
            if records:
                await apply(records)
            self.path.unlink()  # under the lock: an appender waiting for it opens a new file
        if records:
            _LOG.warning("spool %s: %d records written to the database", self.path.name, len(records))
        return len(records)
