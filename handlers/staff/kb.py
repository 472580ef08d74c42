"""Editors change the knowledge base from the chat: ``/edit ID``, ``/undo``, ``/reload``.

``/edit ID`` shows the entry's answer and waits for the editor's next message, which is shown
back as a preview with confirm and cancel buttons. Confirming rewrites the entry's category
file (validated, atomically), audits the change and swaps in the new engine: citizens get the
new answer at once, and after a restart too. ``/undo`` reverts the editor's latest change (also
audited); ``/reload`` reloads the folder after hand edits, or shows the problems and keeps the
running knowledge.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.knowledge.edit import EditError, Record
from bot.knowledge.loader import MAX_ANSWER_CHARS, Problem, unofficial_links
from bot.knowledge.model import Entry
from bot.knowledge.review_marks import ReviewConflict, restore_review
from bot.messenger.callback_data import EditPick, StaffCancel, StaffConfirm, encode, matches, parse
from bot.messenger.staff_settings import Role
from bot.store.curation import DISMISSED, last_change, record_change, record_undo
from handlers.common import pressed, refuse, sender, settle
from handlers.context import BotContext
from handlers.keyboards import confirm_keyboard, review_rows
from handlers.sending import send_text
from handlers.staff.auth import role_of, staff_command
from handlers.staff.team import STAFF_ROLE, revert_role
from handlers.staff.workbook import WORKBOOK_IMPORT, revert_import

__all__ = [
    "ANSWER",
    "PHRASING",
    "REVIEW",
    "apply_change",
    "confirms",
    "handlers",
    "problems_text",
    "take_answer",
]

_LOG = logging.getLogger("sabtyar.staff")
#: Audited fields: an entry's answer, a phrasing added to its questions, its review state.
ANSWER = "answer"
PHRASING = "question_added"
REVIEW = "review"
_MAX_PROBLEMS = 20


def problems_text(problems: list[Problem]) -> str:
    lines = [str(problem) for problem in problems[:_MAX_PROBLEMS]]
    if len(problems) > _MAX_PROBLEMS:
        lines.append(f"… (+{len(problems) - _MAX_PROBLEMS})")
    return "\n".join(lines)


#: How many entries ``/edit`` offers for search words.
_SEARCH_RESULTS = 6
#: What an id or part of one looks like (searched in the ids only).
_ID_LIKE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]*)*")


def search_entries(context: BotContext, words: str) -> list[Entry]:
    """Entries for ``/edit`` search words: ids containing them, then (for words that are not an id
    fragment like ``smartcard``) the engine's nearest topics."""
    knowledge, typed = context.knowledge, words.strip().lower()
    found = [entry for entry_id, entry in knowledge.entries.items() if typed and typed in entry_id]
    if not _ID_LIKE.fullmatch(typed):
        _key, candidates = context.engine.rank(words, limit=_SEARCH_RESULTS)
        least = context.engine.thresholds.suggest  # what the engine itself would offer a citizen
        found += [
            knowledge.entry(c.entry_id) for c in candidates if c.entry_id in knowledge and c.score >= least
        ]
    return list(dict.fromkeys(found))[:_SEARCH_RESULTS]


async def start_edit(context: BotContext, chat_id: int, entry_id: str) -> None:
    """Show the entry's answer (with its review buttons) and wait for the new one."""
    catalog, entry = context.catalog, context.knowledge.entry(entry_id)
    context.state.start_draft("edit", entry_id)
    text = catalog.text("staff.edit_current", entry=entry.id, title=entry.title, answer=entry.answer)
    await send_text(context, chat_id, text, markup=InlineKeyboardMarkup(review_rows([entry], catalog)))


async def edit(update: Update, context: BotContext) -> None:
    """``/edit ID`` shows the entry's answer and waits for the new one; ``/edit words`` offers the
    entries those words find, as buttons."""
    _message, _user, chat = sender(update)
    catalog, args = context.catalog, context.args or []
    if not args:
        await send_text(context, chat.id, catalog.text("staff.edit_usage"))
        return
    entry_id = args[0].strip().lower()
    if len(args) == 1 and entry_id in context.knowledge:
        await start_edit(context, chat.id, entry_id)
        return
    words = " ".join(args)
    found = search_entries(context, words)
    if not found and _ID_LIKE.fullmatch(words.lower()):
        await send_text(context, chat.id, catalog.text("staff.unknown_entry", entry=entry_id))
        return
    if not found:
        await send_text(context, chat.id, catalog.text("staff.edit_search_none", words=words))
        return
    rows = [
        [InlineKeyboardButton(f"{entry.title} ({entry.id})", callback_data=encode(EditPick(entry.id)))]
        for entry in found
    ]
    text = catalog.text("staff.edit_search_title", words=words)
    await send_text(context, chat.id, text, markup=InlineKeyboardMarkup(rows))


async def pick_entry(update: Update, context: BotContext) -> None:
    """An entry chosen from ``/edit`` search results: start editing it."""
    query, data, user = pressed(update, EditPick)
    if role_of(context, user) is not Role.EDITOR or data.entry_id not in context.knowledge:
        await refuse(query, context)
        return
    await query.answer()
    await start_edit(context, query.message.chat.id if query.message else user.id, data.entry_id)


async def take_answer(update: Update, context: BotContext, text: str) -> None:
    """The editor's new answer: shown back with confirm and cancel."""
    _message, _user, chat = sender(update)
    draft, catalog = context.state.pending_draft(), context.catalog
    assert draft is not None
    if len(text) > MAX_ANSWER_CHARS:
        await send_text(context, chat.id, catalog.text("staff.answer_too_long", limit=MAX_ANSWER_CHARS))
        return
    unofficial = unofficial_links(text, context.services.shared.settings.knowledge_dir)
    if unofficial:
        await send_text(context, chat.id, catalog.text("staff.unofficial_link", links="\n".join(unofficial)))
        return
    context.state.draft = replace(draft, text=text)
    preview = catalog.text("staff.edit_preview", entry=draft.entry_id, answer=text)
    await send_text(context, chat.id, preview, markup=confirm_keyboard("edit", draft.id, catalog))


async def apply_change(
    context: BotContext,
    user: User,
    chat_id: int,
    entry_id: str,
    field: str,
    change: Callable[[Record], Record],
    before: Callable[[], str | None],
    after: str,
) -> bool:
    """Write one staff change to the entry's file, swap the engine and audit it.

    ``before`` is read after the change ran (the change may capture the old value).
    On a validation error the staff member is told why and nothing is recorded.
    """
    try:
        await context.services.shared.live.change_entry(entry_id, change)
    except EditError as error:
        failed = context.catalog.text(
            "staff.edit_failed", problems=problems_text(error.problems) or str(error)
        )
        await send_text(context, chat_id, failed)
        return False
    staff_hash = context.user_hash(user)
    await record_change(
        context.store,
        staff_hash=staff_hash,
        platform=context.platform.name,
        entry_id=entry_id,
        field=field,
        before=before(),
        after=after,
    )
    _LOG.info("entry %s: %s changed by staff %s", entry_id, field, staff_hash[:12])
    return True


def _set_answer(answer: str) -> Callable[[Record], Record]:
    return lambda record: {**record, "answer": answer}


async def confirm_edit(update: Update, context: BotContext) -> None:
    """Write the previewed answer, audit it and swap the engine."""
    query, data, user = pressed(update, StaffConfirm)
    draft, catalog = context.state.pending_draft(), context.catalog
    stale = draft is None or draft.id != data.draft or draft.task != "edit" or not draft.text
    if role_of(context, user) is not Role.EDITOR or draft is None or draft.text is None or stale:
        await refuse(query, context)
        return
    await query.answer()
    await settle(query.edit_message_reply_markup(None))
    context.state.draft = None
    text = draft.text
    chat_id = query.message.chat.id if query.message else user.id
    before: list[str] = []

    def change(record: Record) -> Record:
        before.append(record["answer"])  # the answer in the file, which is what changes
        return {**record, "answer": text}

    if await apply_change(context, user, chat_id, draft.entry_id, ANSWER, change, lambda: before[0], text):
        await send_text(context, chat_id, catalog.text("staff.edit_saved", entry=draft.entry_id))


async def cancel(update: Update, context: BotContext) -> None:
    """Drop the previewed edit or broadcast."""
    query, data, _user = pressed(update, StaffCancel)
    draft = context.state.pending_draft()
    if draft is None or draft.task != data.task or draft.id != data.draft:
        await refuse(query, context)
        return
    context.state.draft = None
    await query.answer(context.catalog.text("staff.cancelled"))
    await settle(query.edit_message_reply_markup(None))


class Conflict(EditError):
    """The entry changed again after the change being undone."""


def _revert(field: str, before: str | None, after: str | None) -> Callable[[Record], Record] | None:
    """The change that undoes one audited change (``None``: nothing to write)."""

    def answer(record: Record) -> Record:
        if record["answer"] != (after or ""):
            raise Conflict("changed since")
        return {**record, "answer": before or ""}

    if field == ANSWER:
        return answer
    if field == REVIEW:
        restore = restore_review(before or "|false", after or "|false")

        def review(record: Record) -> Record:
            try:
                return restore(record)
            except ReviewConflict as error:
                raise Conflict(str(error)) from error

        return review
    if field == PHRASING:
        return lambda record: {**record, "questions": [q for q in record["questions"] if q != after]}
    return None


async def undo(update: Update, context: BotContext) -> None:
    """Revert this editor's latest change that is not undone yet."""
    _message, user, chat = sender(update)
    catalog, store = context.catalog, context.store
    staff_hash = context.user_hash(user)
    change = await last_change(store, staff_hash)
    if change is None:
        await send_text(context, chat.id, catalog.text("staff.undo_nothing"))
        return
    if change.field in (STAFF_ROLE, WORKBOOK_IMPORT):
        reverted = (
            revert_role(context, change, user)
            if change.field == STAFF_ROLE
            else revert_import(context, change)
        )
        if not await reverted:
            await send_text(context, chat.id, catalog.text("staff.undo_conflict", entry=change.entry_id))
            return
    revert = _revert(change.field, change.before, change.after)
    if revert is not None:
        try:
            await context.services.shared.live.change_entry(change.entry_id, revert)
        except Conflict:
            await send_text(context, chat.id, catalog.text("staff.undo_conflict", entry=change.entry_id))
            return
        except EditError as error:
            text = catalog.text("staff.edit_failed", problems=problems_text(error.problems) or str(error))
            await send_text(context, chat.id, text)
            return
    await record_undo(store, change, staff_hash=staff_hash, platform=context.platform.name)
    _LOG.info(
        "change %s (%s of %s) undone by staff %s", change.id, change.field, change.entry_id, staff_hash[:12]
    )
    what = change.after or "" if change.field == DISMISSED else change.entry_id
    await send_text(context, chat.id, catalog.text(f"staff.undone_{change.field}", entry=what))


async def reload(update: Update, context: BotContext) -> None:
    """Reload the knowledge folder; a broken file leaves the running knowledge as it is."""
    _message, _user, chat = sender(update)
    catalog = context.catalog
    problems = await context.services.shared.live.reload()
    if problems:
        text = catalog.text("staff.reload_failed", count=len(problems), problems=problems_text(problems))
        await send_text(context, chat.id, text)
        return
    knowledge = context.knowledge
    text = catalog.text("staff.reloaded", entries=len(knowledge), categories=len(knowledge.categories))
    await send_text(context, chat.id, text)


def confirms(task: str) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern for the confirm button of a ``task`` draft."""

    def check(data: object) -> bool:
        found = parse(data)
        return isinstance(found, StaffConfirm) and found.task == task

    return check


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        staff_command("edit", Role.EDITOR, edit),
        staff_command("undo", Role.EDITOR, undo),
        staff_command("reload", Role.EDITOR, reload),
        CallbackQueryHandler(confirm_edit, pattern=confirms("edit")),
        CallbackQueryHandler(pick_entry, pattern=matches(EditPick)),
        CallbackQueryHandler(cancel, pattern=matches(StaffCancel)),
    ]
