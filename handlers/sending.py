"""Sending replies: split over 4,096 characters, HTML only where the platform supports it.

Replies go through :class:`bot.messenger.lean_bot.LeanBot`'s calls, which do not parse the message
the Bot API returns (its ids are all that is kept: :class:`~bot.messenger.lean_bot.Sent`)."""

from __future__ import annotations

import html

from telegram import Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.messenger.lean_bot import Markup, Sent
from bot.messenger.text_split import split_text
from handlers.context import BotContext

__all__ = ["edit_text", "send_text"]


def _format(piece: str, bold: str | None) -> str:
    escaped = html.escape(piece, quote=False)
    if bold and piece.startswith(bold):
        title = html.escape(bold, quote=False)
        return f"<b>{title}</b>{escaped[len(title) :]}"
    return escaped


def _rendered(context: BotContext, piece: str, bold: str | None) -> tuple[str, ParseMode | None]:
    """One message's text and parse mode: HTML with the bold title where the platform supports it."""
    if context.platform.parse_mode_supported:
        return _format(piece, bold), ParseMode.HTML
    return piece, None


async def send_text(
    context: BotContext,
    chat_id: int,
    text: str,
    *,
    markup: Markup | None = None,
    bold: str | None = None,
    reply_to: int | None = None,
) -> list[Sent]:
    """Send ``text`` in as many messages as it needs, the keyboard on the last one (their ids).

    ``bold`` (the answer's title) is set in bold where the platform supports formatting;
    elsewhere everything is plain text. ``reply_to`` quotes the citizen's message (in groups).
    """
    pieces = split_text(text)
    sent = []
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        body, parse_mode = _rendered(context, piece, bold if number == 0 else None)
        sent.append(
            await context.bot.send_reply(
                chat_id,
                body,
                parse_mode=parse_mode,
                reply_markup=markup if last else None,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and number == 0
                else None,
            )
        )
    return sent


async def edit_text(
    context: BotContext,
    message: Message,
    text: str,
    *,
    markup: Markup | None = None,
    bold: str | None = None,
) -> bool:
    """Replace ``message``'s text (and keyboard) with ``text``; ``False``, changing nothing, when it
    needs more than one message or the platform refuses the edit (the caller sends it instead)."""
    pieces = split_text(text)
    if len(pieces) != 1:
        return False
    body, parse_mode = _rendered(context, pieces[0], bold)
    try:
        await context.bot.edit_reply(
            message.chat_id, message.message_id, body, parse_mode=parse_mode, reply_markup=markup
        )
    except BadRequest:
        return False
    return True
