"""PTB's ``ExtBot`` plus reply calls whose answer is not read back into objects.

python-telegram-bot parses every sent or edited message the Bot API returns into a ``Message``
(its chat, sender, entities and the whole inline keyboard, button by button): under load the
largest share of the bot's CPU outside the engine (``benchmarks/load_benchmark.py --profile``).
A reply's handler never reads it; what is needed of it (the message's id and chat, for a handoff
post's replies or a progress line edited later) is two numbers of the JSON.

:class:`LeanBot` adds :meth:`~LeanBot.send_reply`, :meth:`~LeanBot.edit_reply` and
:meth:`~LeanBot.edit_markup`: the same Bot API calls as ``send_message``, ``edit_message_text``
and ``edit_message_reply_markup``, through the same path (defaults, the rate limiter, the
transport with its retries and delivery count, PTB's errors for a refused call), returning only
:class:`Sent` (no arbitrary callback data: sabtyar's button data is its own short text). Every
other call is PTB's own.

Their inline keyboards are written out by :func:`markup_json`: PTB's generic ``to_dict`` walks
every attribute of every button (about as much CPU as the HTTP call itself); a button of text
and callback data or a link, which is every button sabtyar makes, is two or three keys. A keyboard
may also be given as that JSON already (:data:`KeyboardJson`: an answer's, a rating's marked row),
made without PTB's button objects at all.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.ext import ExtBot

__all__ = ["KeyboardJson", "LeanBot", "Markup", "Sent", "markup_json"]

#: The fields of a button written out by hand; any other one set, and PTB's ``to_dict`` does it.
_PLAIN_FIELDS = ("text", "callback_data", "url")
_OTHER_FIELDS = operator.attrgetter(*(f for f in InlineKeyboardButton.__slots__ if f not in _PLAIN_FIELDS))
_UNSET = _OTHER_FIELDS(InlineKeyboardButton("", callback_data=""))  # their values when not given


#: An inline keyboard as the Bot API's JSON: ``{"inline_keyboard": [[{"text": ..., "callback_data":
#: ...}, ...], ...]}``, sent as it is.
type KeyboardJson = dict[str, list[list[dict[str, str]]]]
#: A reply's keyboard: PTB's object, or its JSON already made.
type Markup = InlineKeyboardMarkup | KeyboardJson


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the Bot API sent or edited: what the bot may need of it later."""

    chat_id: int
    message_id: int


def _sent(result: Any) -> Sent | None:
    """The ids of the message in a call's result (``None`` for a bare ``true``)."""
    if not isinstance(result, dict):
        return None
    chat = result.get("chat")
    message_id = result.get("message_id")
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int) or not isinstance(message_id, int):
        return None
    return Sent(chat["id"], message_id)


def _button_json(button: InlineKeyboardButton) -> dict[str, Any]:
    if button.api_kwargs or _OTHER_FIELDS(button) != _UNSET:
        return button.to_dict()
    data: dict[str, Any] = {"text": button.text}
    if button.callback_data is not None:
        data["callback_data"] = button.callback_data
    if button.url is not None:
        data["url"] = button.url
    return data


def markup_json(markup: Markup | None) -> dict[str, Any] | None:
    """``markup.to_dict()``, the same JSON, made quickly for the buttons sabtyar makes (a keyboard
    given as JSON: as it is)."""
    if markup is None or isinstance(markup, dict):
        return markup
    if markup.api_kwargs or not markup.inline_keyboard:  # PTB leaves an empty list out
        return markup.to_dict()
    return {"inline_keyboard": [[_button_json(button) for button in row] for row in markup.inline_keyboard]}


class LeanBot(ExtBot[None]):
    """``ExtBot`` with reply calls that return only the message's ids (see the module)."""

    async def send_reply(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: Markup | None = None,
        reply_parameters: ReplyParameters | None = None,
    ) -> Sent:
        """``sendMessage``; the sent message's ids."""
        data: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": markup_json(reply_markup),
            "reply_parameters": reply_parameters,
        }
        sent = _sent(await self._post("sendMessage", data))
        if sent is None:  # the Bot API always returns the message it sent
            raise ValueError("sendMessage returned no message")
        return sent

    async def edit_reply(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: Markup | None = None,
    ) -> Sent | None:
        """``editMessageText``; the edited message's ids (``None`` when the Bot API answered a
        bare ``true``: an edit already made, see :mod:`bot.messenger.http_client`)."""
        data: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": markup_json(reply_markup),
        }
        return _sent(await self._post("editMessageText", data))

    async def edit_markup(self, chat_id: int, message_id: int, reply_markup: Markup | None) -> Sent | None:
        """``editMessageReplyMarkup`` (``None``: the keyboard removed); as :meth:`edit_reply`."""
        data: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "reply_markup": markup_json(reply_markup),
        }
        return _sent(await self._post("editMessageReplyMarkup", data))
