"""The offices a running bot answers with: ``offices.yaml`` read again whenever it changes.

A workbook import (in the bot or with ``sabtyar kb import``), another worker process or a hand
edit replaces the file; the next citizen who asks for the offices or shares a location gets the
new list. A file with problems keeps the last good list (``sabtyar kb check`` says what is wrong)::

    live = LiveOffices(knowledge_dir, book)   # the book the bot started with
    live.current()                            # the file's offices now
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.knowledge.directory.offices import OFFICES_FILE, OfficeBook, load_offices

__all__ = ["LiveOffices"]

_LOG = logging.getLogger("sabtyar.knowledge")


class LiveOffices:
    """The offices of one process: ``book`` until ``offices.yaml`` in ``folder`` changes."""

    def __init__(self, folder: Path, book: OfficeBook) -> None:
        self._path = folder / OFFICES_FILE
        self._book = book
        self._seen = self._stamp()

    def _stamp(self) -> tuple[int, int, int] | None:
        """The file's identity now (inode, modification time, size); ``None`` when it is missing."""
        try:
            info = self._path.stat()
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    def current(self) -> OfficeBook:
        """The offices as the file says now (read again only when it changed)."""
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen = stamp
            book, problems = load_offices(self._path.parent)
            if problems:
                _LOG.warning(
                    "%s changed but has %d problem(s): kept the running offices", OFFICES_FILE, len(problems)
                )
            else:
                self._book = book
        return self._book
