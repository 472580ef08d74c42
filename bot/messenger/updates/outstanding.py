"""The polling process's record of the updates each worker was given and has not reported through.

One :class:`Outstanding` per worker slot (``bot/messenger/updates/workers.py``), kept in memory and
carried over to the worker that replaces a dead or frozen one. An update is *handed* when it is
written to the worker (whether or not the write reached it: a worker that died a moment ago and
is not yet noticed takes nothing), *finished* when the worker reports its first reply accepted or
its handling ended (replies sent), and forgotten when the worker reports its done mark recorded
(``reports.py``; the two reports can arrive in either order). The replacement is handed every
update still handed; the polling process marks done itself those finished and not recorded. None
of it depends on the database: an update recorded in the spool file while the database was busy
is replayed as well.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Outstanding"]

Update = dict[str, Any]


class Outstanding:
    """Per platform, the updates handed to one worker slot and not finished, and those finished
    whose done mark the worker has not reported recorded."""

    def __init__(self) -> None:
        self._handed: dict[str, dict[int, Update]] = {}
        self._unmarked: dict[str, dict[int, int]] = {}

    def add(self, platform: str, update: Update) -> None:
        """``update`` (with an int ``update_id``) was handed to the worker."""
        self._handed.setdefault(platform, {})[update["update_id"]] = update

    def finish(self, platform: str, update_id: int, replies: int = 0) -> None:
        """The worker reported ``update_id`` answered or finished (``replies`` accepted by the Bot
        API so far): never handed on again. A later report updates its replies; one after its mark
        was reported recorded changes nothing."""
        unmarked = self._unmarked.setdefault(platform, {})
        if self._handed.get(platform, {}).pop(update_id, None) is not None or update_id in unmarked:
            unmarked[update_id] = replies

    def recorded(self, platform: str, update_id: int) -> None:
        """The worker reported the done mark of ``update_id`` recorded: forgotten."""
        self._handed.get(platform, {}).pop(update_id, None)
        self._unmarked.get(platform, {}).pop(update_id, None)

    def of(self, platform: str) -> list[Update]:
        """The updates of ``platform`` handed and not finished, oldest first."""
        waiting = self._handed.get(platform, {})
        return [waiting[update_id] for update_id in sorted(waiting)]

    def take_unmarked(self, platform: str) -> dict[int, int]:
        """``platform``'s updates finished without a recorded mark, with their replies; now forgotten."""
        return dict(sorted(self._unmarked.pop(platform, {}).items()))

    def __len__(self) -> int:
        return sum(len(waiting) for waiting in self._handed.values())
