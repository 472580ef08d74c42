"""What the store takes in and gives back: plain typed records, no SQL and no messenger types;
its errors, and the checks every write makes on what it is given::

    StoreError
    ├── SchemaError       the migration list is invalid, or the database is newer than this code
    ├── StoreUnavailable  locked past the busy timeout, read-only, disk full, I/O error, not open:
    │                     nothing was written; the same call may succeed later (``durable/``)
    └── Refused           a forged, foreign or stale request; nothing was written
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from bot.store.privacy import is_user_hash

__all__ = [
    "MESSENGERS",
    "PLATFORMS",
    "VIA",
    "Messenger",
    "Platform",
    "Purpose",
    "QuestionEvent",
    "Refused",
    "SchemaError",
    "StoreError",
    "StoreUnavailable",
    "Subscriber",
    "Via",
    "check_user",
    "row_id",
    "utc_text",
]

#: The messengers sabtyar serves; every other module takes their names from here.
Messenger = Literal["telegram", "bale"]
#: Where a question came from: a messenger, or the terminal chat.
Platform = Messenger | Literal["console"]
MESSENGERS: tuple[str, ...] = get_args(Messenger)
#: How an answer came to be shown: the engine's direct answer, a "did you mean" choice, the menu,
#: an alternative offered under an answer, or the other part of a two-part question.
Via = Literal["direct", "choice", "menu", "alternative", "part"]
#: Why a chat id may be kept: the citizen subscribed, or waits for a staff reply.
Purpose = Literal["subscription", "handoff"]
PLATFORMS: tuple[str, ...] = (*MESSENGERS, "console")
VIA: tuple[str, ...] = get_args(Via)


@dataclass(frozen=True)
class QuestionEvent:
    """One free-text question and the engine's decision; the store masks ``text`` and ``match_form``."""

    platform: Platform
    user_hash: str
    language: str
    text: str
    match_form: str
    outcome: str
    answer_id: str | None
    score: float
    candidates: Sequence[str]
    response_ms: int
    update_id: int | None = None
    """The messenger's update id (``None`` in the terminal chat): a replayed update is recorded once."""
    key: int | None = None
    """The update's generated key (``durable/ids.py``): the question's row id, known before it is
    written; a replay with the same key is recorded once. Without it, ``update_id`` keys the row
    (as before the keys existed: it repeats after a new token or a Bot API reset)."""
    asked_at: datetime | None = None
    alternatives: Sequence[str] = ()
    """The entries offered as buttons under the answer: the runners-up of an answer with
    alternatives, and the second part of a two-part question."""
    parts: Sequence[str] = ()
    """For a two-part question, the entry of each part in order; empty otherwise."""


@dataclass(frozen=True)
class Subscriber:
    """A subscribed citizen and the chat an announcement goes to."""

    user_hash: str
    chat_id: int


class StoreError(Exception):
    """The store could not do what was asked."""


class SchemaError(StoreError):
    """The migration list is invalid, or the database has migrations this code does not know."""


class StoreUnavailable(StoreError):
    """The database could not be used just now (locked, read-only, full, I/O); nothing was written."""


class Refused(StoreError):
    """A forged, foreign or stale request (someone else's answer, an unknown id, a bad score)."""


def utc_text(at: datetime | None) -> str:
    """A timezone-aware time (default now) as sortable UTC text."""
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_id(value: object) -> int:
    """A row id from outside (button data): a positive 64-bit integer, else ``Refused``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise Refused(f"not a valid id: {value!r}")
    return value


def check_user(user_hash: str, platform: str | None = None) -> None:
    """``ValueError`` unless ``user_hash`` is a keyed hash (never a raw id) and the platform known."""
    if not is_user_hash(user_hash):
        raise ValueError("user_hash must be a UserHasher hash, never a raw messenger id")
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
