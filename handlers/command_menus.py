"""The messengers' command menus (``setMyCommands``), set once at start.

Citizens get their commands in every chat (the default scope) with Persian descriptions, and
English ones for users whose app is in English (``language_code="en"``). The platform's staff
group (``[handoff.<platform>] group_chat_id``) gets the staff commands in its own scope, the
same two languages. A messenger that refuses a menu (Bale may not know a scope) costs only a
warning: the commands work without menus.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.locale import Catalog
from bot.messenger.platforms import PlatformSettings
from handlers.context import Shared
from handlers.staff.commands import CITIZEN_COMMANDS, STAFF_COMMANDS

__all__ = ["citizen_menu", "set_command_menus", "staff_menu"]

_LOG = logging.getLogger("sabtyar.menus")
#: The menus' languages: the default one (no language code) and English by ``language_code``.
_ENGLISH = "en"


def citizen_menu(catalog: Catalog) -> list[BotCommand]:
    return [BotCommand(name, catalog.text(f"commands.{name}")) for name in CITIZEN_COMMANDS]


def staff_menu(catalog: Catalog) -> list[BotCommand]:
    """The staff commands, then ``/help`` (which lists them with who may use each)."""
    commands = [BotCommand(c.name, catalog.text(f"commands.{c.name}")) for c in STAFF_COMMANDS]
    return [*commands, BotCommand("help", catalog.text("commands.help_staff"))]


async def _set(
    bot: ExtBot[Any], commands: list[BotCommand], scope: BotCommandScope, language: str | None
) -> bool:
    try:
        return await bot.set_my_commands(commands, scope=scope, language_code=language)
    except TelegramError as error:
        _LOG.warning("command menu (%s, %s) not set: %s", scope.type, language or "default", error.message)
        return False


async def set_command_menus(bot: ExtBot[Any], shared: Shared, platform: PlatformSettings) -> None:
    """Set the citizens' menu and, where a staff group is configured, the staff group's."""
    locales = shared.locales
    default, english = locales.get(None), locales.get(_ENGLISH)
    await _set(bot, citizen_menu(default), BotCommandScopeDefault(), None)
    if english.language != default.language:
        await _set(bot, citizen_menu(english), BotCommandScopeDefault(), _ENGLISH)
    group = shared.settings.handoff.group(platform.name)
    if group is None:
        return
    await _set(bot, staff_menu(default), BotCommandScopeChat(group), None)
    if english.language != default.language:
        await _set(bot, staff_menu(english), BotCommandScopeChat(group), _ENGLISH)
