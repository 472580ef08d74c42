"""Handoffs and announcements: recorded through the ``Store``'s connection, one ``BEGIN IMMEDIATE`` each.

These functions take an open :class:`~bot.store.store.Store` and use its write transaction (and
so its lock), exactly as the store's own methods do. The report reads them back (see
:mod:`bot.store.reporting`)::

    handoff = await open_handoff(store, user_hash=citizen, platform="bale", question_id=asked)
    await record_staff_reply(store, handoff)          # the first reply sets answered_at
    news = await record_announcement(store, platform="bale", text="…")
    await finish_announcement(store, news, sent=980, blocked=15, failed=5)
"""

from __future__ import annotations

from datetime import datetime

from bot.store.records import PLATFORMS
from bot.store.store import Refused, Store, _check, _id, _utc

__all__ = ["finish_announcement", "open_handoff", "record_announcement", "record_staff_reply"]


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a count (an integer >= 0), got {value!r}")
    return value


async def open_handoff(
    store: Store,
    *,
    user_hash: str,
    platform: str,
    question_id: int | None = None,
    at: datetime | None = None,
) -> int:
    """Open a handoff to staff; ``question_id``, if given, must be a question of this citizen."""
    _check(user_hash, platform)
    if question_id is not None:
        question_id = _id(question_id)
    async with store._write() as db:
        if question_id is not None:
            owner = await store._value("SELECT user_hash FROM questions WHERE id = ?", (question_id,))
            if owner != user_hash:
                raise Refused("not a question of this citizen")
        cursor = await db.execute(
            "INSERT INTO handoffs (user_hash, platform, question_id, opened_at) VALUES (?, ?, ?, ?)",
            (user_hash, platform, question_id, _utc(at)),
        )
        return int(cursor.lastrowid or 0)


async def record_staff_reply(store: Store, handoff_id: int, *, at: datetime | None = None) -> bool:
    """Count a staff reply; the first one sets ``answered_at``. ``False`` for an unknown handoff."""
    handoff_id = _id(handoff_id)
    async with store._write() as db:
        cursor = await db.execute(
            "UPDATE handoffs SET staff_replies = staff_replies + 1,"
            " answered_at = coalesce(answered_at, ?) WHERE id = ?",
            (_utc(at), handoff_id),
        )
        return cursor.rowcount == 1


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
    async with store._write() as db:
        cursor = await db.execute(
            "INSERT INTO announcements (created_at, platform, text, sent, blocked, failed)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (_utc(at), platform, text, *counts),
        )
        return int(cursor.lastrowid or 0)


async def finish_announcement(
    store: Store, announcement_id: int, *, sent: int, blocked: int, failed: int
) -> bool:
    """Set a broadcast's delivery counts (progress or final); ``False`` for an unknown id."""
    announcement_id = _id(announcement_id)
    counts = (_count(sent, "sent"), _count(blocked, "blocked"), _count(failed, "failed"))
    async with store._write() as db:
        cursor = await db.execute(
            "UPDATE announcements SET sent = ?, blocked = ?, failed = ? WHERE id = ?",
            (*counts, announcement_id),
        )
        return cursor.rowcount == 1
