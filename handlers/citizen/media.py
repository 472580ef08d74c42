"""Stickers, photos, voice, files and other non-text messages: a kind reply saying what the bot reads;
a caption is read as the question it asks («شناسنامه‌ام گم شده» under a photo of it)."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from handlers.asking.questions import ask
from handlers.common import quote_id, sender
from handlers.context import BotContext
from handlers.sending import send_text

__all__ = ["handlers", "media_kind"]

_KINDS = (
    ("sticker", "sticker"),
    ("photo", "photo"),
    ("voice", "voice"),
    ("audio", "voice"),
    ("video_note", "video"),
    ("video", "video"),
    ("animation", "video"),
    ("document", "document"),
)


def media_kind(message: Message) -> str:
    """``sticker``, ``photo``, ``voice``, ``video``, ``document`` or ``other``."""
    return next((kind for field, kind in _KINDS if getattr(message, field, None)), "other")


async def on_media(update: Update, context: BotContext) -> None:
    """Answer a caption as a question; otherwise say kindly that the bot reads text questions (and
    shared locations)."""
    message, _user, chat = sender(update)
    if (message.caption or "").strip():
        await ask(update, context)
        return
    text = context.catalog.text(f"media.{media_kind(message)}")
    await send_text(context, chat.id, text, reply_to=quote_id(message))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Every new message that is neither text nor a location."""
    return [MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.LOCATION, on_media)]
