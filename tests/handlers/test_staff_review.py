"""``/edit`` by search words and the review buttons (verified today / needs review), on the local Bot API."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.calendar import iran_day
from bot.engine.engine import AnswerEngine
from bot.knowledge.loader import load_knowledge
from bot.knowledge.review_marks import restore_review, review_state
from bot.locale import Locales
from bot.messenger.callback_data import EditPick, Review, encode, parse
from bot.messenger.staff_settings import StaffSettings
from bot.settings import Settings
from handlers.staff.curation import review_order
from tests.support.bot_harness import Bot, running_bot
from tests.support.fakeapi import FakeUser, SentMessage

EDITOR, VIEWER = 9301, 9302
LOST_CARD = "smartcard-lost"


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(Settings().knowledge_dir, folder, ignore=shutil.ignore_patterns(".backup"))
    return folder


def changes(knowledge: Path) -> dict[str, object]:
    staff = StaffSettings({"telegram": frozenset({EDITOR})}, {"telegram": frozenset({VIEWER})})
    return {"staff": staff, "knowledge_dir": knowledge}


async def command(bot: Bot, user: FakeUser, text: str) -> SentMessage:
    name, _, args = text.partition(" ")
    bot.api.user_sends_command(user, name, args)
    [reply] = await bot.api.wait_for_messages(user.id, timeout=20)
    return reply


def buttons(message: SentMessage) -> list[object]:
    return [parse(b["callback_data"]) for b in message.buttons]


async def test_edit_finds_entries_by_words_and_by_part_of_an_id(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor = bot.api.create_user("Editor", user_id=EDITOR)
        found = await command(bot, editor, "/edit کارت ملی گم شده")
        assert found.text == bot.fa.text("staff.edit_search_title", words="کارت ملی گم شده")
        assert EditPick(LOST_CARD) in buttons(found)
        by_id = await command(bot, editor, "/edit smartcard")
        picks = [b for b in buttons(by_id) if isinstance(b, EditPick)]
        assert picks and all(pick.entry_id.startswith("smartcard") for pick in picks[:5])
        await bot.press(editor, found, encode(EditPick(LOST_CARD)))
        [current] = await bot.api.wait_for_messages(editor.id, timeout=20)
        assert engine.knowledge.entry(LOST_CARD).title in (current.text or "")
        assert buttons(current) == [Review(LOST_CARD, "v"), Review(LOST_CARD, "n")]
        [preview] = await bot.say(editor, "پاسخ تازه برای آزمون جست‌وجو.")  # the edit goes on as with an id
        assert "پاسخ تازه برای آزمون جست‌وجو." in (preview.text or "")
        none = await command(bot, editor, "/edit ژژژژ قققق")
        assert none.text == bot.fa.text("staff.edit_search_none", words="ژژژژ قققق")


async def test_review_buttons_set_verified_on_and_needs_review_and_undo_restores(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    original = (knowledge_copy / "smartcard.yaml").read_bytes()
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor = bot.api.create_user("Editor", user_id=EDITOR)
        viewer = bot.api.create_user("Viewer", user_id=VIEWER)
        current = await command(bot, editor, f"/edit {LOST_CARD}")
        await bot.press(editor, current, encode(Review(LOST_CARD, "n")))
        [flagged] = await bot.api.wait_for_messages(editor.id, timeout=20)
        assert flagged.text == bot.fa.text("staff.review_flagged", entry=LOST_CARD)
        assert load_knowledge(knowledge_copy).entry(LOST_CARD).needs_review

        listing = await command(bot, editor, "/review")
        first = sorted(engine.knowledge.entries.values(), key=review_order)
        assert buttons(listing)[:2] == [Review(first[0].id, "v"), Review(first[0].id, "n")]
        assert len(listing.buttons) == 2 * 10  # ten entries' rows; the rest through /edit ID
        await bot.press(editor, current, encode(Review(LOST_CARD, "v")))
        [verified] = await bot.api.wait_for_messages(editor.id, timeout=20)
        today = iran_day(datetime.now(UTC))
        assert verified.text == bot.fa.text("staff.review_verified", entry=LOST_CARD, date=today.isoformat())
        entry = load_knowledge(knowledge_copy).entry(LOST_CARD)
        assert entry.verified_on == today and not entry.needs_review
        assert bot.rows("SELECT field, entry_id FROM staff_changes") == [("review", LOST_CARD)] * 2

        for _ in range(2):
            undone = await command(bot, editor, "/undo")
            assert undone.text == bot.fa.text("staff.undone_review", entry=LOST_CARD)
        assert (knowledge_copy / "smartcard.yaml").read_bytes() == original

        seen = await command(bot, viewer, "/review")
        assert not seen.buttons  # viewers see the list, not the buttons that change it
        answer = await bot.press(viewer, listing, encode(Review(first[0].id, "v")))
        assert answer["text"] == bot.fa.text("bot.refused")
    assert (knowledge_copy / "smartcard.yaml").read_bytes() == original


def test_a_review_state_round_trips_and_refuses_a_later_change() -> None:
    record = {"verified_on": None, "needs_review": True}
    assert review_state(record) == "|true"
    restore = restore_review("|true", "2026-01-31|false")
    later = {"verified_on": date(2026, 1, 31), "needs_review": False}
    assert restore(later) == record
    with pytest.raises(ValueError, match="changed since"):
        restore({"verified_on": date(2026, 2, 1), "needs_review": False})
