"""Per-citizen flood control at the door: one polite "slow down", then silence until the window passes."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.messenger.flood import Verdict
from handlers.common import quote_id
from handlers.context import BotContext
from handlers.sending import send_text
from handlers.staff.auth import role_of

__all__ = ["flood_gate"]


async def flood_gate(update: Update, context: BotContext) -> None:
    """Count each citizen's messages; button presses are not counted (they are always answered),
    nor are staff's (an announcement or a new answer must never be dropped)."""
    message, user = update.message, update.effective_user
    if message is None or user is None or role_of(context, user) is not None:
        return
    verdict = context.services.flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        await send_text(
            context, message.chat.id, context.catalog.text("bot.slow_down"), reply_to=quote_id(message)
        )
    raise ApplicationHandlerStop
