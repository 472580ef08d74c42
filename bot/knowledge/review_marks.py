"""An entry's review state (``verified_on``, ``needs_review``) as staff mark it from the chat.

The review buttons (``handlers/staff/review.py``) set "verified today" (``verified_on`` today,
``needs_review`` false) or "needs review" (``needs_review`` true, the date kept). The state is
audited as text, ``"2026-01-31|false"`` (no date: ``"|true"``), so ``/undo`` can put it back::

    change = mark_verified(date(2026, 1, 31))      # a Record -> Record change for the entry
    state = review_state(record)                     # "2025-07-23|false"
    undo = restore_review("2025-07-23|false", "2026-01-31|false")
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

__all__ = ["ReviewConflict", "mark_needs_review", "mark_verified", "restore_review", "review_state"]

Record = dict[str, Any]


class ReviewConflict(ValueError):
    """The entry's review state changed again since the change being undone."""


def review_state(record: Record) -> str:
    """``"YYYY-MM-DD|true"`` (date empty when never verified) of an entry record."""
    verified = record.get("verified_on")
    day = verified.isoformat() if isinstance(verified, date) else ""
    return f"{day}|{'true' if record.get('needs_review') else 'false'}"


def _parse(state: str) -> tuple[date | None, bool]:
    day, _, flag = state.partition("|")
    return (date.fromisoformat(day) if day else None), flag == "true"


def mark_verified(today: date) -> Callable[[Record], Record]:
    """Verified today, so no longer due for review."""
    return lambda record: {**record, "verified_on": today, "needs_review": False}


def mark_needs_review() -> Callable[[Record], Record]:
    """Marked for review; the last verification date stays."""
    return lambda record: {**record, "needs_review": True}


def restore_review(before: str, after: str) -> Callable[[Record], Record]:
    """The change back to ``before``; ``ReviewConflict`` if the entry is no longer at ``after``."""

    def change(record: Record) -> Record:
        if review_state(record) != after:
            raise ReviewConflict("changed since")
        verified, needs_review = _parse(before)
        return {**record, "verified_on": verified, "needs_review": needs_review}

    return change
