"""What the monthly pack lists besides the figures: citizens' comments, corrections per entry and
staff changes per entry, for a period (the SQL side of :mod:`bot.reports.pack`).

Texts are masked again on the way out (:func:`~bot.store.privacy.mask_personal_data`), though the
store masks them when it writes them. ``corrections`` (a citizen pressing another topic under an
answer) exists only in databases that have that table; without it the counts are empty.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.store.privacy import mask_personal_data
from bot.store.reporting import parse_utc
from bot.store.store import Store, utc_text

__all__ = [
    "KNOWLEDGE_FIELDS",
    "Comment",
    "corrections_per_entry",
    "has_corrections",
    "rating_comments",
    "staff_changes_per_entry",
]

#: The audited fields that change an entry (``staff_changes.field``), and a workbook import's.
KNOWLEDGE_FIELDS = ("answer", "question_added", "review")
_WORKBOOK = "workbook_import"


@dataclass(frozen=True)
class Comment:
    rated_at: datetime
    platform: str
    entry_id: str
    score: int
    text: str


def _period(start: datetime, end: datetime) -> dict[str, str]:
    return {"lo": utc_text(start), "hi": utc_text(end)}


async def rating_comments(store: Store, start: datetime, end: datetime) -> list[Comment]:
    """The comments left with ratings first given in ``[start, end)``, oldest first, masked."""
    rows = await store.rows(
        "SELECT r.rated_at, e.platform, e.entry_id, r.score, r.comment FROM ratings r"
        " JOIN answer_events e ON e.id = r.answer_event_id"
        " WHERE r.rated_at >= :lo AND r.rated_at < :hi AND coalesce(r.comment, '') != ''"
        " ORDER BY r.rated_at, r.id",
        _period(start, end),
    )
    return [
        Comment(parse_utc(at), platform, entry_id, int(score), mask_personal_data(text))
        for at, platform, entry_id, score, text in rows
    ]


async def has_corrections(store: Store) -> bool:
    """Whether this database records citizens' corrections (``corrections`` with ``from_entry``, ``at``)."""
    columns = {row[1] for row in await store.rows("PRAGMA table_info(corrections)")}
    return {"from_entry", "at"} <= columns


async def corrections_per_entry(store: Store, start: datetime, end: datetime) -> Counter[str] | None:
    """How often citizens turned away from each entry's answer in ``[start, end)``; ``None``
    where the database has no corrections."""
    if not await has_corrections(store):
        return None
    rows = await store.rows(
        "SELECT from_entry, count(*) FROM corrections WHERE kind = 'alternative'"
        " AND at >= :lo AND at < :hi GROUP BY from_entry",
        _period(start, end),
    )
    return Counter({entry_id: int(count) for entry_id, count in rows})


async def staff_changes_per_entry(store: Store, start: datetime, end: datetime) -> Counter[str]:
    """Staff changes to each entry in ``[start, end)`` that stand (not undone): answers, added
    phrasings, review marks, and the entries a workbook import changed or added."""
    marks = ", ".join("?" for _ in KNOWLEDGE_FIELDS)
    rows = await store.rows(
        f"SELECT field, entry_id, after FROM staff_changes WHERE at >= ? AND at < ? AND undone = 0"
        f" AND undo_of IS NULL AND field IN ({marks}, ?)",
        (utc_text(start), utc_text(end), *KNOWLEDGE_FIELDS, _WORKBOOK),
    )
    counts: Counter[str] = Counter()
    for field, entry_id, after in rows:
        if field != _WORKBOOK:
            counts[entry_id] += 1
            continue
        try:
            found = json.loads(after or "{}")
        except ValueError:
            continue
        for changed in (*found.get("changed", ()), *found.get("added", ())):
            counts[str(changed)] += 1
    return counts
