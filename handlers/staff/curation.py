"""Learning from real questions: ``/unanswered [period]`` and ``/review``.

``/unanswered`` lists the most frequent match forms of the period's questions that found no
answer (or whose answer was rated 2 or less), each with the engine's nearest topics as buttons:
"add as a phrasing of <topic>" appends the masked question to that entry's questions (editors;
audited, undoable with ``/undo``, in effect at once) and "dismiss" hides the form from later
lists. ``/review`` lists entries marked ``needs_review`` or verified longer ago than
``[staff] review_after_days`` (or never), with "verified today" / "needs review" buttons for
editors (``handlers/staff/review.py``).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.calendar import iran_day, persian_digits
from bot.knowledge.model import Entry
from bot.locale import Catalog
from bot.messenger.callback_data import AcceptSuggestion, AddPhrasing, Dismiss, RejectSuggestion, matches
from bot.messenger.staff_settings import Role
from bot.reports.labels import period_title
from bot.store.curation import (
    DISMISSED,
    decide_suggestion,
    dismissed_forms,
    pending_suggestions,
    question_text,
    record_change,
    unanswered_groups,
)
from handlers.common import pressed, refuse, sender, settle
from handlers.context import BotContext
from handlers.keyboards import phrasing_keyboard, review_rows, suggestion_keyboard
from handlers.sending import send_text
from handlers.staff.auth import role_of, staff_command
from handlers.staff.kb import PHRASING, apply_change
from handlers.staff.reports import command_period

__all__ = ["REVIEW_BUTTONS", "handlers", "review_lines"]

#: ``/review`` shows the review buttons of this many entries (others: ``/edit ID``).
REVIEW_BUTTONS = 10

_LOG = logging.getLogger("sabtyar.staff")
#: Question groups listed by ``/unanswered``, and the nearest topics offered for each.
MOST = 5
NEAREST = 3


def _is_command(text: str) -> bool:
    """A bot command (``/stats``) is never a citizen's question, nor a phrasing."""
    return text.lstrip().startswith("/")


async def unanswered(update: Update, context: BotContext) -> None:
    """The most frequent unanswered and low-rated questions, each with the nearest topics
    (as add buttons for editors only); commands stored before they were kept out are skipped."""
    _message, user, chat = sender(update)
    period = await command_period(update, context)
    if period is None:
        return
    catalog, store = context.catalog, context.store
    skip = await dismissed_forms(store)
    editor = role_of(context, user) is Role.EDITOR
    known = {q for entry in context.knowledge.entries.values() for q in entry.questions}
    found = await unanswered_groups(store, period.start, period.end, limit=MOST + len(known), skip=skip)
    groups = [g for g in found if g.text not in known and not _is_command(g.text or g.match_form)][:MOST]
    if not groups:
        await send_text(
            context, chat.id, catalog.text("staff.unanswered_none", period=period_title(period, catalog))
        )
        return
    await send_text(
        context, chat.id, catalog.text("staff.unanswered_title", period=period_title(period, catalog))
    )
    for group in groups:
        _key, ranked = context.engine.rank(group.text or group.match_form, NEAREST)
        entries = [context.knowledge.entry(c.entry_id) for c in ranked if c.entry_id in context.knowledge]
        text = catalog.text("staff.unanswered_item", text=group.text, count=persian_digits(group.count))
        markup = phrasing_keyboard(group.question_id, entries, catalog, editor=editor)
        await send_text(context, chat.id, text, markup=markup)


async def add_phrasing(update: Update, context: BotContext) -> None:
    """Append the question to the entry's phrasings (editors), audited, the engine rebuilt."""
    query, data, user = pressed(update, AddPhrasing)
    catalog = context.catalog
    found = await question_text(context.store, data.question_id)
    if role_of(context, user) is not Role.EDITOR or found is None or data.entry_id not in context.knowledge:
        await refuse(query, context)
        return
    text = found[0] or found[1]
    if _is_command(text):
        await refuse(query, context)
        return
    entry = context.knowledge.entry(data.entry_id)
    if text in entry.questions:
        await query.answer(catalog.text("staff.phrasing_exists"))
        return
    await query.answer()
    await settle(query.edit_message_reply_markup(None))
    chat_id = query.message.chat.id if query.message else user.id
    added = await apply_change(
        context,
        user,
        chat_id,
        data.entry_id,
        PHRASING,
        lambda record: {**record, "questions": [*record["questions"], text]},
        lambda: None,
        text,
    )
    if added:
        await send_text(context, chat_id, catalog.text("staff.phrasing_added", text=text, title=entry.title))


async def dismiss(update: Update, context: BotContext) -> None:
    """Hide a question's match form from later ``/unanswered`` lists (audited, undoable)."""
    query, data, user = pressed(update, Dismiss)
    found = await question_text(context.store, data.question_id)
    if role_of(context, user) is None or found is None:
        await refuse(query, context)
        return
    await record_change(
        context.store,
        staff_hash=context.user_hash(user),
        platform=context.platform.name,
        entry_id="",
        field=DISMISSED,
        before=None,
        after=found[1],
    )
    await query.answer(context.catalog.text("staff.dismissed"))
    await settle(query.edit_message_reply_markup(None))


def review_lines(
    entries: list[Entry], catalog: Catalog, max_age_days: int, today: datetime | None = None
) -> list[str]:
    """One line per entry to review: marked for review, verified too long ago, or never verified."""
    oldest = iran_day(today or datetime.now(UTC)) - timedelta(days=max_age_days)
    separator = catalog.text("staff.review_separator")
    lines = []
    for entry in entries:
        reasons = [catalog.text("staff.review_marked")] if entry.needs_review else []
        if entry.verified_on is None:
            reasons.append(catalog.text("staff.review_never"))
        elif entry.verified_on < oldest:
            reasons.append(catalog.text("staff.review_old", date=entry.verified_on.isoformat()))
        if reasons:
            lines.append(f"• {entry.id} — {entry.title} ({separator.join(reasons)})")
    return lines


def review_order(entry: Entry) -> tuple[bool, bool, date]:
    """Marked for review first, then never verified, then the longest ago verified."""
    return not entry.needs_review, entry.verified_on is not None, entry.verified_on or date.min


async def review(update: Update, context: BotContext) -> None:
    """Entries to check again against the official sources."""
    _message, user, chat = sender(update)
    catalog = context.catalog
    days = context.services.shared.settings.staff.review_after_days
    entries = sorted(context.knowledge.entries.values(), key=review_order)
    lines = review_lines(entries, catalog, days)
    if not lines:
        await send_text(context, chat.id, catalog.text("staff.review_none"))
        return
    title = catalog.text("staff.review_title", count=len(lines), days=days)
    markup = None
    if role_of(context, user) is Role.EDITOR:  # the buttons change the knowledge: editors only
        due = [entry for entry in entries if review_lines([entry], catalog, days)]
        markup = InlineKeyboardMarkup(review_rows(due[:REVIEW_BUTTONS], catalog))
        if len(due) > REVIEW_BUTTONS:
            lines.append(catalog.text("staff.review_more", count=REVIEW_BUTTONS))
    await send_text(context, chat.id, "\n".join([title, *lines]), markup=markup)


async def suggestions(update: Update, context: BotContext) -> None:
    """Phrasings learnt from citizens' choices, oldest first: editors accept or reject each."""
    _message, user, chat = sender(update)
    catalog = context.catalog
    pending = await pending_suggestions(context.store)
    if not pending:
        await send_text(context, chat.id, catalog.text("staff.suggestions_none"))
        return
    await send_text(context, chat.id, catalog.text("staff.suggestions_title", count=len(pending)))
    editor = role_of(context, user) is Role.EDITOR
    for suggestion in pending:
        if suggestion.entry_id not in context.knowledge:
            continue
        title = context.knowledge.entry(suggestion.entry_id).title
        text = catalog.text("staff.suggestion_item", text=suggestion.text, title=title)
        markup = suggestion_keyboard(suggestion.id, catalog) if editor else None
        await send_text(context, chat.id, text, markup=markup)


async def accept_suggestion(update: Update, context: BotContext) -> None:
    """Add the suggested phrasing to its entry (audited, undoable, live at once)."""
    query, data, user = pressed(update, AcceptSuggestion)
    catalog = context.catalog
    if role_of(context, user) is not Role.EDITOR:
        await refuse(query, context)
        return
    suggestion = await decide_suggestion(context.store, data.suggestion_id, accepted=True)
    if suggestion is None or suggestion.entry_id not in context.knowledge:
        await refuse(query, context)
        return
    await query.answer()
    await settle(query.edit_message_reply_markup(None))
    chat_id = query.message.chat.id if query.message else user.id
    entry = context.knowledge.entry(suggestion.entry_id)
    if suggestion.text in entry.questions:
        await send_text(context, chat_id, catalog.text("staff.phrasing_exists"))
        return
    added = await apply_change(
        context,
        user,
        chat_id,
        suggestion.entry_id,
        PHRASING,
        lambda record: {**record, "questions": [*record["questions"], suggestion.text]},
        lambda: None,
        suggestion.text,
    )
    if added:
        await send_text(
            context, chat_id, catalog.text("staff.phrasing_added", text=suggestion.text, title=entry.title)
        )


async def reject_suggestion(update: Update, context: BotContext) -> None:
    """Drop the suggestion: it is never offered again."""
    query, data, user = pressed(update, RejectSuggestion)
    if role_of(context, user) is not Role.EDITOR:
        await refuse(query, context)
        return
    if await decide_suggestion(context.store, data.suggestion_id, accepted=False) is None:
        await refuse(query, context)
        return
    await query.answer(context.catalog.text("staff.suggestion_rejected"))
    await settle(query.edit_message_reply_markup(None))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        staff_command("unanswered", Role.VIEWER, unanswered),
        staff_command("suggestions", Role.VIEWER, suggestions),
        CallbackQueryHandler(accept_suggestion, pattern=matches(AcceptSuggestion)),
        CallbackQueryHandler(reject_suggestion, pattern=matches(RejectSuggestion)),
        staff_command("review", Role.VIEWER, review),
        CallbackQueryHandler(add_phrasing, pattern=matches(AddPhrasing)),
        CallbackQueryHandler(dismiss, pattern=matches(Dismiss)),
    ]
