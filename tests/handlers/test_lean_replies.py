"""A citizen's replies are sent and edited without python-telegram-bot parsing the message the Bot
API returns (the bot's CPU under load: ``bot/messenger/lean_bot.py``), and look as before."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from telegram import Message

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Rate, encode
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
