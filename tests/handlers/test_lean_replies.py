"""A citizen's replies are sent and edited without python-telegram-bot parsing the message the Bot
API returns (the bot's CPU under load: ``bot/messenger/lean_bot.py``), and look as before."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot as TelegramBot
from telegram import InlineKeyboardMarkup, Message

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Choose, Rate, encode
from bot.messenger.lean_bot import markup_json
from bot.messenger.updates.reading import read_update
from handlers.asking.answers import has_more
from handlers.keyboards import answer_keyboard, marked_rating, pressed_keyboard, with_rating
from tests.support.bot_harness import DID_YOU_MEAN_CANDIDATES, Bot, find_question, running_bot

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"


async def handled(bot: Bot, updates: int, timeout: float = 5.0) -> None:
    """Wait until the inbox has marked ``updates`` updates done (their handling over)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while bot.rows("SELECT count(*) FROM inbox WHERE done_at IS NOT NULL") != [(updates,)]:
        assert asyncio.get_running_loop().time() < deadline, bot.rows("SELECT update_id, done_at FROM inbox")
        await asyncio.sleep(0.02)


async def test_replies_are_not_parsed_back(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's own messages become ``Message`` objects only where an update carries them (the
    pressed message of a button), never from a reply's result; the citizen sees the same."""
    parsed: list[int] = []
    original = Message.__init__

    @functools.wraps(original)  # PTB reads Message's parameters from its signature (a light message)
    def counting(self: Message, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.from_user is not None and self.from_user.is_bot:
            parsed.append(self.message_id)

    monkeypatch.setattr(Message, "__init__", counting)
    async with running_bot(tmp_path, engine, locales) as bot:
        api, fa = bot.api, bot.fa
        citizen = api.create_user("Sara")
        api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
        [answer] = await api.wait_for_messages(citizen.id)
        await handled(bot, 1)
        assert parsed == []  # the answer sent, with its keyboard: nothing parsed back
        [[event_id]] = bot.rows("SELECT id FROM answer_events")
        faces = [b["text"] for b in answer.buttons]
        toast = await bot.press(citizen, answer, encode(Rate(event_id, 5)), edits="editMessageReplyMarkup")
        await handled(bot, 2)
        assert toast["text"] == fa.text("rating.thanks", rating=fa.text("rating.name_5"))
        assert parsed == [answer.message_id]  # the pressed message in the update, not the edit's result
        assert [b["text"] for b in answer.buttons] != faces  # the chosen face marked

        doubtful = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
        api.user_sends_text(citizen, doubtful)
        [question] = await api.wait_for_messages(citizen.id)
        assert question.text == fa.text("bot.did_you_mean")
        choice = next(b["callback_data"] for b in question.buttons if b["callback_data"].startswith("c:"))
        await bot.press(citizen, question, choice, edits="editMessageText")
        await handled(bot, 4)
        assert question.text != fa.text("bot.did_you_mean")  # the answer edited in place
        assert parsed == [answer.message_id, question.message_id]


def _pressed(keyboard: dict[str, Any]) -> Message:
    """The pressed message of a button under ``keyboard``, as the handlers get it (read light)."""
    press = {
        "update_id": 1,
        "callback_query": {
            "id": "1",
            "from": {"id": 5, "is_bot": False, "first_name": "a"},
            "chat_instance": "c",
            "data": "x",
            "message": {
                "message_id": 7,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "پاسخ",
                "reply_markup": keyboard,
            },
        },
    }
    update = read_update(press, TelegramBot("123:abc"))
    assert update is not None and isinstance(update.callback_query.message, Message)  # type: ignore[union-attr]
    return update.callback_query.message  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_rating_marks_the_answers_keyboard_as_json_as_ptbs_objects_would(
    engine: AnswerEngine, locales: Locales, language: str
) -> None:
    """An answer's keyboard is made as JSON (no button objects), and a rating marks its face in
    the JSON the Bot API sent it as: the same keyboard the objects made, marked again after
    another rating too; a keyboard with another kind of button is marked through PTB's objects."""
    catalog, knowledge = locales.get(language), engine.knowledge
    entry = next(e for e in knowledge.entries.values() if has_more(e) and e.follow_ups)
    other = next(e for e in knowledge.entries.values() if e.id != entry.id)
    keyboard = answer_keyboard(
        entry, knowledge, 10**15, catalog, more=True, handoff=True, offered=[(Choose(9, 0), other)]
    )
    assert [row[0]["callback_data"] for row in keyboard["inline_keyboard"][:2]] == [
        "c:9:0",
        "more:1000000000000000",
    ]
    assert len(keyboard["inline_keyboard"][-1]) == 5  # the faces
    for score in (5, 1):
        marked = marked_rating(_pressed(keyboard), 10**15, score, catalog)
        objects = markup_json(with_rating(pressed_keyboard(_pressed(keyboard)), 10**15, score, catalog))
        assert isinstance(marked, dict) and marked == objects
        assert marked["inline_keyboard"][:-1] == keyboard["inline_keyboard"][:-1]
        keyboard = marked
    linked = {
        "inline_keyboard": [[{"text": "سایت", "url": "https://example.org"}], *keyboard["inline_keyboard"]]
    }
    marked = marked_rating(_pressed(linked), 10**15, 3, catalog)
    assert isinstance(marked, InlineKeyboardMarkup)
    assert markup_json(marked) == markup_json(
        with_rating(pressed_keyboard(_pressed(linked)), 10**15, 3, catalog)
    )
