"""A citizen's events on their way to the store, never keeping a reply waiting.

Every event of an update is keyed by the update's generated key (``update_key_of``): the row id
of its question and of the answer it showed, known before anything is written, so the reply goes
out at once, with all its buttons, whether the database takes the write now or not. The write
goes through the backlog (``bot/store/durable/backlog.py``): the database at once if it takes it
without waiting, else the spool file beside it (on disk, written later, at most once). A press on
a button of an answer still waiting there is checked against the backlog's copy.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import CallbackQuery, Update

from bot.engine.engine import Reply
from bot.store import Platform, QuestionEvent, Refused, StoreUnavailable
from bot.store.durable.backlog import Kept
from bot.store.durable.inbox import UPDATE_KEY_FIELD, bot_id_of, key_of
from bot.store.events import Chosen, Corrected, Event, Shown
from handlers.common import refuse
from handlers.context import BotContext

__all__ = [
    "Press",
    "offered_beside_answer",
    "offered_choices",
    "offered_under_answer",
    "question_event",
    "question_owner",
    "record",
    "recorded_press",
    "shown_entry",
    "update_key_of",
]

#: At most this many buttons under an answer (alternatives and the other part together).
MAX_UNDER_ANSWER = 2


def offered_under_answer(reply: Reply) -> tuple[str, ...]:
    """The entries offered as buttons under an answer: the other part of a two-part question
    first, then the alternatives; never the answer itself, at most two."""
    if not reply.outcome.answers:
        return ()
    offered = [*reply.parts[1:], *reply.alternatives]
    unique = [
        entry for i, entry in enumerate(offered) if entry != reply.answer_id and entry not in offered[:i]
    ]
    return tuple(unique[:MAX_UNDER_ANSWER])


def update_key_of(update: Update, context: BotContext) -> int:
    """The update's generated key, which the inbox handed it on with: the row id of its question
    and of the answer it showed, known before anything is written, the same when the update is
    handed on again after a crash, and never one of an older update that had the same update id
    (a new token, a Bot API reset). An update that came another way (no inbox on its path) gets
    a key derived from its own content and the bot: the same for the same update."""
    attached = update.api_kwargs.get(UPDATE_KEY_FIELD)
    return key_of(context.platform.name, bot_id_of(context.bot.token), attached, update.to_json)


def question_event(
    reply: Reply,
    *,
    platform: Platform,
    user_hash: str,
    language: str,
    update_id: int | None = None,
    key: int | None = None,
    response_ms: int | None = None,
    asked_at: datetime | None = None,
) -> QuestionEvent:
    """The store's event for an engine ``Reply``; ``response_ms`` defaults to the engine's own time."""
    return QuestionEvent(
        platform=platform,
        user_hash=user_hash,
        language=language,
        text=reply.question,
        match_form=reply.key.text,
        # The store knows three outcomes: an answer with alternatives is recorded as an answer,
        # with the entries offered under it in ``alternatives``.
        outcome="answer" if reply.outcome.answers else str(reply.outcome),
        alternatives=offered_under_answer(reply),
        parts=tuple(reply.parts),
        answer_id=reply.answer_id,
        score=float(reply.decision.score),
        candidates=tuple(reply.offered_ids),
        response_ms=round(reply.seconds * 1000) if response_ms is None else response_ms,
        update_id=update_id,
        key=key,
        asked_at=asked_at,
    )


async def record(context: BotContext, events: Sequence[Event], *, durable: bool = False) -> Kept:
    """Write ``events`` (one update's) without waiting for the database; where they were kept.
    ``Refused`` for a forged or foreign press the database can tell."""
    return await context.backlog.write(context.store, events, durable=durable)


async def offered_choices(context: BotContext, question_id: int, user_hash: str) -> tuple[str, ...] | None:
    """The entries a "did you mean" question of ``user_hash`` offered (``None``: not theirs, or
    no such question), from the database or, while it waits there, the backlog."""
    found, unavailable = await _read(context.store.offered_choices(question_id, user_hash))
    pending = context.backlog.question(question_id)
    if found is None and pending is not None and pending.user_hash == user_hash:
        found = tuple(json.loads(pending.candidates)) if pending.outcome == "did_you_mean" else None
    if found is None and unavailable is not None:
        raise unavailable
    return found


async def offered_beside_answer(
    context: BotContext, question_id: int, user_hash: str
) -> tuple[str, ...] | None:
    """The entries an answered question of ``user_hash`` offered besides its answer, as
    :func:`offered_choices` finds them."""
    found, unavailable = await _read(context.store.offered_beside_answer(question_id, user_hash))
    pending = context.backlog.question(question_id)
    if found is None and pending is not None and pending.user_hash == user_hash and pending.alternatives:
        found = tuple(json.loads(pending.alternatives))
    if found is None and unavailable is not None:
        raise unavailable
    return found


async def shown_entry(context: BotContext, event_id: int, user_hash: str) -> str | None:
    """The entry an answer event of ``user_hash`` showed, as :func:`offered_choices` finds it."""
    found, unavailable = await _read(context.store.shown_entry(event_id, user_hash))
    pending = context.backlog.shown(event_id)
    if found is None and pending is not None and pending.user_hash == user_hash:
        found = pending.entry_id
    if found is None and unavailable is not None:
        raise unavailable
    return found


async def question_owner(context: BotContext, question_id: int) -> str | None:
    """Who asked a question, as :func:`offered_choices` finds it."""
    found, unavailable = await _read(context.store.question_owner(question_id))
    pending = context.backlog.question(question_id)
    if found is None and pending is not None:
        found = pending.user_hash
    if found is None and unavailable is not None:
        raise unavailable
    return found


async def _read[T](lookup: Awaitable[T | None]) -> tuple[T | None, StoreUnavailable | None]:
    try:
        return await lookup, None
    except StoreUnavailable as error:
        return None, error


async def recorded_press(
    context: BotContext,
    query: CallbackQuery,
    press: Press,
    offered: Sequence[str] | None,
    kind: type[Chosen] | type[Corrected],
) -> tuple[str, int] | None:
    """A press on entry ``press.index`` of the entries question ``press.question_id`` offered
    (``offered`` is ``None``: not the presser's): the entry and its answer event id (the
    update's key), recorded as ``kind`` (a choice, a correction); a forged, foreign or stale press
    is refused (``None`` returned)."""
    index = press.index
    if offered is None or not 0 <= index < len(offered) or offered[index] not in context.knowledge:
        await refuse(query, context)
        return None
    entry_id = offered[index]
    shown = Shown.of(
        user_hash=press.user_hash,
        platform=context.platform.name,
        entry_id=entry_id,
        via="choice" if kind is Chosen else "alternative",
        question_id=press.question_id,
        key=press.key,
        at=datetime.now(UTC),
    )
    try:
        await record(context, [kind.of(press.question_id, entry_id, shown)])
    except Refused:
        await refuse(query, context)
        return None
    return entry_id, press.key


@dataclass(frozen=True)
class Press:
    """Who pressed which of a question's offered entries, in which update (``kind`` names it in logs)."""

    kind: str
    question_id: int
    index: int
    user_hash: str
    update_id: int
    key: int
    """The update's generated key: the id of the answer event the press shows."""
