"""Showing an answer: short answer, official links, "more details", related topics, ratings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Message

from bot.knowledge.directory.text import directory_text
from bot.knowledge.model import Entry
from bot.knowledge.presentation import answer_text
from bot.locale import Catalog
from bot.messenger.callback_data import Button
from bot.messenger.lean_bot import KeyboardJson
from handlers.common import settle
from handlers.context import BotContext
from handlers.keyboards import answer_keyboard
from handlers.sending import edit_text, send_text

__all__ = ["Offered", "answer_in_place", "has_more", "send_answer", "send_full_answer"]


@dataclass(frozen=True)
class Offered:
    """Entries offered as buttons under an answer, and the line that introduces them."""

    buttons: Sequence[tuple[Button, str]]
    hint_key: str
    """``answer.alternatives`` («شاید منظورتان این بود») or ``answer.other_part``."""


def has_more(entry: Entry) -> bool:
    """Whether the full answer says more than its first paragraph."""
    return entry.answer.strip() != entry.short_answer


def _review_note(entry: Entry, catalog: Catalog) -> list[str]:
    return [catalog.text("answer.needs_review")] if entry.needs_review else []


#: Entries whose answer ends with the office list (with hours), or says plainly none is listed.
DIRECTORY_ENTRIES = frozenset({"offices", "office-hours"})


def _directory(context: BotContext, entry: Entry) -> list[str]:
    if entry.id not in DIRECTORY_ENTRIES:
        return []
    return [directory_text(context.services.shared.live_offices.current(), context.catalog)]


def _answer(
    context: BotContext, entry_id: str, event_id: int | None, offered: Offered | None = None
) -> tuple[str, KeyboardJson, str]:
    """The text, keyboard and bold title of an answer shown as answer event ``event_id``.

    ``None`` when the store could not record it: then the whole answer at once (no "more
    details" to ask for) and no rating buttons."""
    knowledge, catalog = context.knowledge, context.catalog
    entry = knowledge.entry(entry_id)
    recorded = event_id is not None
    text = "\n\n".join(
        [
            answer_text(entry, knowledge, catalog, full=not recorded),
            *_directory(context, entry),
            *_review_note(entry, catalog),
            *([catalog.text(offered.hint_key)] if offered and offered.buttons else []),
            *([catalog.text("rating.prompt")] if recorded else []),
        ]
    )
    handoff = context.handoff_group is not None
    buttons = (
        [(data, knowledge.entry(other)) for data, other in offered.buttons if other in knowledge]
        if offered
        else []
    )
    markup = answer_keyboard(
        entry, knowledge, event_id, catalog, more=has_more(entry), handoff=handoff, offered=buttons
    )
    return text, markup, entry.title


async def send_answer(
    context: BotContext,
    chat_id: int,
    entry_id: str,
    event_id: int | None,
    *,
    reply_to: int | None = None,
    offered: Offered | None = None,
) -> None:
    """The answer as a new message (its event id is in the rating buttons), with the entries
    ``offered`` under it as buttons (alternatives, or the other part of a two-part question)."""
    text, markup, title = _answer(context, entry_id, event_id, offered)
    await send_text(context, chat_id, text, markup=markup, bold=title, reply_to=reply_to)


async def answer_in_place(context: BotContext, message: Message, entry_id: str, event_id: int | None) -> None:
    """The answer in place of ``message`` (the "did you mean" question it resolves): one edit
    instead of clearing the buttons and sending anew; a new message when it does not fit."""
    text, markup, title = _answer(context, entry_id, event_id)
    if not await edit_text(context, message, text, markup=markup, bold=title):
        await settle(message.edit_reply_markup(None))
        await send_text(context, message.chat.id, text, markup=markup, bold=title)


async def send_full_answer(context: BotContext, chat_id: int, entry_id: str) -> None:
    """The whole answer with links and related topics, split if it is long."""
    knowledge, catalog = context.knowledge, context.catalog
    entry = knowledge.entry(entry_id)
    text = "\n\n".join(
        [answer_text(entry, knowledge, catalog), *_directory(context, entry), *_review_note(entry, catalog)]
    )
    await send_text(context, chat_id, text, bold=entry.title)
