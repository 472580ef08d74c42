"""The polling process's record of the updates each worker was given and has not reported finished.

One :class:`Outstanding` per worker slot (``bot/messenger/updates/workers.py``), kept in memory and
carried over to the worker that replaces a dead or frozen one, which is handed every update in
it again. It is filled when an update is handed on (whether or not the write reached the worker:
a worker that died a moment ago and is not yet noticed takes nothing) and emptied by the worker's
reports (``reports.py``), so it never depends on the database: an update recorded in the spool
file while the database was busy is replayed to the replacement as well.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Outstanding"]

Update = dict[str, Any]


class Outstanding:
    """Per platform, the updates handed to one worker slot and not reported finished, in order."""

    def __init__(self) -> None:
        self._by_platform: dict[str, dict[int, Update]] = {}

    def add(self, platform: str, update: Update) -> None:
        """``update`` (with an int ``update_id``) was handed to the worker."""
        self._by_platform.setdefault(platform, {})[update["update_id"]] = update

    def finish(self, platform: str, update_id: int) -> None:
        """The worker reported ``update_id`` finished (a second report, or one unknown, changes nothing)."""
        self._by_platform.get(platform, {}).pop(update_id, None)

    def of(self, platform: str) -> list[Update]:
        """The updates of ``platform`` still outstanding, oldest first."""
        waiting = self._by_platform.get(platform, {})
        return [waiting[update_id] for update_id in sorted(waiting)]

    def __len__(self) -> int:
        return sum(len(waiting) for waiting in self._by_platform.values())
