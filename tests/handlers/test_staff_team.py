"""Staff managed in the bot (``/staff``), the command menus and the staff ``/help``, over the local Bot API.

The bot runs in-process (``bot.runner.serve``) against the fake Bot API server; every update and
reply is a real HTTP round trip, and the store is a real SQLite file that survives a restart.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import RemoveStaff, encode
from bot.messenger.staff_settings import HandoffSettings, StaffSettings
from handlers.staff.commands import STAFF_COMMANDS
from tests.support.bot_harness import Bot, running_bot
from tests.support.fakeapi import FakeUser, SentMessage

ADMIN, VIEWER, NEWCOMER, SECOND = 9101, 9102, 9103, 9104
STAFF_GROUP = -4343


def settings_changes() -> dict[str, object]:
    staff = StaffSettings({"telegram": frozenset({ADMIN})}, {"telegram": frozenset({VIEWER})})
    return {"staff": staff, "handoff": HandoffSettings({"telegram": STAFF_GROUP})}


async def command(bot: Bot, user: FakeUser, text: str, count: int = 1) -> list[SentMessage]:
    name, _, args = text.partition(" ")
    bot.api.user_sends_command(user, name, args)
    return await bot.api.wait_for_messages(user.id, count, timeout=20)


async def is_viewer(bot: Bot, user: FakeUser) -> bool:
    """``/review`` (a viewer's command) gets a staff reply, not the unknown-command reply others get."""
    [reply] = await command(bot, user, "/review")
    return reply.text != bot.fa.text("bot.unknown_command")


async def test_admin_adds_a_viewer_whose_commands_work_at_once_then_removes_them(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=settings_changes()) as bot:
        admin = bot.api.create_user("Admin", user_id=ADMIN)
        newcomer = bot.api.create_user("Sara", user_id=NEWCOMER)
        assert not await is_viewer(bot, newcomer)

        [added] = await command(bot, admin, f"/staff add viewer {NEWCOMER}")
        name = bot.fa.text("staff.team_member", number=3)  # the config's two people are rows 1 and 2
        assert added.text == bot.fa.text("staff.team_added", name=name, role=bot.fa.text("staff.role_viewer"))
        assert await is_viewer(bot, newcomer)
        [refused] = await command(bot, newcomer, "/edit")  # a viewer, not an editor
        assert refused.text == bot.fa.text("bot.unknown_command")

        [removed] = await command(bot, admin, f"/staff remove {NEWCOMER}")
        assert removed.text == bot.fa.text("staff.team_removed", name=name)
        assert not await is_viewer(bot, newcomer)

        assert bot.rows(
            "SELECT role, source FROM staff_members WHERE user_hash = ?", bot.user_hash(newcomer)
        ) == [(None, "bot")]
        assert bot.rows(
            "SELECT staff_hash, entry_id, field, before, after FROM staff_changes ORDER BY id"
        ) == [
            (bot.user_hash(admin), "staff-3", "staff_role", None, "viewer"),
            (bot.user_hash(admin), "staff-3", "staff_role", "viewer", None),
        ]
        assert str(NEWCOMER) not in json.dumps(bot.rows("SELECT * FROM staff_members"))


async def test_a_forwarded_message_names_the_new_editor_and_undo_removes_them(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=settings_changes()) as bot:
        admin = bot.api.create_user("Admin", user_id=ADMIN)
        second = bot.api.create_user("Reza", user_id=SECOND)
        [prompt] = await command(bot, admin, "/staff add editor")
        assert prompt.text == bot.fa.text("staff.team_forward", role=bot.fa.text("staff.role_editor"))
        bot.api.user_forwards_message(admin, second, "سلام")
        [added] = await bot.api.wait_for_messages(admin.id, timeout=20)
        assert added.text == bot.fa.text(
            "staff.team_added", name="Reza", role=bot.fa.text("staff.role_editor")
        )
        [usage] = await command(bot, second, "/edit")  # an editor's command, at once
        assert usage.text == bot.fa.text("staff.edit_usage")

        [listing] = await command(bot, admin, "/staff")
        assert "Reza" in listing.text and bot.fa.text("staff.team_source_bot") in listing.text
        remove = [b["callback_data"] for b in listing.buttons]
        assert encode(RemoveStaff(3)) in remove and len(remove) == 2  # not the admin themself

        [undone] = await command(bot, admin, "/undo")
        assert undone.text == bot.fa.text("staff.undone_staff_role", entry="staff-3")
        [refused] = await command(bot, second, "/edit")
        assert refused.text == bot.fa.text("bot.unknown_command")

        [prompt] = await command(bot, admin, "/staff add viewer")
        bot.api.user_forwards_message(admin, None, "سلام", hidden_name="Hidden")
        [hidden] = await bot.api.wait_for_messages(admin.id, timeout=20)
        assert hidden.text == bot.fa.text("staff.team_hidden")


async def test_the_list_button_removes_and_a_removal_outlives_the_config_after_restart(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=settings_changes()) as bot:
        admin = bot.api.create_user("Admin", user_id=ADMIN)
        viewer = bot.api.create_user("Viewer", user_id=VIEWER)
        assert await is_viewer(bot, viewer)
        [[member]] = bot.rows("SELECT id FROM staff_members WHERE user_hash = ?", bot.user_hash(viewer))
        [listing] = await command(bot, admin, "/staff list")
        await bot.press(admin, listing, encode(RemoveStaff(member)))
        [removed] = await bot.api.wait_for_messages(admin.id, timeout=20)
        name = bot.fa.text("staff.team_member", number=member)
        assert removed.text == bot.fa.text("staff.team_removed", name=name)
        assert not await is_viewer(bot, viewer)
        [fixed] = await command(bot, admin, f"/staff remove {ADMIN}")
        assert fixed.text == bot.fa.text("staff.team_admin_fixed")
        [only] = await command(bot, viewer, "/staff")  # not staff any more: a citizen's question
        assert only.text == bot.fa.text("bot.unknown_command")
    async with running_bot(  # the same bot's Bot API goes on counting its updates
        tmp_path, engine, locales, settings_changes=settings_changes(), first_update_id=200_000_001
    ) as bot:
        viewer = bot.api.create_user("Viewer", user_id=VIEWER)
        assert not await is_viewer(bot, viewer)  # the config lists them; the admin's removal stands


async def test_non_admin_editors_cannot_manage_staff(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    staff = StaffSettings(
        {"telegram": frozenset({ADMIN, SECOND})}, {}, admins={"telegram": frozenset({ADMIN})}
    )
    async with running_bot(tmp_path, engine, locales, settings_changes={"staff": staff}) as bot:
        editor = bot.api.create_user("Editor", user_id=SECOND)
        [reply] = await command(bot, editor, f"/staff add viewer {NEWCOMER}")
        assert reply.text == bot.fa.text("staff.team_admins_only")
        assert bot.rows("SELECT count(*) FROM staff_changes") == [(0,)]


async def test_command_menus_for_citizens_and_the_staff_group(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=settings_changes()) as bot:
        menus = {
            (json.loads(key.partition("|")[0])["type"], key.partition("|")[2]): commands
            for key, commands in bot.api.state.commands.items()
        }
        calls = [c.params for c in bot.api.calls("setMyCommands")]
    fa, en = bot.fa, bot.en
    assert menus[("default", "")][0] == {"command": "start", "description": fa.text("commands.start")}
    assert menus[("default", "en")][0] == {"command": "start", "description": en.text("commands.start")}
    staff_menu = menus[("chat", "")]
    assert [c["command"] for c in staff_menu] == [c.name for c in STAFF_COMMANDS] + ["help"]
    assert staff_menu[0]["description"] == fa.text("commands.stats")
    assert menus[("chat", "en")][0]["description"] == en.text("commands.stats")
    scopes = [
        json.loads(c["scope"]) if isinstance(c["scope"], str) else c["scope"] for c in calls if "scope" in c
    ]
    assert {"type": "chat", "chat_id": STAFF_GROUP} in scopes


async def test_help_lists_the_staff_commands_a_role_allows(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, settings_changes=settings_changes()) as bot:
        admin = bot.api.create_user("Admin", user_id=ADMIN)
        viewer = bot.api.create_user("Viewer", user_id=VIEWER)
        citizen = bot.api.create_user()
        [for_admin] = await command(bot, admin, "/help")
        [for_viewer] = await command(bot, viewer, "/help")
        [for_citizen] = await command(bot, citizen, "/help")
    fa = bot.fa
    assert for_citizen.text == fa.text("bot.help")
    assert for_admin.text.startswith(fa.text("bot.help"))
    assert fa.text("staff.help_title", role=fa.text("staff.role_editor")) in for_admin.text
    assert f"/staff {fa.text('commands.staff')}" in for_admin.text
    assert f"/edit {fa.text('commands.edit')}" in for_admin.text
    assert f"/stats {fa.text('commands.stats')}" in for_viewer.text
    assert "/edit" not in for_viewer.text and "/staff" not in for_viewer.text
