"""The inbox table's SQL: updates received, their replay and their completion (see ``0010_inbox``).

Functions of a ``sqlite3`` connection, for :meth:`bot.store.Store.write_now` (one transaction in
the loop thread, never waiting for a lock) and for the spool's replay; and reads on the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.store.ids import new_id
from bot.store.store import Store

__all__ = ["Received", "finish", "known_ids", "prune", "record", "waiting"]


@dataclass(frozen=True)
class Received:
    """One update as received: ``body`` is its JSON text, ``key`` its generated never-repeating id."""

    platform: str
    bot_id: int
    update_id: int
    key: int
    body: str
    received_at: str


def record(db: sqlite3.Connection, received: Iterable[Received]) -> None:
    """Insert updates not yet there (a repeat of platform, bot and update id changes nothing)."""
    db.executemany(
        "INSERT INTO inbox (platform, bot_id, update_id, key, body, received_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [(r.platform, r.bot_id, r.update_id, r.key, r.body, r.received_at) for r in received],
    )


def finish(db: sqlite3.Connection, platform: str, bot_id: int, update_ids: Iterable[int], at: str) -> None:
    """Mark updates done and blank their bodies (what a citizen wrote is kept only in ``questions``).

    An update not recorded yet (a worker can finish before the polling process's write commits)
    gets a done row at once, which that write then leaves as it is."""
    db.executemany(
        "INSERT INTO inbox (platform, bot_id, update_id, key, body, received_at, done_at)"
        " VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (platform, bot_id, update_id)"
        " DO UPDATE SET done_at = excluded.done_at, body = NULL WHERE done_at IS NULL",
        [(platform, bot_id, update_id, new_id(), at, at) for update_id in update_ids],
    )


def prune(db: sqlite3.Connection, before: str) -> int:
    """Forget finished updates received before ``before`` (the Bot API keeps updates 24 hours)."""
    return db.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?", (before,)).rowcount


async def waiting(store: Store, platform: str, bot_id: int) -> list[tuple[int, int, str]]:
    """``(update_id, key, body)`` of every update received and not done, oldest first."""
    rows = await store.rows(
        "SELECT update_id, key, body FROM inbox WHERE platform = ? AND bot_id = ? AND done_at IS NULL"
        " ORDER BY update_id",
        (platform, bot_id),
    )
    return [(int(u), int(k), str(b)) for u, k, b in rows]


async def known_ids(store: Store, platform: str, bot_id: int, update_ids: Sequence[int]) -> set[int]:
    """Which of ``update_ids`` the inbox already holds."""
    if not update_ids:
        return set()
    marks = ",".join("?" * len(update_ids))
    rows = await store.rows(
        f"SELECT update_id FROM inbox WHERE platform = ? AND bot_id = ? AND update_id IN ({marks})",
        (platform, bot_id, *update_ids),
    )
    return {int(u) for (u,) in rows}
