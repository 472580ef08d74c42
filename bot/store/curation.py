"""Staff work in the store: audited knowledge changes, handoff messages, unanswered questions.

Like :mod:`bot.store.handoffs`, these functions take an open
:class:`~bot.store.store.Store` and use its transaction and lock::

    change = await record_change(store, staff_hash=h, platform="bale", entry_id="x",
                                 field="answer", before="old", after="new")
    last = await last_change(store, h)          # the staff member's latest change not undone
    await record_undo(store, last, staff_hash=h, platform="bale")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.store import Store, check_user, row_id, utc_text

__all__ = [
    "DISMISSED",
    "Change",
    "Suggestion",
    "UnansweredGroup",
    "decide_suggestion",
    "dismissed_forms",
    "last_change",
    "pending_suggestions",
    "question_text",
    "recent_questions",
    "record_change",
    "record_undo",
    "unanswered_groups",
]

#: The field of a dismissal of an unanswered question (``after`` holds its match form).
DISMISSED = "dismissed"


@dataclass(frozen=True)
class Change:
    id: int
    at: str
    staff_hash: str
    platform: str
    entry_id: str
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class UnansweredGroup:
    """Questions of one match form that found no answer or were rated low; ``question_id`` the latest."""

    match_form: str
    count: int
    question_id: int
    text: str


_CHANGE_COLUMNS = "id, at, staff_hash, platform, entry_id, field, before, after"


async def record_change(
    store: Store,
    *,
    staff_hash: str,
    platform: str,
    entry_id: str,
    field: str,
    before: str | None,
    after: str | None,
    at: datetime | None = None,
) -> int:
    """Audit one change; returns its id."""
    check_user(staff_hash, platform)
    async with store.transaction(durable=True) as db:
        cursor = await db.execute(
            "INSERT INTO staff_changes (at, staff_hash, platform, entry_id, field, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (utc_text(at), staff_hash, platform, entry_id, field, before, after),
        )
        return int(cursor.lastrowid or 0)


async def last_change(store: Store, staff_hash: str) -> Change | None:
    """The staff member's latest change that is neither undone nor itself an undo."""
    rows = await store.rows(
        f"SELECT {_CHANGE_COLUMNS} FROM staff_changes WHERE staff_hash = ? AND undone = 0"
        " AND undo_of IS NULL ORDER BY id DESC LIMIT 1",
        (staff_hash,),
    )
    return Change(*rows[0]) if rows else None


async def record_undo(store: Store, change: Change, *, staff_hash: str, platform: str) -> int:
    """Mark ``change`` undone and audit the undo (before and after swapped); returns the undo's id."""
    check_user(staff_hash, platform)
    async with store.transaction(durable=True) as db:
        await db.execute("UPDATE staff_changes SET undone = 1 WHERE id = ?", (change.id,))
        cursor = await db.execute(
            "INSERT INTO staff_changes (at, staff_hash, platform, entry_id, field, before, after, undo_of)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                utc_text(None),
                staff_hash,
                platform,
                change.entry_id,
                change.field,
                change.after,
                change.before,
                change.id,
            ),
        )
        return int(cursor.lastrowid or 0)


async def dismissed_forms(store: Store) -> frozenset[str]:
    """Match forms staff dismissed from ``/unanswered`` (and did not undo)."""
    rows = await store.rows(
        "SELECT after FROM staff_changes WHERE field = ? AND undone = 0 AND undo_of IS NULL", (DISMISSED,)
    )
    return frozenset(after for (after,) in rows if after)


async def unanswered_groups(
    store: Store, start: datetime, end: datetime, *, limit: int = 5, skip: frozenset[str] = frozenset()
) -> list[UnansweredGroup]:
    """The most frequent match forms of questions left unanswered or rated 2 or less in ``[start, end)``."""
    rows = await store.rows(
        "WITH picked AS ("
        " SELECT q.id, q.match_form, q.asked_at FROM questions q"
        " LEFT JOIN resolutions r ON r.question_id = q.id"
        " WHERE q.asked_at >= :lo AND q.asked_at < :hi"
        " AND (q.outcome = 'no_match' OR (q.outcome = 'did_you_mean' AND r.question_id IS NULL))"
        " UNION SELECT q.id, q.match_form, q.asked_at FROM questions q"
        " JOIN answer_events e ON e.question_id = q.id"
        " JOIN ratings t ON t.answer_event_id = e.id"
        " WHERE q.asked_at >= :lo AND q.asked_at < :hi AND t.score <= 2),"
        # the latest question of each match form by when it was asked (ids are generated keys,
        # in no order)
        " ranked AS (SELECT match_form, id, asked_at, count(*) OVER (PARTITION BY match_form) AS n,"
        "  row_number() OVER (PARTITION BY match_form ORDER BY asked_at DESC, id DESC) AS k"
        "  FROM picked WHERE match_form != '')"
        " SELECT g.match_form, g.n, g.id, coalesce(q.text, g.match_form) FROM ranked g"
        " JOIN questions q ON q.id = g.id WHERE g.k = 1 ORDER BY g.n DESC, g.asked_at DESC, g.id DESC",
        {"lo": utc_text(start), "hi": utc_text(end)},
    )
    found = [UnansweredGroup(form, n, latest, text) for form, n, latest, text in rows if form not in skip]
    return found[:limit]


async def question_text(store: Store, question_id: int) -> tuple[str, str] | None:
    """``(text, match_form)`` of a question (the text is masked; empty after a purge)."""
    rows = await store.rows("SELECT text, match_form FROM questions WHERE id = ?", (row_id(question_id),))
    return (rows[0][0] or "", rows[0][1]) if rows else None


async def recent_questions(store: Store, user_hash: str, *, limit: int = 3) -> list[tuple[int, str]]:
    """A citizen's latest questions ``(id, masked text)``, oldest first."""
    rows = await store.rows(
        "SELECT id, coalesce(text, '') FROM questions WHERE user_hash = ?"
        " ORDER BY asked_at DESC, id DESC LIMIT ?",
        (user_hash, limit),
    )
    return [(question_id, text) for question_id, text in reversed(rows)]


@dataclass(frozen=True)
class Suggestion:
    """A citizen's question (masked) and the entry they chose for it: a phrasing staff may accept."""

    id: int
    question_id: int
    entry_id: str
    text: str


async def pending_suggestions(store: Store, *, limit: int = 10) -> list[Suggestion]:
    """The oldest suggestions no one has decided on yet."""
    found = await store.rows(
        "SELECT s.id, s.question_id, s.entry_id, coalesce(nullif(q.text, ''), q.match_form)"
        " FROM suggestions s JOIN questions q ON q.id = s.question_id"
        " WHERE s.status = 'pending' ORDER BY s.id LIMIT ?",
        (limit,),
    )
    return [Suggestion(*row) for row in found]


async def decide_suggestion(
    store: Store, suggestion_id: int, *, accepted: bool, at: datetime | None = None
) -> Suggestion | None:
    """Accept or reject a pending suggestion; ``None`` when it is unknown or already decided."""
    suggestion_id = row_id(suggestion_id)
    async with store.transaction() as db:
        async with db.execute(
            "SELECT s.id, s.question_id, s.entry_id, coalesce(nullif(q.text, ''), q.match_form)"
            " FROM suggestions s JOIN questions q ON q.id = s.question_id"
            " WHERE s.id = ? AND s.status = 'pending'",
            (suggestion_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        await db.execute(
            "UPDATE suggestions SET status = ?, decided_at = ? WHERE id = ?",
            ("accepted" if accepted else "rejected", utc_text(at), suggestion_id),
        )
    return Suggestion(*row)
