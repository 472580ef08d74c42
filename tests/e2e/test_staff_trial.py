"""A staff trial replayed on the local Bot API (issue 14): low ratings, comments, new questions right
after a low rating, handoffs answered by staff, staff commands typed by citizens. Every question a
citizen asked is counted by ``sabtyar stats --json``, and nothing else is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Handoff, encode
from tests.handlers.test_staff_handlers import OUT_OF_SCOPE, STAFF_GROUP, data_of, staff, staff_settings
from tests.support.bot_harness import Bot, running_bot
from tests.support.cli import run_cli
from tests.support.fakeapi import FakeUser, SentMessage


async def rate(bot: Bot, citizen: FakeUser, shown: SentMessage, score: int) -> SentMessage:
    """Rate the latest answer shown to ``citizen``; the comment prompt comes back."""
    [[event_id]] = bot.rows(
        "SELECT id FROM answer_events WHERE user_hash = ? ORDER BY shown_at DESC LIMIT 1",
        bot.user_hash(citizen),
    )
    await bot.press(citizen, shown, f"r:{event_id}:{score}")
    [prompt] = await bot.api.wait_for_messages(citizen.id)
    assert prompt.text == bot.fa.text("rating.comment_prompt", minutes=10)
    return prompt


async def hand_off(bot: Bot, citizen: FakeUser, editor: FakeUser, message: SentMessage, reply: str) -> None:
    await bot.press(citizen, message, encode(Handoff()), strict=False)
    [post] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=10)
    await bot.api.wait_for_messages(citizen.id)  # sent, or when the office opens
    bot.api.user_sends_text(editor, reply, chat=STAFF_GROUP, reply_to=post)
    [answer] = await bot.api.wait_for_messages(citizen.id, timeout=10)
    assert answer.text == bot.fa.text("handoff.staff_reply", text=reply)
    await bot.api.wait_for_messages(STAFF_GROUP)  # delivered


async def test_a_staff_trial_counts_every_question_asked_and_nothing_else(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = 0
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        editor, _viewer, first = staff(bot)
        bot.api.create_group("کارشناسان", [editor], chat_id=STAFF_GROUP)
        second = bot.api.create_user()

        async def ask(citizen: FakeUser, text: str) -> SentMessage:
            nonlocal asked
            asked += 1
            [reply] = await bot.say(citizen, text)
            assert reply.text != bot.fa.text("rating.comment_thanks"), text
            return reply

        shown = await ask(first, "شناسنامه‌ام گم شده")
        await rate(bot, first, shown, 1)
        [thanks] = await bot.say(first, "پاسخ خیلی کلی بود")  # a remark: the comment
        assert thanks.text == bot.fa.text("rating.comment_thanks")
        shown = await ask(first, "کارت ملی‌ام را کجا تحویل بگیرم")
        await rate(bot, first, shown, 2)
        shown = await ask(first, "هزینه المثنی شناسنامه چقدره")  # a new question right away
        await rate(bot, first, shown, 1)
        shown = await ask(first, "ثبت ولادت نوزاد")
        unknown = await ask(first, OUT_OF_SCOPE)
        await hand_off(bot, first, editor, unknown, "سلام، لطفاً به دفتر پیشخوان بروید.")

        shown = await ask(second, "طلاق چطوری ثبت میشه")
        prompt = await rate(bot, second, shown, 2)
        await bot.press(second, prompt, data_of(prompt)[0])  # skip the comment
        shown = await ask(second, "مدارک لازم برای تعویض شناسنامه؟")
        await rate(bot, second, shown, 1)
        [unknown_command] = await bot.say(second, "/stats")  # a staff command: no question
        assert unknown_command.text == bot.fa.text("bot.unknown_command")
        shown = await ask(second, "آیا می‌شود آنلاین نوبت گرفت")
        await hand_off(bot, second, editor, shown, "بله، از سایت رسمی.")
        db = bot.db

    assert await asyncio.to_thread(run_cli, ["stats", "--json"], store_path=db) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["questions"] == asked == 8
    assert figures["ratings"] == 5
    assert bot.rows("SELECT count(*), count(answered_at) FROM handoffs") == [(2, 2)]
    assert bot.rows("SELECT count(*) FROM ratings WHERE comment IS NOT NULL") == [(3,)]
