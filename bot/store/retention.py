"""The retention period applied on its own: question texts and comments past it are blanked daily.

:func:`purge_periodically` runs beside the bots (``bot/runner.py``) on a running store's own
connection (no second one): once at start, then every ``every`` seconds until the bot stops, it calls
:meth:`Store.purge_raw_text` with the cut-off ``retention_days`` before now. Every row and
figure stays; a failure (the database locked or read-only) is logged and tried again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from bot.store.store import Store, StoreError

__all__ = ["DAY", "purge_periodically"]

_LOG = logging.getLogger("sabtyar.retention")
#: Seconds between two purges.
DAY = 86_400.0


async def purge_once(store: Store, retention_days: int) -> int:
    """Blank what is older than ``retention_days`` days; how many texts."""
    return await store.purge_raw_text(datetime.now(UTC) - timedelta(days=retention_days))


async def purge_periodically(
    store: Store, retention_days: int, stop: asyncio.Event, *, every: float = DAY
) -> None:
    """Purge now and then every ``every`` seconds until ``stop`` is set (never cancelled mid-purge:
    the caller sets ``stop`` and awaits it before closing the store)."""
    while not stop.is_set():
        try:
            blanked = await purge_once(store, retention_days)
        except (StoreError, sqlite3.Error, OSError) as error:
            _LOG.warning("retention purge failed, trying again later: %s", error)
        else:
            _LOG.info("retention: %d texts older than %d days removed", blanked, retention_days)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
