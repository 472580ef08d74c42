"""Store writes a citizen's reply must not wait on: when the store is unavailable the reply goes
out anyway and the write waits in the backlog (``bot/store/durable/backlog.py``) to be retried."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from telegram import CallbackQuery, Update

from bot.engine.engine import Reply
from bot.store import Platform, QuestionEvent, Refused, Store, StoreUnavailable
from bot.store.durable.ids import derived_key
from bot.store.durable.inbox import UPDATE_KEY_FIELD, bot_id_of
from handlers.common import refuse
from handlers.context import BotContext

__all__ = [
    "Press",
    "PressRecorder",
    "offered_under_answer",
    "question_event",
    "recorded",
    "recorded_press",
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
    key = update.api_kwargs.get(UPDATE_KEY_FIELD)
    if isinstance(key, int) and not isinstance(key, bool) and 0 < key < 2**63:
        return key
    return derived_key(context.platform.name, str(bot_id_of(context.bot.token)), update.to_json())


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


async def recorded[T](context: BotContext, label: str, write: Callable[[Store], Awaitable[T]]) -> T | None:
    """``write``'s result, or ``None`` when the store is unavailable and the write was deferred.

    ``write`` must be idempotent (the store's writes are, per update): it may run again later.
    ``label`` names it in the logs and must hold no personal data.
    """
    try:
        return await write(context.store)
    except StoreUnavailable as error:
        context.backlog.defer(label, write, error)
        return None


class PressRecorder(Protocol):
    """``Store.record_choice`` or ``Store.record_correction``: the entry a citizen pressed for a
    question, recorded; the answer event id, or ``Refused``."""

    def __call__(
        self,
        store: Store,
        question_id: int,
        entry_id: str,
        /,
        *,
        user_hash: str,
        platform: str,
        update_id: int | None = None,
        key: int | None = None,
        at: datetime | None = None,
    ) -> Awaitable[int]: ...


async def recorded_press(
    context: BotContext,
    query: CallbackQuery,
    press: Press,
    offered: Sequence[str] | None,
    record: PressRecorder,
) -> tuple[str, int | None] | None:
    """A press on entry ``press.index`` of the entries question ``press.question_id`` offered
    (``offered`` is ``None``: not the presser's): the entry and its answer event id (``None`` if
    deferred), after ``record``; a forged, foreign or stale press is refused (``None`` returned)."""
    index = press.index
    if offered is None or not 0 <= index < len(offered) or offered[index] not in context.knowledge:
        await refuse(query, context)
        return None
    entry_id, at = offered[index], datetime.now(UTC)
    user_hash, platform = press.user_hash, context.platform.name

    async def write(store: Store) -> int:
        return await record(
            store,
            press.question_id,
            entry_id,
            user_hash=user_hash,
            platform=platform,
            update_id=press.update_id,
            key=press.key,
            at=at,
        )

    try:
        return entry_id, await recorded(context, f"{press.kind} of update {press.update_id}", write)
    except Refused:
        await refuse(query, context)
        return None


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
