"""A citizen who blocks the bot is unsubscribed (their chat id is then deleted from the store)."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler

from handlers.context import BotContext

__all__ = ["handlers"]


async def on_block(update: Update, context: BotContext) -> None:
    """Drop the blocked citizen's subscription, if any."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
        await context.store.unsubscribe(context.user_hash(change.from_user))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [ChatMemberHandler(on_block, ChatMemberHandler.MY_CHAT_MEMBER)]
