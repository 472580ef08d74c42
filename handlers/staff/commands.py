"""The staff commands as one table: who may use each, for ``/help`` and the staff group's menu.

Descriptions are ``commands.<name>`` in ``locales/`` (one line each, as the messengers' command
menus show them). ``/help`` lists a staff member the commands their role allows, in their
language; :mod:`handlers.command_menus` puts them all in the staff group's menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import User

from bot.locale import Catalog
from bot.messenger.staff_settings import Role
from handlers.context import BotContext
from handlers.staff.auth import role_of

__all__ = ["CITIZEN_COMMANDS", "STAFF_COMMANDS", "StaffCommand", "staff_help"]

#: The citizens' commands, in menu order (descriptions: ``commands.<name>``).
CITIZEN_COMMANDS = ("start", "menu", "lang", "help", "subscribe", "unsubscribe")


@dataclass(frozen=True)
class StaffCommand:
    name: str
    role: Role
    admin: bool = False


STAFF_COMMANDS: tuple[StaffCommand, ...] = (
    StaffCommand("stats", Role.VIEWER),
    StaffCommand("export", Role.VIEWER),
    StaffCommand("unanswered", Role.VIEWER),
    StaffCommand("review", Role.VIEWER),
    StaffCommand("edit", Role.EDITOR),
    StaffCommand("import", Role.EDITOR),
    StaffCommand("workbook", Role.EDITOR),
    StaffCommand("undo", Role.EDITOR),
    StaffCommand("reload", Role.EDITOR),
    StaffCommand("broadcast", Role.EDITOR),
    StaffCommand("staff", Role.EDITOR, admin=True),
)


def staff_lines(catalog: Catalog, role: Role, *, admin: bool) -> list[str]:
    """``/name description`` for each command ``role`` (and admin status) allows."""
    return [
        f"/{command.name} {catalog.text(f'commands.{command.name}')}"
        for command in STAFF_COMMANDS
        if role.allows(command.role) and (admin or not command.admin)
    ]


def staff_help(context: BotContext, user: User | None) -> str | None:
    """The staff part of ``/help`` for ``user`` in their language, or ``None`` for citizens."""
    role = role_of(context, user)
    if role is None or user is None:
        return None
    catalog = context.catalog
    admin = context.services.roster.is_admin(context.user_hash(user))
    title = catalog.text("staff.help_title", role=catalog.text(f"staff.role_{role}"))
    return "\n".join([title, *staff_lines(catalog, role, admin=admin), catalog.text("staff.help_footer")])
