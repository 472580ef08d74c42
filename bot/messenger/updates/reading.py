"""An update as the handlers get it: PTB's ``Update``, with the pressed message of a button light.

A button press carries the whole message the button is under: for an answer, its text of a few
hundred characters with its entities and its keyboard of ten buttons, which PTB parses into
objects button by button (about half the CPU of reading such an update). The handlers read of
that message only its ids and chat, and the keyboard when they change it (a rating marks its
face, "more details" drops its button). So the message's text, caption and their entities are
left out, and its keyboard is kept as the Bot API sent it, under ``PRESSED_KEYBOARD`` in the
message's ``api_kwargs``, read when a handler asks for it (``handlers.keyboards.pressed_keyboard``).
What the inbox records is the update as it came: only the parsed copy is light.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update

__all__ = ["PRESSED_KEYBOARD", "read_update"]

#: Where a pressed message's keyboard is kept, as JSON (the Bot API never sends this field).
PRESSED_KEYBOARD = "sabtyar_keyboard"
#: Fields of a pressed message no handler reads (its keyboard is kept apart).
_UNREAD = frozenset({"text", "entities", "caption", "caption_entities", "reply_markup"})


def read_update(data: dict[str, Any], bot: Bot) -> Update | None:
    """``Update.de_json(data, bot)``, a button press's message read light (see the module)."""
    return Update.de_json(_light(data), bot)


def _light(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its pressed message light; ``data`` itself is left as it is."""
    query = data.get("callback_query")
    if not isinstance(query, dict):
        return data
    message = query.get("message")
    if not isinstance(message, dict) or not _UNREAD.intersection(message):
        return data
    light = {key: value for key, value in message.items() if key not in _UNREAD}
    if isinstance(message.get("reply_markup"), dict):
        light[PRESSED_KEYBOARD] = message["reply_markup"]
    return {**data, "callback_query": {**query, "message": light}}
