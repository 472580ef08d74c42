"""Who is staff now on one platform: the database's list (``/staff``), held in memory for the handlers.

The roster starts as the config's lists (so staff commands work even before the store answers),
then :meth:`StaffRoster.load` seeds the database with the config's people it has never seen and
reads the list back. An admin's ``/staff`` change updates the database and this roster at once;
other worker processes read the list again within :data:`REFRESH_SECONDS`. Admins come from the
config only (:meth:`~bot.messenger.staff_settings.StaffSettings.admin_ids`), are always editors,
and cannot be removed in the bot, so no one can lock the admins out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.messenger.staff_settings import Role, StaffSettings
from bot.store import Store, StoreError
from bot.store.staff_members import seed_staff, staff_roles

__all__ = ["REFRESH_SECONDS", "StaffRoster"]

_LOG = logging.getLogger("sabtyar.staff")
#: How often a process reads the staff list again (another worker's ``/staff``).
REFRESH_SECONDS = 2.0


class StaffRoster:
    """One platform's staff by keyed user hash; ``hasher(platform, user_id)`` hashes the config's ids."""

    def __init__(self, platform: str, settings: StaffSettings, hasher: Callable[[str, int], str]) -> None:
        self.platform = platform
        self._config: dict[str, Role] = {}
        for role, ids in ((Role.VIEWER, settings.viewers), (Role.EDITOR, settings.editors)):
            self._config.update({hasher(platform, user_id): role for user_id in ids.get(platform, ())})
        self._admins = frozenset(hasher(platform, user_id) for user_id in settings.admin_ids(platform))
        self._roles: dict[str, Role] = dict(self._config)

    def role(self, user_hash: str) -> Role | None:
        """The member's role now; admins are always editors."""
        if user_hash in self._admins:
            return Role.EDITOR
        return self._roles.get(user_hash)

    def is_admin(self, user_hash: str) -> bool:
        return user_hash in self._admins

    def set(self, user_hash: str, role: Role | None) -> None:
        """Take a change this process just stored (``None``: removed)."""
        if role is None:
            self._roles.pop(user_hash, None)
        else:
            self._roles[user_hash] = role

    async def refresh(self, store: Store) -> None:
        """Read the list from the database."""
        roles = await staff_roles(store, self.platform)
        self._roles = {user_hash: Role(role) for user_hash, role in roles.items()}

    async def load(self, store: Store) -> None:
        """Seed the database with the config's people it has never seen, then read the list.

        A database that cannot be used just now leaves the config's lists in force (logged)."""
        try:
            seeds = [(user_hash, self.platform, str(role)) for user_hash, role in self._config.items()]
            await seed_staff(store, seeds)
            await self.refresh(store)
        except StoreError as error:
            _LOG.warning("staff list not read from the store (%s): using the config's lists", error)

    async def follow(self, store: Store, every: float = REFRESH_SECONDS) -> None:
        """Read the list again every ``every`` seconds until cancelled."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh(store)
            except StoreError as error:
                _LOG.debug("staff list not refreshed: %s", error)
