"""Human handoff: a citizen asks for a person; staff answer in their group; the bot relays.

Pressing "talk to a person" (on the no-match reply, the ``human-agent`` answer, or after a low
rating) opens a handoff, keeps the citizen's chat id for it (``hold_contact``) and posts the
citizen's recent questions (masked; language and platform, never an id) to the platform's staff
group. Only from a private chat: a staff reply never goes to a group, let alone a public one.
A reply to that post by a staff member (``[staff.<platform>]``, never a bot) is sent to the
citizen, counted as the staff reply, and the chat id is released; anyone else's reply is ignored.
Outside office hours the citizen is told when the office opens and pointed to the official site.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram import Chat, ReplyParameters, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.messenger.callback_data import Handoff, matches
from bot.store.curation import recent_questions
from bot.store.handoffs import (
    handoff_for_message,
    link_handoff_message,
    open_handoff,
    record_staff_reply,
    waiting_handoff,
    withdraw_handoff,
)
from handlers.citizen.handoff_notice import opening_text, tell_expectation
from handlers.common import pressed, refuse, sender
from handlers.context import BotContext
from handlers.recording import question_owner
from handlers.sending import send_text
from handlers.staff.auth import log_refusal, role_of

__all__ = ["handlers", "opening_text", "relay_reply"]

_LOG = logging.getLogger("sabtyar.handoff")
#: A second request within this time, while the first waits for staff, is not posted again.
WAITING = timedelta(hours=24)


async def request_person(update: Update, context: BotContext) -> None:
    """Open a handoff and forward the citizen's recent questions to the staff group."""
    query, data, user = pressed(update, Handoff)
    group, store, catalog = context.handoff_group, context.store, context.catalog
    user_hash = context.user_hash(user)
    owned = not data.question_id or await question_owner(context, data.question_id) == user_hash
    if group is None or query.message is None or not owned:
        await refuse(query, context)
        return
    if query.message.chat.type != Chat.PRIVATE:
        await query.answer(catalog.text("handoff.private_only"), show_alert=True)
        return
    await query.answer()
    chat_id, platform = query.message.chat.id, context.platform.name
    if await waiting_handoff(store, user_hash, datetime.now(UTC) - WAITING) is not None:
        await store.hold_contact(user_hash, platform, chat_id, "handoff")
        await send_text(context, chat_id, catalog.text("handoff.already"))
        return
    handoff_id = await open_handoff(
        store, user_hash=user_hash, platform=platform, question_id=data.question_id or None
    )
    await store.hold_contact(user_hash, platform, chat_id, "handoff")
    recent = await recent_questions(store, user_hash)
    staff = context.services.shared.locales.get(None)
    questions = "\n".join(f"• {text}" for _id, text in recent if text) or staff.text("handoff.no_questions")
    post = staff.text(
        "handoff.forward",
        handoff=handoff_id,
        language=catalog.language,
        platform=platform,
        questions=questions,
    )
    try:
        sent = await send_text(context, group, post)  # a long post comes in several parts
    except (TelegramError, ValueError) as error:
        _LOG.error("handoff %s: cannot post to the staff group: %s", handoff_id, error)
        await withdraw_handoff(store, handoff_id)
        await store.release_contact(user_hash, "handoff")
        await send_text(context, chat_id, catalog.text("handoff.unavailable"))
        return
    for part in sent:  # a reply to any part reaches the citizen
        await link_handoff_message(
            store, platform=platform, chat_id=group, message_id=part.message_id, handoff_id=handoff_id
        )
    await tell_expectation(context, chat_id)


async def relay_reply(update: Update, context: BotContext) -> bool:
    """A reply in the staff group to a handoff post: deliver it to the citizen. ``False`` if it is not one.

    A reply by anyone but staff (a member of the group who is not in ``[staff]``, a bot) is
    taken and ignored: ``True``, nothing sent."""
    message, user, chat = sender(update)
    replied = message.reply_to_message
    if chat.type == Chat.PRIVATE or chat.id != context.handoff_group or replied is None:
        return False
    store, platform = context.store, context.platform.name
    found = await handoff_for_message(
        store, platform=platform, chat_id=chat.id, message_id=replied.message_id
    )
    text = (message.text or "").strip()
    if found is None or not text:
        return False
    handoff_id, user_hash = found
    if role_of(context, user) is None:
        log_refusal(context, user, f"reply to handoff {handoff_id}")
        return True
    staff = context.services.shared.locales.get(None)
    quote = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    citizen = await store.contact(user_hash)
    if citizen is None:
        await context.bot.send_message(chat.id, staff.text("handoff.gone"), reply_parameters=quote)
        return True
    try:
        await send_text(context, citizen, staff.text("handoff.staff_reply", text=text))
    except Forbidden:
        await store.release_contact(user_hash, "handoff")
        await context.bot.send_message(chat.id, staff.text("handoff.blocked"), reply_parameters=quote)
        return True
    await record_staff_reply(store, handoff_id)
    await store.release_contact(user_hash, "handoff")
    _LOG.info("handoff %s: staff reply delivered", handoff_id)
    await context.bot.send_message(chat.id, staff.text("handoff.delivered"), reply_parameters=quote)
    return True


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CallbackQueryHandler(request_person, pattern=matches(Handoff))]
