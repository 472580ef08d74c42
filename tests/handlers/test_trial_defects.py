"""Defects found by trying sabtyar as citizens, staff and an attacker (issue 14), over the fake Bot API.

Each test names the issue's item it covers; each failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import StaffConfirm, parse
from tests.handlers.test_staff_handlers import ENTRY, command, data_of, knowledge_copy, staff, staff_settings
from tests.support.bot_harness import running_bot

OTHER_ENTRY = "marriage-record"


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
