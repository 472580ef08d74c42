"""The database's files as the store watches them while it runs: the database itself (deleted or
replaced under a running bot: every later write would go to a file no one will read again), and
its ``-shm`` (the WAL index SQLite maps into memory: cut short by another process, the next touch
of a page past its new end killed the process with SIGBUS and no log line). Plain functions of
paths, a few microseconds each (one ``stat``).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileId", "WalFiles", "file_id", "move_aside", "restore_shm_size", "wal_files"]

#: ``(st_dev, st_ino)``: which file a path names.
FileId = tuple[int, int]


def file_id(path: Path) -> FileId | None:
    """The file at ``path`` now, ``None`` when there is none."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


@dataclass(frozen=True)
class WalFiles:
    """The ``-wal`` and ``-shm`` beside a database (``None``: not there)."""

    wal: FileId | None
    shm: FileId | None


def wal_files(database: Path) -> WalFiles:
    return WalFiles(
        file_id(database.with_name(database.name + "-wal")),
        file_id(database.with_name(database.name + "-shm")),
    )


def move_aside(database: Path, used: WalFiles) -> list[str]:
    """Rename the ``-wal`` and ``-shm`` of a database file that was deleted or replaced, those the
    connection ``used`` and only while they are still at their names, to
    ``<name>-wal.orphaned-<time>``: the names the new file's own will take. Their new names."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    moved = []
    for suffix, was in (("-wal", used.wal), ("-shm", used.shm)):
        path = database.with_name(database.name + suffix)
        if was is None or file_id(path) != was:
            continue  # gone, or another process of the group moved it and a new one is there
        target = path.with_name(f"{path.name}.orphaned-{stamp}")
        with contextlib.suppress(FileNotFoundError):
            os.rename(path, target)
            moved.append(target.name)
    return moved


def restore_shm_size(database: Path, seen: int) -> tuple[int, int]:
    """``(size now, largest size seen)`` of the ``-shm``; when another process cut it shorter than
    ``seen`` (SQLite never shrinks it while a connection is open), it is given back its size,
    zero-filled: SQLite then finds the WAL index unreadable and rebuilds it from the ``-wal``,
    instead of the process dying of SIGBUS on the next page it reads."""
    shm = os.fspath(database) + "-shm"  # the name beside it (no Path made: it runs on every write)
    try:
        size = os.stat(shm).st_size
    except FileNotFoundError:
        return 0, seen
    if size < seen:
        with contextlib.suppress(OSError):
            os.truncate(shm, seen)
        return size, seen
    return size, size
