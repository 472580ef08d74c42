"""Announcements (broadcasts): recorded through the ``Store``'s connection, one transaction each::

news = await record_announcement(store, platform="bale", text="…")
await finish_announcement(store, news, sent=980, blocked=15, failed=5)
"""

from __future__ import annotations

from datetime import datetime

from bot.store.records import PLATFORMS
from bot.store.store import Store, row_id, utc_text

__all__ = ["finish_announcement", "record_announcement"]


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a count (an integer >= 0), got {value!r}")
    return value


async def record_announcement(
    store: Store,
    *,
    platform: str,
    text: str,
    sent: int = 0,
    blocked: int = 0,
    failed: int = 0,
    at: datetime | None = None,
) -> int:
    """Record a broadcast (usually when it starts, counts 0); returns its id."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    if not text.strip():
        raise ValueError("an announcement needs a text")
    counts = (_count(sent, "sent"), _count(blocked, "blocked"), _count(failed, "failed"))
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO announcements (created_at, platform, text, sent, blocked, failed)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (utc_text(at), platform, text, *counts),
        )
        return int(cursor.lastrowid or 0)


async def finish_announcement(
    store: Store, announcement_id: int, *, sent: int, blocked: int, failed: int
) -> bool:
    """Set a broadcast's delivery counts (progress or final); ``False`` for an unknown id."""
    announcement_id = row_id(announcement_id)
    counts = (_count(sent, "sent"), _count(blocked, "blocked"), _count(failed, "failed"))
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE announcements SET sent = ?, blocked = ?, failed = ? WHERE id = ?",
            (*counts, announcement_id),
        )
        return cursor.rowcount == 1
