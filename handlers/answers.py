"""Showing an answer: short answer, official links, "more details", related topics, ratings."""

from __future__ import annotations

from bot.knowledge import Entry
from bot.locale import Catalog
from bot.presentation import answer_text
from handlers.context import BotContext
from handlers.keyboards import answer_keyboard
from handlers.sending import send_text

__all__ = ["has_more", "send_answer", "send_full_answer"]


def has_more(entry: Entry) -> bool:
    """Whether the full answer says more than its first paragraph."""
    return entry.answer.strip() != entry.short_answer


def _review_note(entry: Entry, catalog: Catalog) -> list[str]:
    return [catalog.text("answer.needs_review")] if entry.needs_review else []


async def send_answer(
    context: BotContext, chat_id: int, entry_id: str, event_id: int | None, *, reply_to: int | None = None
) -> None:
    """The answer shown as answer event ``event_id`` (its id is in the rating buttons).

    ``None`` when the store could not record it: then the whole answer at once (no "more
    details" to ask for) and no rating buttons."""
    knowledge, catalog = context.knowledge, context.catalog
    entry = knowledge.entry(entry_id)
    recorded = event_id is not None
    text = "\n\n".join(
        [
            answer_text(entry, knowledge, catalog, full=not recorded),
            *_review_note(entry, catalog),
            *([catalog.text("rating.prompt")] if recorded else []),
        ]
    )
    handoff = context.handoff_group is not None
    markup = answer_keyboard(entry, knowledge, event_id, catalog, more=has_more(entry), handoff=handoff)
    await send_text(context, chat_id, text, markup=markup, bold=entry.title, reply_to=reply_to)


async def send_full_answer(context: BotContext, chat_id: int, entry_id: str) -> None:
    """The whole answer with links and related topics, split if it is long."""
    knowledge, catalog = context.knowledge, context.catalog
    entry = knowledge.entry(entry_id)
    text = "\n\n".join([answer_text(entry, knowledge, catalog), *_review_note(entry, catalog)])
    await send_text(context, chat_id, text, bold=entry.title)
