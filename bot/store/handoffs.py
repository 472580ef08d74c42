"""Handoffs (a citizen asking for a person): recorded through the ``Store``'s connection.

These functions take an open :class:`~bot.store.store.Store` and use its write transaction (and
so its lock), exactly as the store's own methods do. The report reads them back (see
:mod:`bot.store.reporting`)::

    handoff = await open_handoff(store, user_hash=citizen, platform="bale", question_id=asked)
    await record_staff_reply(store, handoff)          # the first reply sets answered_at
    await link_handoff_message(store, handoff, platform="bale", chat_id=group, message_id=posted)
"""

from __future__ import annotations

from datetime import datetime

from bot.store.store import Refused, Store, check_user, row_id, utc_text

__all__ = [
    "handoff_for_message",
    "link_handoff_message",
    "open_handoff",
    "record_staff_reply",
    "waiting_handoff",
    "withdraw_handoff",
]


async def open_handoff(
    store: Store,
    *,
    user_hash: str,
    platform: str,
    question_id: int | None = None,
    at: datetime | None = None,
) -> int:
    """Open a handoff to staff; ``question_id``, if given, must be a question of this citizen."""
    check_user(user_hash, platform)
    if question_id is not None:
        question_id = row_id(question_id)
    async with store.transaction() as db:
        if question_id is not None:
            owner = await store.scalar("SELECT user_hash FROM questions WHERE id = ?", (question_id,))
            if owner != user_hash:
                raise Refused("not a question of this citizen")
        cursor = await db.execute(
            "INSERT INTO handoffs (user_hash, platform, question_id, opened_at) VALUES (?, ?, ?, ?)",
            (user_hash, platform, question_id, utc_text(at)),
        )
        return int(cursor.lastrowid or 0)


async def record_staff_reply(store: Store, handoff_id: int, *, at: datetime | None = None) -> bool:
    """Count a staff reply; the first one sets ``answered_at``. ``False`` for an unknown handoff."""
    handoff_id = row_id(handoff_id)
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE handoffs SET staff_replies = staff_replies + 1,"
            " answered_at = coalesce(answered_at, ?) WHERE id = ?",
            (utc_text(at), handoff_id),
        )
        return cursor.rowcount == 1


async def link_handoff_message(
    store: Store, *, platform: str, chat_id: int, message_id: int, handoff_id: int
) -> None:
    """Remember the staff group's message that carries a handoff."""
    async with store.transaction() as db:
        await db.execute(
            "INSERT OR REPLACE INTO handoff_messages (platform, chat_id, message_id, handoff_id)"
            " VALUES (?, ?, ?, ?)",
            (platform, chat_id, message_id, row_id(handoff_id)),
        )


async def handoff_for_message(
    store: Store, *, platform: str, chat_id: int, message_id: int
) -> tuple[int, str] | None:
    """``(handoff id, citizen's user hash)`` of a staff group message, or ``None``."""
    rows = await store.rows(
        "SELECT h.id, h.user_hash FROM handoff_messages m JOIN handoffs h ON h.id = m.handoff_id"
        " WHERE m.platform = ? AND m.chat_id = ? AND m.message_id = ?",
        (platform, chat_id, message_id),
    )
    return (rows[0][0], rows[0][1]) if rows else None


async def waiting_handoff(store: Store, user_hash: str, since: datetime) -> int | None:
    """The citizen's handoff opened since ``since`` that no staff member has answered yet, if any."""
    rows = await store.rows(
        "SELECT id FROM handoffs WHERE user_hash = ? AND answered_at IS NULL AND opened_at >= ?"
        " ORDER BY id DESC LIMIT 1",
        (user_hash, utc_text(since)),
    )
    return rows[0][0] if rows else None


async def withdraw_handoff(store: Store, handoff_id: int) -> bool:
    """Remove a handoff that never reached staff (its post failed), so the citizen may ask again at
    once; ``False`` if it is unknown or already answered."""
    handoff_id = row_id(handoff_id)
    async with store.transaction() as db:
        cursor = await db.execute("DELETE FROM handoffs WHERE id = ? AND answered_at IS NULL", (handoff_id,))
        if cursor.rowcount != 1:
            return False
        await db.execute("DELETE FROM handoff_messages WHERE handoff_id = ?", (handoff_id,))
        return True
