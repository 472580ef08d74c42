"""Another process holding the database: a real SQLite write lock (``BEGIN EXCLUSIVE``) taken by a
child process, as a backup tool, an operator's ``sqlite3`` shell or a stuck writer would."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DatabaseLock", "database_locked"]

_HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()
db.execute("COMMIT")
"""


class DatabaseLock:
    """The child process holding the lock until :meth:`release` (or the block's end)."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline() != b"held\n":
            self.process.kill()
            raise RuntimeError(f"could not lock {path}")

    def release(self) -> None:
        """End the transaction and the process (the lock is free when this returns)."""
        if self.process.poll() is None:
            self.process.communicate(b"", timeout=10)


@contextlib.contextmanager
def database_locked(path: Path) -> Iterator[DatabaseLock]:
    lock = DatabaseLock(path)
    try:
        yield lock
    finally:
        lock.release()
        if lock.process.poll() is None:
            lock.process.kill()
