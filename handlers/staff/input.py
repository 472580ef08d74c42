"""Texts that belong to staff work, before the question handler sees them.

Runs in its own group between the low-rating comment and the commands: a reply in the staff
group to a handoff post goes to the citizen; an editor's message after ``/edit`` or
``/broadcast`` is the new answer or the announcement (previewed for confirmation), and an
admin's forwarded message after ``/staff add ROLE`` names the new staff member. Any command
cancels the wait. Everything else goes on to the citizen handlers.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot.messenger.staff_settings import Role
from handlers.citizen import handoff
from handlers.common import sender
from handlers.context import BotContext
from handlers.staff import broadcast, team
from handlers.staff import kb as staff_kb
from handlers.staff.auth import role_of

__all__ = ["handlers"]


async def route(update: Update, context: BotContext) -> None:
    """Take staff texts; let the rest through."""
    message, user, _chat = sender(update)
    if message.reply_to_message is not None and await handoff.relay_reply(update, context):
        raise ApplicationHandlerStop
    draft = context.state.pending_draft()
    if draft is None or draft.text is not None:
        return
    text = (message.text or "").strip()
    if text.startswith("/") or role_of(context, user) is not Role.EDITOR:
        context.state.draft = None
        return
    if not text:
        return
    if draft.task == "edit":
        await staff_kb.take_answer(update, context, text)
    elif team.is_staff_draft(draft.task):
        await team.take_forward(update, context)
    else:
        await broadcast.take_announcement(update, context, text)
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, route)]
