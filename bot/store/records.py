"""What the store takes in and gives back: plain typed records, no SQL and no messenger types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

__all__ = [
    "MESSENGERS",
    "PLATFORMS",
    "VIA",
    "Messenger",
    "Platform",
    "Purpose",
    "QuestionEvent",
    "Subscriber",
    "Via",
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
