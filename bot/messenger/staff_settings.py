"""``[staff]`` and ``[handoff]``: who may use the staff commands, and where handoffs go.

Keys::

    [staff]
    review_after_days = 180        # /review lists entries verified longer ago than this
    [staff.telegram]               # messenger user ids, per platform
    editors = [111]                # every staff command, including /edit, /reload, /broadcast
    viewers = [222]                # /stats, /export, /unanswered, /review
    admins = [111]                 # /staff: add and remove staff in the bot (default: the editors)

The editors and viewers listed here seed the staff list the bot keeps in its database at start;
from then on an admin manages it with ``/staff`` (see :mod:`bot.messenger.staff_roster`). Admins
are always editors and are managed only here.

    [handoff]
    office_hours = "08:00-14:00"   # Asia/Tehran, Saturday to Wednesday
    [handoff.telegram]
    group_chat_id = -1001234567890 # the staff group citizens' requests for a person go to
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from bot.config_values import ConfigError, Section
from bot.store.records import MESSENGERS

__all__ = ["HandoffSettings", "Role", "StaffSettings", "read_handoff", "read_staff"]

_HOURS = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])")


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"

    def allows(self, needed: Role) -> bool:
        """An editor may do whatever a viewer may."""
        return self is Role.EDITOR or needed is Role.VIEWER


@dataclass(frozen=True)
class StaffSettings:
    """Staff user ids by platform; an id listed as editor is an editor even if also a viewer."""

    editors: dict[str, frozenset[int]] = field(default_factory=dict)
    viewers: dict[str, frozenset[int]] = field(default_factory=dict)
    review_after_days: int = 180
    admins: dict[str, frozenset[int]] = field(default_factory=dict)

    def admin_ids(self, platform: str) -> frozenset[int]:
        """Who may use ``/staff`` on ``platform``: the listed admins, else the config's editors."""
        return self.admins.get(platform) or self.editors.get(platform, frozenset())

    def role(self, platform: str, user_id: int) -> Role | None:
        """The role the config gives (admins are editors); the bot's own list: ``StaffRoster``."""
        if user_id in self.editors.get(platform, frozenset()) | self.admins.get(platform, frozenset()):
            return Role.EDITOR
        if user_id in self.viewers.get(platform, frozenset()):
            return Role.VIEWER
        return None


@dataclass(frozen=True)
class HandoffSettings:
    """The staff group per platform (none: no handoff there) and the office hours (Iran time)."""

    group_chat_ids: dict[str, int] = field(default_factory=dict)
    opens: time = time(8, 0)
    closes: time = time(14, 0)
    workdays: frozenset[int] = frozenset({5, 6, 0, 1, 2})
    """Python weekdays (Monday 0) the staff work: Saturday to Wednesday by default."""

    def group(self, platform: str) -> int | None:
        return self.group_chat_ids.get(platform)


#: ``[handoff] workdays``: the working weeks an office may keep (Python weekdays, Monday 0).
_WORKWEEKS: dict[str, frozenset[int]] = {
    "saturday-wednesday": frozenset({5, 6, 0, 1, 2}),
    "saturday-thursday": frozenset({5, 6, 0, 1, 2, 3}),
}


def read_staff(data: object) -> StaffSettings:
    section = Section("staff", {} if data is None else data)
    editors, viewers, admins = {}, {}, {}
    for platform in MESSENGERS:
        table = section.table(platform)
        editors[platform] = frozenset(table.integer_list("editors"))
        viewers[platform] = frozenset(table.integer_list("viewers"))
        admins[platform] = frozenset(table.integer_list("admins"))
        table.finish()
    days = section.integer("review_after_days", StaffSettings().review_after_days, 1, 3650)
    section.finish()
    return StaffSettings(editors, viewers, days, admins)


def read_handoff(data: object) -> HandoffSettings:
    section = Section("handoff", {} if data is None else data)
    groups = {}
    for platform in MESSENGERS:
        table = section.table(platform)
        chat = table.optional_integer("group_chat_id")
        if chat is not None:
            groups[platform] = chat
        table.finish()
    hours = section.string("office_hours", "08:00-14:00")
    days = section.string("workdays", "saturday-wednesday")
    section.finish()
    if days not in _WORKWEEKS:
        raise ConfigError.of("doctor.config.workdays", allowed=", ".join(_WORKWEEKS), value=repr(days))
    found = _HOURS.fullmatch(hours.strip())
    if not found:
        raise ConfigError.of("doctor.config.office_hours_format", value=repr(hours))
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    opens, closes = time(h1, m1), time(h2, m2)
    if closes <= opens:
        raise ConfigError.of("doctor.config.office_hours_order")
    return HandoffSettings(groups, opens, closes, _WORKWEEKS[days])
