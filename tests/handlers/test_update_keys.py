"""Keys that never repeat (issue 13, item 4): a question's row id is its update's generated key,
never platform + update id (which repeats after a new token or a Bot API reset), and the buttons
of messages sent before the keys existed (SQLite's own ids in their data) still work.

Real bot on the local Bot API (``tests/support/fakeapi``), real SQLite file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from bot.cli.stats import stats_main
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Rate, encode
from bot.store import QuestionEvent, Store
from tests.support.bot_harness import running_bot
from tests.support.fakeapi import DEFAULT_TOKEN
from tests.support.recording_app import recording_app

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"


def rating_data(buttons: list[dict[str, str]], score: int) -> str:
    return next(b["callback_data"] for b in buttons if b.get("callback_data", "").endswith(f":{score}"))


@pytest.mark.parametrize(
    "token", ["424242:AAnewTokenOfTheSameProvince", DEFAULT_TOKEN], ids=["token", "reset"]
)
async def test_a_new_update_reusing_an_old_update_id_gets_its_own_question(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, token: str
) -> None:
    """Before: the second citizen's question came back as the first one's row (same platform and
    update id), not stored; their rating button carried the first citizen's answer and was refused."""
    async with running_bot(tmp_path, engine, locales, first_update_id=5_000) as bot:
        first = bot.api.create_user("first")
        await bot.say(first, LOST_BIRTH_CERTIFICATE)
        first_hash = bot.user_hash(first)
    # a new bot token (another bot id), or the Bot API counting its update ids from the start again
    async with running_bot(tmp_path, engine, locales, token=token, first_update_id=5_000) as bot:
        bot.api.create_user("not used")  # the new server numbers its users from the start too
        second = bot.api.create_user("second")
        [answer] = await bot.say(second, LOST_BIRTH_CERTIFICATE)
        assert second.id != first.id
        rows = bot.rows("SELECT id, user_hash FROM questions ORDER BY asked_at")
        assert [user for _id, user in rows] == [first_hash, bot.user_hash(second)]
        answer_toast = await bot.press(second, answer, rating_data(answer.buttons, 5))
        assert answer_toast["text"] != bot.fa.text("bot.refused")
        [(rated_question,)] = bot.rows(
            "SELECT e.question_id FROM ratings r JOIN answer_events e ON e.id = r.answer_event_id"
        )
        assert rated_question == rows[1][0]  # the second citizen's own question
        for _ in range(100):  # each question's reply counted as delivered, under its own key
            if bot.rows("SELECT count(*) FROM deliveries") == [(2,)]:
                break
            await asyncio.sleep(0.05)
        figures = await asyncio.to_thread(stats_main, bot.db, None, None)
        assert (figures["questions"], figures["delivered"]) == (2, 2)


async def test_a_rating_button_of_a_message_sent_before_the_keys_still_records_its_rating(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    """A database written before generated keys (SQLite's row ids, ``update_key`` a hash of
    platform and update id) and a message sent then, whose rating buttons carry that old id."""
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user("from before")
        user_hash = bot.user_hash(citizen)
        entry = "birthcert-duplicate"
        async with await Store.open(bot.db) as store:  # the older code's way: no key, an update id
            question_id = await store.record_question(
                QuestionEvent(
                    "telegram",
                    user_hash,
                    "fa",
                    LOST_BIRTH_CERTIFICATE,
                    "x",
                    "answer",
                    entry,
                    0.9,
                    (entry,),
                    3,
                    update_id=41,
                )
            )
            event_id = await store.record_answer_event(
                user_hash=user_hash,
                platform="telegram",
                entry_id=entry,
                via="direct",
                question_id=question_id,
                update_id=41,
            )
        assert event_id < 100 and question_id < 100  # SQLite's ids, not generated keys
        buttons = [[{"text": str(score), "callback_data": encode(Rate(event_id, score))} for score in (1, 5)]]
        async with aiohttp.ClientSession() as http:  # the message the bot sent back then
            sent = await http.post(
                f"{bot.api.base_url}{bot.api.token}/sendMessage",
                json={
                    "chat_id": citizen.id,
                    "text": "old answer",
                    "reply_markup": {"inline_keyboard": buttons},
                },
            )
            assert (await sent.json())["ok"]
        [old] = bot.api.sent(citizen.id)
        toast = await bot.press(citizen, old, f"r:{event_id}:1")
        assert toast["text"] == bot.fa.text("rating.thanks", rating=bot.fa.text("rating.name_1"))
        assert bot.rows("SELECT answer_event_id, score FROM ratings") == [(event_id, 1)]


def test_an_update_that_came_without_the_inbox_key_is_delivered_under_the_key_its_question_has(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    """An update handed to the handlers another way than the inbox (webhook mode) gets a key
    derived from its content: its question's ``update_key`` and its done mark's delivery agree, so
    ``delivered`` counts it (the done mark had a random key, never the question's)."""
    with recording_app(tmp_path, engine, locales) as app:
        citizen = {"id": 31_000_001, "is_bot": False, "first_name": "C"}
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": citizen["id"], "type": "private"},
            "from": citizen,
            "text": LOST_BIRTH_CERTIFICATE,
        }
        update = app.process({"message": message})
        key = app.key_of(update)
        assert app.rows("SELECT count(*) FROM questions WHERE update_key = ?", key) == [(1,)]
        # the done mark's key, which its deliveries are counted under (this network layer reports
        # no reply accepted, so the inbox row shows it)
        assert app.rows("SELECT 'k' || key FROM inbox WHERE done_at IS NOT NULL") == [(key,)]
