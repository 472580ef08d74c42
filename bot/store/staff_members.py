"""Staff members managed in the bot (``/staff``): keyed hashes and roles, seeded from the config.

Like :mod:`bot.store.handoffs`, these functions take an open :class:`~bot.store.store.Store` and
use its transaction and lock. A person is one row for good: removing sets ``role`` to ``NULL``,
so the config's list, seeded again at every start, never brings back someone an admin removed::

    await seed_staff(store, [(editor_hash, "bale", "editor")])   # at start: only new hashes
    await set_staff_role(store, user_hash=h, platform="bale", role="viewer", name="Sara", by=admin)
    roles = await staff_roles(store, "bale")                      # {user_hash: "viewer", ...}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.store.store import Refused, Store, check_user, row_id, utc_text

__all__ = [
    "STAFF_ROLES",
    "StaffMember",
    "seed_staff",
    "set_staff_role",
    "staff_member",
    "staff_members",
    "staff_roles",
]

#: The roles a member may hold (``None``: removed).
STAFF_ROLES = ("editor", "viewer")
_NAME_CHARS = 64
_COLUMNS = "id, user_hash, platform, role, name, source"


@dataclass(frozen=True)
class StaffMember:
    id: int
    user_hash: str
    platform: str
    role: str | None
    name: str
    source: str


def _check_role(role: str | None) -> None:
    if role is not None and role not in STAFF_ROLES:
        raise Refused(f"unknown staff role {role!r}")


async def seed_staff(
    store: Store, members: Iterable[tuple[str, str, str]], *, at: datetime | None = None
) -> int:
    """Add ``(user_hash, platform, role)`` from the config for hashes never seen; the number added."""
    rows = []
    for user_hash, platform, role in members:
        check_user(user_hash, platform)
        _check_role(role)
        rows.append((user_hash, platform, role, utc_text(at)))
    if not rows:
        return 0
    async with store.transaction() as db:
        added = 0
        for row in rows:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO staff_members (user_hash, platform, role, source, updated_at)"
                " VALUES (?, ?, ?, 'config', ?)",
                row,
            )
            added += cursor.rowcount
        return added


async def staff_roles(store: Store, platform: str) -> dict[str, str]:
    """The current members of ``platform``: ``{user_hash: role}``."""
    rows = await store.rows(
        "SELECT user_hash, role FROM staff_members WHERE platform = ? AND role IS NOT NULL", (platform,)
    )
    return {user_hash: role for user_hash, role in rows}


async def staff_members(store: Store, platform: str) -> list[StaffMember]:
    """The current members of ``platform``, editors first, in the order they were added."""
    rows = await store.rows(
        f"SELECT {_COLUMNS} FROM staff_members WHERE platform = ? AND role IS NOT NULL"
        " ORDER BY role = 'viewer', id",
        (platform,),
    )
    return [StaffMember(*row) for row in rows]


async def staff_member(store: Store, member_id: int) -> StaffMember | None:
    """One member by row id (also a removed one), or ``None``."""
    rows = await store.rows(f"SELECT {_COLUMNS} FROM staff_members WHERE id = ?", (row_id(member_id),))
    return StaffMember(*rows[0]) if rows else None


async def set_staff_role(
    store: Store,
    *,
    user_hash: str,
    platform: str,
    role: str | None,
    by: str,
    name: str | None = None,
    at: datetime | None = None,
) -> tuple[int, str | None]:
    """Give ``user_hash`` ``role`` (``None``: remove); ``(member id, the role before)``.

    ``name`` (shortened to 64 characters) replaces the stored one when given."""
    check_user(user_hash, platform)
    check_user(by, platform)
    _check_role(role)
    label = None if name is None else name.strip()[:_NAME_CHARS]
    async with store.transaction(durable=True) as db:
        async with db.execute(
            "SELECT id, role, platform FROM staff_members WHERE user_hash = ?", (user_hash,)
        ) as cursor:
            found = await cursor.fetchone()
        if found is None:
            cursor = await db.execute(
                "INSERT INTO staff_members (user_hash, platform, role, name, source, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, 'bot', ?, ?)",
                (user_hash, platform, role, label or "", utc_text(at), by),
            )
            return int(cursor.lastrowid or 0), None
        member_id, before, stored_platform = found
        if stored_platform != platform:
            raise Refused("a member of another platform")
        await db.execute(
            "UPDATE staff_members SET role = ?, name = coalesce(?, name), updated_at = ?, updated_by = ?"
            " WHERE id = ?",
            (role, label, utc_text(at), by, member_id),
        )
        return int(member_id), before
