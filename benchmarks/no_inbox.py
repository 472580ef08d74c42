"""``sabtyar`` with the inbox switched off, for ``benchmarks/load_benchmark.py --inbox off`` only.

The inbox (``bot/store/durable/inbox.py``) records every update before ``getUpdates`` confirms
it and marks it done when handled; this launcher runs the same ``sabtyar`` command with an inbox
that does none of that (no JSON, digest, seal or database write per update; the updates are
handed on as they come, done marks only reported to a polling parent as the real one does), so
the load benchmark can tell what the inbox costs per update. Never for a real bot: an update
whose reply was not sent when the process died is lost.

    python benchmarks/no_inbox.py --config CONFIG run
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot.app
import bot.messenger.updates.workers
from bot.cli.main import main
from bot.store.durable.inbox import Inbox


class NoInbox(Inbox):
    """An inbox that records nothing and replays nothing."""

    async def start(self) -> list[dict[str, Any]]:
        return []

    async def accept(self, batch: Sequence[object]) -> list[dict[str, Any]]:
        return [u for u in batch if isinstance(u, dict) and isinstance(u.get("update_id"), int)]

    async def settle(self) -> None:
        return None

    def done(self, update_id: int, replies: int = 0, key: int | None = None) -> None:
        self._recorded([update_id])  # a worker still tells its polling process (no mark written)

    async def flush(self) -> None:
        return None

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def close(self) -> None:
        return None


def install() -> None:
    """Every inbox made from now on (the polling process's, the workers') records nothing."""
    bot.app.Inbox = NoInbox  # type: ignore[misc]
    bot.messenger.updates.workers.Inbox = NoInbox  # type: ignore[misc]


if __name__ == "__main__":
    install()
    sys.exit(main())
