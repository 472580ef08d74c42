"""The knowledge workbook sent to the bot in the staff group: preview, apply, undo; broken ones refused.

End to end on the local Bot API (tests/support/fakeapi): ``/workbook`` sends the workbook, the test
changes it with openpyxl as staff would in Excel, sends it back to the staff group with ``/import``
as its caption, reads the preview, presses apply and asks the changed question as a citizen.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.engine.engine import AnswerEngine
from bot.knowledge.loader import load_knowledge
from bot.locale import Locales
from bot.messenger.callback_data import ImportApply, ImportDrop, parse
from bot.messenger.staff_settings import HandoffSettings, StaffSettings
from bot.settings import Settings
from tests.support.bot_harness import Bot, running_bot
from tests.support.fakeapi import FakeChat, FakeUser, SentMessage

EDITOR, VIEWER = 9201, 9202
STAFF_GROUP = -4444
ENTRY = "birthcert-duplicate"
QUESTION = "شناسنامه‌ام گم شده"
NEW_ANSWER = "پاسخ تازه از کارنامه: برای المثنی شناسنامه به دفتر پیشخوان بروید."


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(Settings().knowledge_dir, folder, ignore=shutil.ignore_patterns(".backup"))
    return folder


def changes(knowledge: Path) -> dict[str, object]:
    return {
        "staff": StaffSettings({"telegram": frozenset({EDITOR})}, {"telegram": frozenset({VIEWER})}),
        "handoff": HandoffSettings({"telegram": STAFF_GROUP}),
        "knowledge_dir": knowledge,
    }


def edited(workbook: bytes, entry_id: str, **cells: str) -> bytes:
    """The workbook with ``entry_id``'s cells replaced (by column name), as staff would in Excel."""
    book = load_workbook(io.BytesIO(workbook))
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        if "id" not in header:
            continue
        for row in sheet.iter_rows(min_row=2):
            if row[header.index("id")].value == entry_id:
                for column, value in cells.items():
                    row[header.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def workbook_of(bot: Bot, editor: FakeUser, group: FakeChat) -> bytes:
    bot.api.user_sends_command(editor, "/workbook", chat=group)
    [document] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
    assert document.method == "sendDocument" and document.data is not None
    return document.data


async def send(
    bot: Bot, editor: FakeUser, group: FakeChat, data: bytes, name: str = "answers.xlsx"
) -> SentMessage:
    bot.api.user_sends_document(editor, data, file_name=name, mime_type=None, caption="/import", chat=group)
    [reply] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
    return reply


def token_of(preview: SentMessage) -> str:
    [apply, drop] = [parse(b["callback_data"]) for b in preview.buttons]
    assert isinstance(apply, ImportApply) and isinstance(drop, ImportDrop) and apply.token == drop.token
    return apply.token


async def test_a_workbook_with_one_changed_answer_is_previewed_applied_and_answered_then_undone(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    original = (knowledge_copy / "birth.yaml").read_bytes()
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor, citizen = bot.api.create_user("Editor", user_id=EDITOR), bot.api.create_user()
        group = bot.api.create_group("کارکنان", [editor], chat_id=STAFF_GROUP)
        workbook = await workbook_of(bot, editor, group)
        preview = await send(bot, editor, group, edited(workbook, ENTRY, answer=NEW_ANSWER))
        fa = bot.fa
        assert preview.text is not None
        assert preview.text.startswith(
            fa.text("staff.import_preview", file="answers.xlsx", added=0, changed=1, removed=0)
        )
        title = engine.knowledge.entry(ENTRY).title
        assert (
            fa.text("staff.import_changed_entry", entry=ENTRY, title=title, fields="answer") in preview.text
        )
        assert "[پاسخ تازه از کارنامه:" in preview.text  # the short diff shows the words put in
        assert (knowledge_copy / "birth.yaml").read_bytes() == original  # a preview changes nothing

        await bot.press(editor, preview, preview.buttons[0]["callback_data"], chat=group)
        [applied] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
        assert applied.text == fa.text("staff.import_applied", added=0, changed=1, removed=0)
        [answer] = await bot.say(citizen, QUESTION)
        assert NEW_ANSWER in (answer.text or "")
        assert load_knowledge(knowledge_copy).entry(ENTRY).answer == NEW_ANSWER
        [[field, entry_id, after]] = bot.rows("SELECT field, entry_id, after FROM staff_changes")
        assert (field, entry_id) == (
            "workbook_import",
            "workbook",
        ) and '"changed": ["birthcert-duplicate"]' in after

        bot.api.user_sends_command(editor, "/undo", chat=group)
        [undone] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
        assert undone.text == fa.text("staff.undone_workbook_import", entry="workbook")
        [answer] = await bot.say(citizen, QUESTION)
        assert NEW_ANSWER not in (answer.text or "")
        assert (knowledge_copy / "birth.yaml").read_bytes() == original
        assert not list((tmp_path / "staff-uploads").iterdir())  # the upload is gone once applied


async def test_a_broken_workbook_gets_its_errors_in_persian_and_nothing_changes(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    before = {path.name: path.read_bytes() for path in knowledge_copy.glob("*.yaml")}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor, citizen = bot.api.create_user("Editor", user_id=EDITOR), bot.api.create_user()
        group = bot.api.create_group("کارکنان", [editor], chat_id=STAFF_GROUP)
        workbook = await workbook_of(bot, editor, group)
        broken = edited(workbook, ENTRY, answer="", links="پیوند | https://example.com/x")
        reply = await send(bot, editor, group, broken)
        assert reply.text is not None and not reply.buttons
        [heading, *_] = reply.text.split("\n")
        assert heading == bot.fa.text("staff.import_failed", file="answers.xlsx", count=2).split("\n")[0]
        assert "birth!" in reply.text and "answer" in reply.text and "links" in reply.text
        [answer] = await bot.say(citizen, QUESTION)
        assert engine.knowledge.entry(ENTRY).short_answer in (answer.text or "")
        assert bot.rows("SELECT count(*) FROM staff_changes") == [(0,)]
        not_a_workbook = await send(bot, editor, group, b"not a zip file")
        assert not_a_workbook.text is not None and not_a_workbook.text.startswith(
            bot.fa.text("staff.import_failed", file="answers.xlsx", count=1).split("\n")[0]
        )
    assert {path.name: path.read_bytes() for path in knowledge_copy.glob("*.yaml")} == before


async def test_a_preview_made_stale_by_another_edit_is_not_applied(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor = bot.api.create_user("Editor", user_id=EDITOR)
        viewer = bot.api.create_user("Viewer", user_id=VIEWER)
        group = bot.api.create_group("کارکنان", [editor, viewer], chat_id=STAFF_GROUP)
        workbook = await workbook_of(bot, editor, group)
        preview = await send(bot, editor, group, edited(workbook, ENTRY, answer=NEW_ANSWER))
        token = token_of(preview)
        answer = await bot.press(viewer, preview, f"wa:{token}", chat=group)  # a viewer may not apply
        assert answer["text"] == bot.fa.text("bot.refused")
        bot.api.user_sends_command(editor, "/edit", ENTRY, chat=group)
        await bot.api.wait_for_messages(STAFF_GROUP, timeout=20)
        bot.api.user_sends_text(editor, "پاسخ دیگری از ویرایشگر.", chat=group, reply_to=preview)
        [edit_preview] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=20)
        await bot.press(editor, edit_preview, edit_preview.buttons[0]["callback_data"], chat=group)
        await bot.api.wait_for_messages(STAFF_GROUP, timeout=20)  # saved
        await bot.press(editor, preview, f"wa:{token}", chat=group)
        [stale] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=20)
        assert stale.text == bot.fa.text("staff.import_stale")
        assert load_knowledge(knowledge_copy).entry(ENTRY).answer == "پاسخ دیگری از ویرایشگر."
        same = await send(bot, editor, group, workbook)  # the old workbook never undoes the newer edit
        assert not same.buttons  # nothing to apply: the row was not edited since its export
        assert load_knowledge(knowledge_copy).entry(ENTRY).answer == "پاسخ دیگری از ویرایشگر."


async def test_an_office_added_in_the_workbook_is_previewed_applied_and_found_by_a_shared_location(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    """Staff fill in the offices sheet in the chat's workbook; a citizen's location then finds the office."""
    name = "اداره ثبت احوال نمونه برازجان"
    original = (knowledge_copy / "offices.yaml").read_bytes()
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor, citizen = bot.api.create_user("Editor", user_id=EDITOR), bot.api.create_user()
        group = bot.api.create_group("کارکنان", [editor], chat_id=STAFF_GROUP)
        fa = bot.fa
        bot.api.user_sends_location(citizen, 29.25, 51.20)
        [none] = await bot.api.wait_for_messages(citizen.id)
        assert none.text is not None and none.text.startswith(fa.text("location.none"))

        book = load_workbook(io.BytesIO(await workbook_of(bot, editor, group)))
        every_day = ["07:30-14:00"] * 7
        row = [name, "برازجان", "برازجان، خیابان نمونه", "077-00000000", *every_day, "شناسنامه"]
        book["offices"].append([*row, 29.2667, 51.2167, "https://bocr.ir/", None, "بله"])
        out = io.BytesIO()
        book.save(out)
        preview = await send(bot, editor, group, out.getvalue())
        assert preview.text is not None and preview.buttons
        assert preview.text.startswith(
            fa.text("staff.import_preview", file="answers.xlsx", added=0, changed=0, removed=0)
        )
        assert fa.text("staff.import_office_added", name=name) in preview.text
        assert (knowledge_copy / "offices.yaml").read_bytes() == original  # a preview changes nothing

        await bot.press(editor, preview, preview.buttons[0]["callback_data"], chat=group)
        [applied] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
        assert applied.text == "\n".join(
            [
                fa.text("staff.import_applied", added=0, changed=0, removed=0),
                fa.text("staff.import_offices_applied", added=1, changed=0, removed=0),
            ]
        )
        bot.api.user_sends_location(citizen, 29.25, 51.20)
        [nearest] = await bot.api.wait_for_messages(citizen.id)
        assert nearest.text is not None and nearest.text.startswith(fa.text("location.nearest"))
        assert name in nearest.text and "حدود ۲٫۵ کیلومتر" in nearest.text
        assert fa.text("location.today", hours="۷:۳۰ تا ۱۴") in nearest.text

        bot.api.user_sends_command(editor, "/undo", chat=group)
        await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
        assert (knowledge_copy / "offices.yaml").read_bytes() == original
        bot.api.user_sends_location(citizen, 29.25, 51.20)
        [none_again] = await bot.api.wait_for_messages(citizen.id)
        assert none_again.text is not None and none_again.text.startswith(fa.text("location.none"))


async def test_a_workbook_without_the_offices_sheets_still_imports_in_the_chat(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, knowledge_copy: Path
) -> None:
    """A workbook exported by the previous version: the answer changes, the offices stay."""
    original = (knowledge_copy / "offices.yaml").read_bytes()
    async with running_bot(tmp_path, engine, locales, settings_changes=changes(knowledge_copy)) as bot:
        editor = bot.api.create_user("Editor", user_id=EDITOR)
        group = bot.api.create_group("کارکنان", [editor], chat_id=STAFF_GROUP)
        book = load_workbook(
            io.BytesIO(edited(await workbook_of(bot, editor, group), ENTRY, answer=NEW_ANSWER))
        )
        book.remove(book["offices"])
        book.remove(book["province"])
        out = io.BytesIO()
        book.save(out)
        preview = await send(bot, editor, group, out.getvalue())
        assert preview.text is not None and preview.buttons
        fa = bot.fa
        office_lines = [
            fa.text(key, name="@", fields="@").split("@")[0]
            for key in (
                "staff.import_office_added",
                "staff.import_office_changed",
                "staff.import_office_removed",
            )
        ]
        office_lines.append(fa.text("staff.import_province_changed", fields="@").split("@")[0])
        assert not any(line in preview.text for line in office_lines), preview.text
        await bot.press(editor, preview, preview.buttons[0]["callback_data"], chat=group)
        [applied] = await bot.api.wait_for_messages(STAFF_GROUP, timeout=30)
        assert applied.text == bot.fa.text("staff.import_applied", added=0, changed=1, removed=0)
        assert load_knowledge(knowledge_copy).entry(ENTRY).answer == NEW_ANSWER
    assert (knowledge_copy / "offices.yaml").read_bytes() == original
