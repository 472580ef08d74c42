"""Defects found by trying sabtyar as citizens, staff and an attacker (issue 14), over the fake Bot API.

Each test names the issue's item it covers; each failed before its fix.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Handoff, StaffConfirm, encode, parse
from bot.settings import FloodSettings, Settings
from tests.handlers.test_staff_handlers import (
    ENTRY,
    OUT_OF_SCOPE,
    STAFF_GROUP,
    command,
    data_of,
    staff,
    staff_settings,
)
from tests.support.bot_harness import running_bot
from tests.support.fakeapi import FakeUser, Fault, SentMessage
from tests.support.recording_app import recording_app

OTHER_ENTRY = "marriage-record"


@pytest.fixture
def knowledge_copy(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, folder)
    return folder


async def test_item7_a_stale_confirm_button_applies_nothing(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    assert OTHER_ENTRY in engine.knowledge
    changes = staff_settings(knowledge_dir=knowledge_copy)
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        editor, _viewer, _citizen = staff(bot)
        await command(bot, editor, f"/edit {ENTRY}")
        [first] = await bot.say(editor, "پاسخ نخست که کنار گذاشته شد.")
        await command(bot, editor, f"/edit {OTHER_ENTRY}")
        [second] = await bot.say(editor, "پاسخ دوم برای موضوعی دیگر.")
        old, new = (parse(data_of(m)[0]) for m in (first, second))
        assert isinstance(old, StaffConfirm) and isinstance(new, StaffConfirm) and old.draft != new.draft
        toast = await bot.press(editor, first, data_of(first)[0])  # the older preview's confirm
        assert toast["show_alert"] is True and toast["text"] == bot.fa.text("bot.refused")
        toast = await bot.press(editor, first, "sc:edit", strict=False)  # the form before draft ids
        assert toast["show_alert"] is True
        assert bot.rows("SELECT count(*) FROM staff_changes") == [(0,)]
        await bot.press(editor, second, data_of(second)[0])
        [saved] = await bot.api.wait_for_messages(editor.id, timeout=10)
        assert saved.text == bot.fa.text("staff.edit_saved", entry=OTHER_ENTRY)
        assert bot.rows("SELECT entry_id FROM staff_changes") == [(OTHER_ENTRY,)]


async def test_item8_staff_commands_from_citizens_and_viewers_are_no_questions(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        editor, viewer, citizen = staff(bot)
        for user, text in ((citizen, "/stats"), (citizen, "/unanswered"), (viewer, "/broadcast")):
            [reply] = await command(bot, user, text)
            assert reply.text == bot.fa.text("bot.unknown_command")
        assert bot.rows("SELECT count(*) FROM questions") == [(0,)]
        await bot.say(citizen, OUT_OF_SCOPE)
        with contextlib.closing(sqlite3.connect(bot.db)) as db, db:  # what older versions stored
            db.executemany(
                "INSERT INTO questions (asked_at, platform, user_hash, language, text, match_form,"
                " outcome, score, response_ms) SELECT asked_at, platform, user_hash, language,"
                " '/stats', 'stats', 'no_match', 0, 1 FROM questions LIMIT 1",
                [()] * 3,
            )
        [_title, item] = await command(bot, viewer, "/unanswered", 2)
        assert OUT_OF_SCOPE in item.text and "/stats" not in item.text
        assert all(b.startswith("ud:") for b in data_of(item))  # a viewer gets no add buttons
        [_title, item] = await command(bot, editor, "/unanswered", 2)
        assert any(b.startswith("ua:") for b in data_of(item))
        [[command_id]] = bot.rows("SELECT id FROM questions WHERE text = '/stats' LIMIT 1")
        toast = await bot.press(editor, item, f"ua:{command_id}:{ENTRY}", strict=False)
        assert toast["show_alert"] is True
        assert bot.rows("SELECT count(*) FROM staff_changes") == [(0,)]


async def test_item9_staff_are_not_flood_limited(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(
        tmp_path, engine, locales, flood=FloodSettings(3, 30.0), settings_changes=staff_settings()
    ) as bot:
        editor, _viewer, citizen = staff(bot)
        for number in range(4):
            [reply] = await bot.say(editor, OUT_OF_SCOPE + f" {number}")
            assert reply.text != bot.fa.text("bot.slow_down")
        await command(bot, editor, "/broadcast")
        [preview] = await bot.say(editor, "اطلاعیه: ساعت کاری ادارات در روز پنجشنبه")
        assert data_of(preview)[0].startswith("sc:broadcast:")
        for number in range(3):
            await bot.say(citizen, OUT_OF_SCOPE + f" {number}")
        [slow] = await bot.say(citizen, OUT_OF_SCOPE)
        assert slow.text == bot.fa.text("bot.slow_down")


async def test_item6_only_staff_replies_reach_the_citizen_and_never_a_group(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        editor, _viewer, citizen = staff(bot)
        member = bot.api.create_user("Member")
        other_bot = FakeUser(7_777_001, "OtherBot", username="other_bot", is_bot=True)
        group = bot.api.create_group("کارشناسان", [editor, member, other_bot], chat_id=STAFF_GROUP)
        [unknown] = await bot.say(citizen, OUT_OF_SCOPE)
        await bot.press(citizen, unknown, _handoff_button(unknown))
        [post] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=10)
        await bot.api.wait_for_messages(citizen.id)
        for intruder in (member, other_bot):
            bot.api.user_sends_text(intruder, "پاسخ جعلی", chat=group, reply_to=post)
        await bot.api.expect_no_messages(citizen.id, within=0.5)
        await bot.api.expect_no_messages(STAFF_GROUP, within=0.1)
        assert bot.rows("SELECT staff_replies FROM handoffs") == [(0,)]
        bot.api.user_sends_text(editor, "پاسخ کارشناس", chat=group, reply_to=post)
        [reply] = await bot.api.wait_for_messages(citizen.id, timeout=10)
        assert reply.text == bot.fa.text("handoff.staff_reply", text="پاسخ کارشناس")
        await bot.api.wait_for_messages(STAFF_GROUP)  # "delivered"

        # a handoff asked for in a public group is refused: a staff reply would be posted there
        public = bot.api.create_group("عمومی", [citizen], supergroup=True, username="public_group")
        [answer] = await bot.say(citizen, f"@{bot.api.state.bot.username} {OUT_OF_SCOPE} دیگر", chat=public)
        toast = await bot.press(citizen, answer, _handoff_button(answer), chat=public)
        assert toast["show_alert"] is True and toast["text"] == bot.fa.text("handoff.private_only")
        await bot.api.expect_no_messages(STAFF_GROUP, within=0.3)
        assert bot.rows("SELECT count(*) FROM handoffs") == [(1,)]


def _handoff_button(message: SentMessage) -> str:
    [button] = [b for b in data_of(message) if b.startswith("h:")]
    return button


async def test_item2_a_handoff_in_several_parts_is_answered_and_a_failed_post_does_not_block(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        editor, _viewer, citizen = staff(bot)
        group = bot.api.create_group("کارشناسان", [editor], chat_id=STAFF_GROUP)
        [first] = await bot.say(citizen, OUT_OF_SCOPE)
        bot.api.inject(Fault.error(400, "Bad Request: chat not found"), "sendMessage", chat_ids=STAFF_GROUP)
        await bot.press(citizen, first, encode(Handoff()), strict=False)
        [unavailable] = await bot.api.wait_for_messages(citizen.id)
        assert unavailable.text == bot.fa.text("handoff.unavailable")
        assert bot.rows("SELECT count(*) FROM handoffs") == [(0,)]  # nothing waits for 24 hours
        assert bot.rows("SELECT count(*) FROM contacts") == [(0,)]

        for number in range(3):
            await bot.say(citizen, f"{OUT_OF_SCOPE} {number} " + "توضیح بیشتر درباره پرسش " * 120)
        await bot.press(citizen, first, encode(Handoff()), strict=False)
        [sent] = await bot.api.wait_for_messages(citizen.id, timeout=10)  # after the post
        assert sent.text != bot.fa.text("handoff.already")
        posts = await bot.api.wait_for_messages(STAFF_GROUP, len(bot.api.sent(STAFF_GROUP)))
        assert len(posts) >= 2
        bot.api.user_sends_text(editor, "پاسخ کارشناس به پیام بلند", chat=group, reply_to=posts[-1])
        [reply] = await bot.api.wait_for_messages(citizen.id, timeout=10)
        assert reply.text == bot.fa.text("handoff.staff_reply", text="پاسخ کارشناس به پیام بلند")
        [delivered] = await bot.api.wait_for_messages(STAFF_GROUP)
        assert delivered.text == bot.fa.text("handoff.delivered")
        assert bot.rows("SELECT staff_replies FROM handoffs") == [(1,)]


NO_HUMAN_SENDER = {
    "private message without from": {
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "سلام"}
    },
    "anonymous group admin": {
        "message": {
            "message_id": 2,
            "date": 0,
            "chat": {"id": -5, "type": "supergroup", "title": "g"},
            "from": {
                "id": 1087968824,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            },
            "sender_chat": {"id": -5, "type": "supergroup", "title": "g"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
    },
    "group message without from": {
        "message": {"message_id": 3, "date": 0, "chat": {"id": -6, "type": "group"}, "text": "/menu"}
    },
    "channel post": {
        "channel_post": {"message_id": 4, "date": 0, "chat": {"id": -100, "type": "channel"}, "text": "سلام"}
    },
    "another bot": {
        "message": {
            "message_id": 5,
            "date": 0,
            "chat": {"id": 8, "type": "private"},
            "from": {"id": 8, "is_bot": True, "first_name": "b"},
            "text": "شناسنامه‌ام گم شده",
        }
    },
}


def test_item3_updates_without_a_human_sender_are_silently_ignored(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    with recording_app(tmp_path, engine, locales) as app:
        before = len(app.request.calls)
        for name, payload in NO_HUMAN_SENDER.items():
            app.process(payload)
            assert app.errors == [] and app.request.calls[before:] == [], name
        assert app.rows("SELECT count(*) FROM questions") == [(0,)]


def test_item3_a_lone_surrogate_is_answered_not_apologised_for(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    citizen = {"id": 6, "is_bot": False, "first_name": "x"}
    with recording_app(tmp_path, engine, locales) as app:
        for number, text in enumerate(("کارت \ud800 ملی", "\udfff", "شناسنامه\udbff گم شده")):
            chat = {"id": 6, "type": "private"}
            app.process(
                {
                    "message": {
                        "message_id": number + 1,
                        "date": 0,
                        "chat": chat,
                        "from": citizen,
                        "text": text,
                    }
                }
            )
        app.process(
            {
                "callback_query": {
                    "id": "1",
                    "from": citizen,
                    "chat_instance": "1",
                    "data": "r:1:\ud800",
                    "message": {
                        "message_id": 9,
                        "date": 0,
                        "chat": {"id": 6, "type": "private"},
                        "text": "x",
                    },
                }
            }
        )
        assert app.errors == []
        replies = [c.params["text"] for c in app.request.of("sendMessage")]
        assert len(replies) == 3 and locales.get("fa").text("bot.error") not in replies
        [refusal] = app.request.of("answerCallbackQuery")
        assert refusal.params["show_alert"] is True
        assert app.rows("SELECT text FROM questions ORDER BY asked_at")[0] == ("کارت \ufffd ملی",)


NEW_QUESTIONS = (
    "کارت ملی‌ام را کجا تحویل بگیرم",
    "هزینه المثنی شناسنامه چقدره",
    "آیا می‌شود آنلاین نوبت گرفت",
    "shenasname gom shode chikar konam",
    "ثبت ولادت نوزاد",  # no question word: the engine answers it
    "مدارک لازم برای تعویض شناسنامه؟",
    "طلاق چطوری ثبت میشه",
)
REMARKS = ("پاسخ خیلی کلی بود", "اطلاعات ناقص بود", "به درد نخورد", "مرسی ولی کافی نبود", "لینک کار نمی‌کرد")


def test_item1_what_reads_as_a_question(engine: AnswerEngine) -> None:
    assert [q for q in NEW_QUESTIONS if not engine.reads_as_question(q)] == []
    assert [r for r in REMARKS if engine.reads_as_question(r)] == []


async def test_item1_a_new_question_after_a_low_rating_is_answered(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [shown] = await bot.say(citizen, "شناسنامه‌ام گم شده")
        for number, question in enumerate(NEW_QUESTIONS):
            [[event_id]] = bot.rows("SELECT id FROM answer_events ORDER BY shown_at DESC LIMIT 1")
            await bot.press(citizen, shown, f"r:{event_id}:1")
            [prompt] = await bot.api.wait_for_messages(citizen.id)
            assert prompt.text == bot.fa.text("rating.comment_prompt", minutes=10) and "۱۰" in prompt.text
            [shown] = await bot.say(citizen, question)
            assert shown.text != bot.fa.text("rating.comment_thanks"), question
            assert bot.rows("SELECT count(*) FROM questions") == [(number + 2,)], question
        comments = [c for (c,) in bot.rows("SELECT comment FROM ratings ORDER BY id")]
        assert comments == list(NEW_QUESTIONS)  # kept as the comment too
        [[event_id]] = bot.rows("SELECT id FROM answer_events ORDER BY shown_at DESC LIMIT 1")
        await bot.press(citizen, shown, f"r:{event_id}:2")
        await bot.api.wait_for_messages(citizen.id)
        [thanks] = await bot.say(citizen, REMARKS[0])
        assert thanks.text == bot.fa.text("rating.comment_thanks")
        assert bot.rows("SELECT count(*) FROM questions") == [(len(NEW_QUESTIONS) + 1,)]


def test_item3_edits_presses_without_data_and_inaccessible_messages(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    """Found by the fuzz: an edited command was answered again; a press without data matched every
    button handler (a traceback); an edit of a message too old to see raised (a traceback)."""
    citizen = {"id": 6, "is_bot": False, "first_name": "x"}
    chat = {"id": 6, "type": "private"}
    with recording_app(tmp_path, engine, locales) as app:
        before = len(app.request.calls)
        entities = [{"type": "bot_command", "offset": 0, "length": 6}]
        edited = {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "from": citizen,
            "text": "/start",
            "entities": entities,
        }
        app.process({"edited_message": edited})
        assert app.request.calls[before:] == []
        old = {"message_id": 2, "date": 0, "chat": chat}  # date 0: an inaccessible message
        for data in (None, "m:", "lang:en"):
            query = {"id": "1", "from": citizen, "chat_instance": "1", "message": old}
            app.process({"callback_query": query if data is None else {**query, "data": data}})
        assert app.errors == []
        assert len(app.request.of("answerCallbackQuery")) == 3
