"""In groups the bot answers only when mentioned, replied to, or commanded; the rest is not its business."""

from __future__ import annotations

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from handlers.context import BotContext

__all__ = ["addressed", "group_gate"]


def addressed(message: Message, bot_id: int, bot_username: str | None) -> bool:
    """A reply to the bot, a mention of it, or a command (not one for another bot)."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    name = f"@{bot_username}".lower() if bot_username else None
    text = message.text or message.caption or ""
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, value in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            target = value.partition("@")[2].lower()
            if not target or (name is not None and f"@{target}" == name):
                return True
        if entity.type == MessageEntity.MENTION and name is not None and value.lower() == name:
            return True
    return name is not None and name in text.lower()


async def group_gate(update: Update, context: BotContext) -> None:
    """Stop group messages not addressed to the bot; private chats and button presses pass."""
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE or update.callback_query is not None:
        return
    message = update.message
    if message is None or not addressed(message, context.bot.id, context.bot.username):
        raise ApplicationHandlerStop
