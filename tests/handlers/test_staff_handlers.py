"""Staff commands over the fake Bot API: roles, edits with undo, reload, figures, curation, handoff."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import (
    AddPhrasing,
    Dismiss,
    Handoff,
    StaffCancel,
    StaffConfirm,
    encode,
    parse,
)
from bot.messenger.staff_settings import HandoffSettings, StaffSettings
from bot.settings import Settings
from tests.support.bot_harness import DID_YOU_MEAN_CANDIDATES, Bot, find_question, running_bot
from tests.support.fakeapi import FakeUser, SentMessage

EDITOR, VIEWER = 9001, 9002
STAFF_GROUP = -4242
LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
OUT_OF_SCOPE = "هوای تهران چطوره"
ENTRY = "birthcert-duplicate"


def data_of(message: SentMessage) -> list[str]:
    return [b["callback_data"] for b in message.buttons if "callback_data" in b]


@pytest.fixture
def knowledge_copy(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, folder)
    return folder


def staff_settings(profile: str = "telegram", **changes: object) -> dict[str, object]:
    return {
        "staff": StaffSettings({profile: frozenset({EDITOR})}, {profile: frozenset({VIEWER})}),
        "handoff": HandoffSettings({profile: STAFF_GROUP}),
        **changes,
    }


def staff(bot: Bot) -> tuple[FakeUser, FakeUser, FakeUser]:
    api = bot.api
    return (
        api.create_user("Editor", user_id=EDITOR),
        api.create_user("Viewer", user_id=VIEWER),
        api.create_user(),
    )


async def command(
    bot: Bot, user: FakeUser, text: str, count: int = 1, timeout: float = 10.0
) -> list[SentMessage]:
    name, _, args = text.partition(" ")
    bot.api.user_sends_command(user, name, args)
    return await bot.api.wait_for_messages(user.id, count, timeout=timeout)


@pytest.mark.parametrize("profile", ["telegram", "bale"])
async def test_non_staff_get_the_citizen_reply_and_are_logged(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, profile: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(
        tmp_path, engine, locales, profile, settings_changes=staff_settings(profile)
    ) as bot:
        _editor, viewer, citizen = staff(bot)
        with caplog.at_level(logging.WARNING, logger="sabtyar.staff"):
            for text in ("/stats", "/export", "/unanswered", "/review", "/edit " + ENTRY, "/undo", "/reload"):
                [reply] = await command(bot, citizen, text)
                assert reply.text == bot.fa.text("bot.unknown_command"), text
            for text in ("/edit " + ENTRY, "/undo", "/reload", "/broadcast"):  # editors only
                [reply] = await command(bot, viewer, text)
                assert reply.text == bot.fa.text("bot.unknown_command"), text
        refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert len(refusals) == 11
        assert not any(str(citizen.id) in line or str(VIEWER) in line for line in refusals)
        assert bot.user_hash(citizen)[:12] in refusals[0]
        assert bot.rows("SELECT count(*) FROM staff_changes") == [(0,)]
        assert bot.rows("SELECT count(*) FROM questions") == [(0,)]  # commands are not questions


async def test_stats_and_export_for_viewers(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        _editor, viewer, citizen = staff(bot)
        await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        [text, photo] = await command(bot, viewer, "/stats", 2, timeout=30)
        assert text.text.startswith(bot.fa.text("staff.stats_title", period="").split("،")[0])
        assert f"{bot.fa.text('report.figure.questions.title')}: ۱" in text.text
        assert photo.method == "sendPhoto" and photo.data is not None and photo.data[:4] == b"\x89PNG"
        [document, pdf] = await command(bot, viewer, "/export 1405-07", 2, timeout=30)
        assert document.method == "sendDocument" and document.data is not None and document.data[:2] == b"PK"
        assert pdf.file_name == "sabtyar-1405-07-01-1405-07-30.pdf" and (pdf.data or b"")[:5] == b"%PDF-"
        assert document.file_name == "sabtyar-1405-07-01-1405-07-30.xlsx"
        [bad] = await command(bot, viewer, "/stats 2026-13")
        assert bad.text.startswith(bot.fa.text("staff.bad_period", error="").split("(")[0])


async def test_edit_preview_confirm_then_undo(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    changes = staff_settings(knowledge_dir=knowledge_copy)
    new_answer = "پاسخ تازه برای آزمون: به دفتر پیشخوان بروید."
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        editor, _viewer, citizen = staff(bot)
        old = engine.knowledge.entry(ENTRY).answer
        [current] = await command(bot, editor, f"/edit {ENTRY}")
        assert old.split("\n")[0] in current.text
        [preview] = await bot.say(editor, new_answer)
        [confirm, cancel] = [parse(d) for d in data_of(preview)]
        assert isinstance(confirm, StaffConfirm) and isinstance(cancel, StaffCancel)
        assert new_answer in preview.text and (confirm.task, cancel.task) == ("edit", "edit")
        assert confirm.draft == cancel.draft
        await bot.press(editor, preview, data_of(preview)[0])
        [saved] = await bot.api.wait_for_messages(editor.id, timeout=10)
        assert saved.text == bot.fa.text("staff.edit_saved", entry=ENTRY)

        [answer] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert new_answer in answer.text
        on_disk = yaml.safe_load((knowledge_copy / "birth.yaml").read_text(encoding="utf-8"))
        assert next(e for e in on_disk["entries"] if e["id"] == ENTRY)["answer"].strip() == new_answer
        [[staff_hash, platform, entry, field, before, after, undone]] = bot.rows(
            "SELECT staff_hash, platform, entry_id, field, before, after, undone FROM staff_changes"
        )
        assert (staff_hash, platform, entry, field) == (bot.user_hash(editor), "telegram", ENTRY, "answer")
        assert (before, after, undone) == (old, new_answer, 0)

        [undone] = await command(bot, editor, "/undo")
        assert undone.text == bot.fa.text("staff.undone_answer", entry=ENTRY)
        [answer] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert new_answer not in answer.text and engine.knowledge.entry(ENTRY).short_answer in answer.text
        assert (knowledge_copy / "birth.yaml").read_bytes() == (
            Settings().knowledge_dir / "birth.yaml"
        ).read_bytes()
        assert bot.rows("SELECT undone, undo_of FROM staff_changes ORDER BY id") == [(1, None), (0, 1)]
        [nothing] = await command(bot, editor, "/undo")
        assert nothing.text == bot.fa.text("staff.undo_nothing")

        # cancel: nothing changes; a command while waiting drops the wait
        await command(bot, editor, f"/edit {ENTRY}")
        [preview] = await bot.say(editor, "پاسخی که لغو می‌شود")
        toast = await bot.press(editor, preview, data_of(preview)[1])
        assert toast["text"] == bot.fa.text("staff.cancelled")
        await command(bot, editor, f"/edit {ENTRY}")
        await command(bot, editor, "/help")
        [answer] = await bot.say(editor, LOST_BIRTH_CERTIFICATE)  # a question again, not an answer
        assert answer.text.startswith(engine.knowledge.entry(ENTRY).title)
        assert bot.rows("SELECT count(*) FROM staff_changes") == [(2,)]
        [unknown] = await command(bot, editor, "/edit no-such-entry")
        assert unknown.text == bot.fa.text("staff.unknown_entry", entry="no-such-entry")


async def test_reload_keeps_running_knowledge_when_a_file_is_broken(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    async with running_bot(
        tmp_path, engine, locales, settings_changes=staff_settings(knowledge_dir=knowledge_copy)
    ) as bot:
        editor, _viewer, citizen = staff(bot)
        good = (knowledge_copy / "birth.yaml").read_text(encoding="utf-8")
        (knowledge_copy / "birth.yaml").write_text(
            good.replace("  - id: birthcert-duplicate", "  - id: BAD ID", 1), encoding="utf-8"
        )
        [failed] = await command(bot, editor, "/reload", timeout=20)
        assert "birth.yaml:" in failed.text and failed.text.startswith(
            bot.fa.text("staff.reload_failed", count=1, problems="").split("(")[0]
        )
        [answer] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert answer.text.startswith(engine.knowledge.entry(ENTRY).title)

        (knowledge_copy / "birth.yaml").write_text(
            good.replace(engine.knowledge.entry(ENTRY).title, "عنوان تازه", 1), encoding="utf-8"
        )
        [done] = await command(bot, editor, "/reload", timeout=20)
        assert done.text == bot.fa.text(
            "staff.reloaded", entries=len(engine.knowledge), categories=len(engine.knowledge.categories)
        )
        [answer] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert answer.text.startswith("عنوان تازه")


async def test_unanswered_add_phrasing_dismiss_and_review(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    async with running_bot(
        tmp_path, engine, locales, settings_changes=staff_settings(knowledge_dir=knowledge_copy)
    ) as bot:
        editor, viewer, citizen = staff(bot)
        for _ in range(2):
            await bot.say(citizen, OUT_OF_SCOPE)
        await bot.say(
            citizen,
            find_question(
                engine,
                Outcome.NO_MATCH,
                ("دستور پخت قورمه سبزی", "نتیجه بازی دیشب", "بهترین دستور پخت کباب چیه"),
            ),
        )
        [_title, first, *_rest] = await command(bot, viewer, "/unanswered", 3)
        assert OUT_OF_SCOPE in first.text and "۲" in first.text
        [dismiss_only] = data_of(first)  # viewers may not change the knowledge: no add buttons
        assert dismiss_only.startswith("ud:")
        [_title, mine, *_rest] = await command(bot, editor, "/unanswered", 3)
        buttons = data_of(mine)
        assert buttons[-1] == dismiss_only and all(b.startswith("ua:") for b in buttons[:-1]) and buttons[:-1]
        toast = await bot.press(viewer, mine, buttons[0], strict=False)  # a viewer's forged add
        assert toast["show_alert"] is True
        target = buttons[0].split(":")[2]
        await bot.press(editor, mine, buttons[0])
        [added] = await bot.api.wait_for_messages(editor.id, timeout=10)
        assert added.text == bot.fa.text(
            "staff.phrasing_added", text=OUT_OF_SCOPE, title=engine.knowledge.entry(target).title
        )
        assert OUT_OF_SCOPE in bot.shared.live.engine.knowledge.entry(target).questions
        assert bot.shared.live.engine.ask(OUT_OF_SCOPE).outcome is not Outcome.NO_MATCH
        on_disk = (knowledge_copy / engine.knowledge.entry(target).source_file).read_text(encoding="utf-8")
        assert f"      - {OUT_OF_SCOPE}\n" in on_disk

        [_title, *items] = await command(bot, viewer, "/unanswered", 2)
        [second] = items
        [dismiss] = [b for b in data_of(second) if b.startswith("ud:")]
        assert (await bot.press(viewer, second, dismiss))["text"] == bot.fa.text("staff.dismissed")
        [none] = await command(bot, viewer, "/unanswered")
        assert none.text.startswith(bot.fa.text("staff.unanswered_none", period="").split(" ")[0])

        [undone] = await command(bot, editor, "/undo")
        assert undone.text == bot.fa.text("staff.undone_question_added", entry=target)
        assert OUT_OF_SCOPE not in bot.shared.live.engine.knowledge.entry(target).questions
        assert (knowledge_copy / engine.knowledge.entry(target).source_file).read_bytes() == (
            Settings().knowledge_dir / engine.knowledge.entry(target).source_file
        ).read_bytes()

        [review] = await command(bot, viewer, "/review")
        assert review.text.startswith(
            bot.fa.text("staff.review_title", count=len(engine.knowledge), days=180)
        )
        assert f"• {ENTRY} — " in review.text
        assert encode(AddPhrasing(1, "x")) and encode(Dismiss(1))


async def test_handoff_reaches_the_group_and_the_reply_reaches_the_citizen(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        editor, _viewer, citizen = staff(bot)
        group = bot.api.create_group("کارشناسان", [editor], chat_id=STAFF_GROUP)
        [unknown] = await bot.say(citizen, f"{OUT_OF_SCOPE} 09121234567")
        [[question_id]] = bot.rows("SELECT id FROM questions")
        assert encode(Handoff(question_id)) in data_of(unknown) and "t:human-agent" not in data_of(unknown)
        await bot.press(citizen, unknown, encode(Handoff(question_id)))
        [post] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=10)
        assert f"{OUT_OF_SCOPE} [تلفن]" in post.text and "telegram" in post.text
        assert str(citizen.id) not in post.text and "09121234567" not in post.text
        [told] = await bot.api.wait_for_messages(citizen.id)
        opening = bot.fa.text("handoff.sent_open", closes="۱۴:۰۰")
        assert told.text.startswith(opening) or "sabteahval.ir" in told.text
        await bot.press(citizen, unknown, encode(Handoff(question_id)))  # pressed again: not posted twice
        [already] = await bot.api.wait_for_messages(citizen.id)
        assert already.text == bot.fa.text("handoff.already")
        await bot.api.expect_no_messages(STAFF_GROUP, within=0.3)
        [[handoff_id, answered]] = bot.rows("SELECT id, answered_at FROM handoffs")
        assert answered is None and bot.rows("SELECT for_handoff FROM contacts") == [(1,)]

        bot.api.user_sends_text(editor, "سلام، با مدارک به دفتر پیشخوان بروید.", chat=group, reply_to=post)
        [reply] = await bot.api.wait_for_messages(citizen.id, timeout=10)
        assert reply.text == bot.fa.text("handoff.staff_reply", text="سلام، با مدارک به دفتر پیشخوان بروید.")
        [delivered] = await bot.api.wait_for_messages(STAFF_GROUP)
        assert delivered.text == bot.fa.text("handoff.delivered")
        assert bot.rows(
            "SELECT staff_replies, answered_at IS NOT NULL FROM handoffs WHERE id = ?", handoff_id
        ) == [(1, 1)]
        assert bot.rows("SELECT count(*) FROM contacts") == [(0,)]  # the chat id is gone
        assert bot.rows("SELECT count(*) FROM questions") == [(1,)]  # the staff reply is no question

        # a low rating offers a person too
        [shown] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        [[event_id]] = bot.rows("SELECT id FROM answer_events")
        await bot.press(citizen, shown, f"r:{event_id}:1")
        [prompt] = await bot.api.wait_for_messages(citizen.id)
        assert encode(Handoff()) in data_of(prompt)
        # someone else's question cannot be handed off
        other = bot.api.create_user()
        toast = await bot.press(other, unknown, encode(Handoff(question_id)), strict=False)
        assert toast["show_alert"] is True


async def test_subscribe_broadcast_report(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=staff_settings()) as bot:
        editor, _viewer, _citizen = staff(bot)
        citizens = [bot.api.create_user() for _ in range(6)]
        for citizen in citizens:
            [done] = await command(bot, citizen, "/subscribe")
            assert done.text == bot.fa.text("subscription.done")
        [again] = await command(bot, citizens[0], "/subscribe")
        assert again.text == bot.fa.text("subscription.already")
        [gone] = await command(bot, citizens[5], "/unsubscribe")
        assert gone.text == bot.fa.text("subscription.removed")
        bot.api.state.blocked.add(citizens[4].id)  # blocked without telling the bot

        [prompt] = await command(bot, editor, "/broadcast")
        assert prompt.text == bot.fa.text("staff.broadcast_prompt", count=5)
        [preview] = await bot.say(editor, "اطلاعیه: ساعت کاری ادارات در روز پنجشنبه")
        assert "اطلاعیه" in preview.text and "۵" in preview.text
        await bot.press(editor, preview, data_of(preview)[0])
        [_progress, report] = await bot.api.wait_for_messages(editor.id, 2, timeout=20)
        assert report.text == bot.fa.text("staff.broadcast_report", total=5, sent=4, blocked=1, failed=0)
        for citizen in citizens[:4]:
            [news] = await bot.api.wait_for_messages(citizen.id)
            assert news.text == "اطلاعیه: ساعت کاری ادارات در روز پنجشنبه"
        assert bot.rows("SELECT sent, blocked, failed FROM announcements") == [(4, 1, 0)]
        assert bot.rows("SELECT count(*) FROM subscriptions WHERE subscribed = 1") == [(4,)]


async def test_edit_refuses_unofficial_links_and_undo_refuses_after_a_later_change(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    changes = staff_settings(knowledge_dir=knowledge_copy)
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        editor, _viewer, _citizen = staff(bot)
        await command(bot, editor, f"/edit {ENTRY}")
        [refused] = await bot.say(editor, "برای نوبت به https://example.com/nobat بروید.")
        assert refused.text == bot.fa.text("staff.unofficial_link", links="https://example.com/nobat")
        [preview] = await bot.say(editor, "برای نوبت به https://www.sabteahval.ir بروید.")
        await bot.press(editor, preview, data_of(preview)[0])
        await bot.api.wait_for_messages(editor.id, timeout=10)

        birth = knowledge_copy / "birth.yaml"  # someone edits the file by hand afterwards
        birth.write_text(
            birth.read_text(encoding="utf-8").replace("برای نوبت به", "برای گرفتن نوبت به", 1),
            encoding="utf-8",
        )
        [conflict] = await command(bot, editor, "/undo")
        assert conflict.text == bot.fa.text("staff.undo_conflict", entry=ENTRY)
        assert "برای گرفتن نوبت به" in birth.read_text(encoding="utf-8")
        assert bot.rows("SELECT undone FROM staff_changes") == [(0,)]


async def test_citizens_choices_become_suggestions_staff_accept_or_reject(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    questions = [q for q in DID_YOU_MEAN_CANDIDATES if engine.ask(q).outcome is Outcome.DID_YOU_MEAN][:2]
    assert len(questions) == 2
    async with running_bot(
        tmp_path, engine, locales, settings_changes=staff_settings(knowledge_dir=knowledge_copy)
    ) as bot:
        editor, viewer, citizen = staff(bot)
        for question in questions:
            [choices] = await bot.say(citizen, question)
            await bot.press(citizen, choices, data_of(choices)[1], edits="editMessageText")
        [(first_entry,), (second_entry,)] = bot.rows("SELECT entry_id FROM suggestions ORDER BY id")
        [_title, *listed] = await command(bot, viewer, "/suggestions", 3)
        assert [item.text for item in listed] == [
            bot.fa.text("staff.suggestion_item", text=q, title=engine.knowledge.entry(e).title)
            for q, e in zip(questions, (first_entry, second_entry), strict=True)
        ]
        assert all(item.reply_markup is None for item in listed)  # viewers see no buttons they cannot use
        [_title, first, second] = await command(bot, editor, "/suggestions", 3)
        accept, reject = data_of(first)[0], data_of(second)[1]
        forged = await bot.press(viewer, first, accept, chat=editor.id, strict=False)  # a viewer forging it
        assert forged["show_alert"] is True
        await bot.press(editor, first, accept)
        [added] = await bot.api.wait_for_messages(editor.id, timeout=10)
        title = engine.knowledge.entry(first_entry).title
        assert added.text == bot.fa.text("staff.phrasing_added", text=questions[0], title=title)
        assert questions[0] in bot.shared.live.engine.knowledge.entry(first_entry).questions
        assert (await bot.press(editor, second, reject))["text"] == bot.fa.text("staff.suggestion_rejected")
        assert (await bot.press(editor, first, accept, strict=False))["show_alert"] is True  # decided already
        assert bot.rows("SELECT status FROM suggestions ORDER BY id") == [("accepted",), ("rejected",)]
        stats = await bot.stats()
        assert (stats.suggestions, stats.suggestions_accepted, stats.suggestions_rejected) == (2, 1, 1)
        [none] = await command(bot, editor, "/suggestions")
        assert none.text == bot.fa.text("staff.suggestions_none")
