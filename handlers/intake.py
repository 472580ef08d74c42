"""The first look at every update: who sent it, and text the rest of the bot can store and send.

- An update without a human sender (a channel post, an anonymous group admin, a service message,
  another bot) is nobody's question: it stops here, silently, and nothing is stored.
- An edited message is not answered again (edits are not asked for, but a forged webhook post
  may carry one, and PTB's command handlers would answer it): it stops here, silently.
- A button press without data (or a game's) matches every button handler in PTB: it is refused.
- A lone UTF-16 surrogate (``"\\ud800"``: valid JSON, not encodable text) in a message's text or
  caption becomes U+FFFD, one UTF-16 unit for one, so the entities' offsets stay right.
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from handlers.common import refuse
from handlers.context import BotContext

__all__ = ["clean_text", "intake"]

_LOG = logging.getLogger("sabtyar.intake")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (a valid pair cannot occur in ``str``)."""
    return _SURROGATE.sub("\ufffd", text)


def _clean(message: Message | None) -> None:
    if message is None:
        return
    text, caption = message.text, message.caption
    if (text and _SURROGATE.search(text)) or (caption and _SURROGATE.search(caption)):
        with message._unfrozen():  # PTB's objects are frozen; this one is ours until handled
            message.text = clean_text(text) if text else text
            message.caption = clean_text(caption) if caption else caption
    _clean(message.reply_to_message)


async def intake(update: Update, context: BotContext) -> None:
    """Stop updates without a human sender and edits; refuse presses without data; make message
    texts encodable."""
    user = update.effective_user
    if user is None or user.is_bot:
        kind = next((k for k in Update.ALL_TYPES if getattr(update, k, None) is not None), "unknown")
        _LOG.debug("update %s (%s) has no human sender: not handled", update.update_id, kind)
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None and not query.data:
        await refuse(query, context)
        raise ApplicationHandlerStop
    _clean(update.message)
