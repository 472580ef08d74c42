"""The real worker group (``run_workers``) with fake workers: no engine, no handlers, in a second.

Run as ``python -m tests.support.worker_group BASE_URL TOKEN DB OUT BEHAVIOUR FROZEN_SECONDS``:
the polling process, its inbox and its watchdog are sabtyar's own; each worker reads its feed,
"answers" an update by appending ``<pid> <update_id>`` to ``OUT/answered`` and reports it
finished (``bot/messenger/updates/reports.py``). The first worker to take an update of an even
user id (slot 0 of 2) then, before answering it, kills itself (``BEHAVIOUR`` ``die``) or stops
itself (``freeze``: no more heartbeats); its replacement behaves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from bot.messenger.platforms import default_platform
from bot.messenger.updates.reports import Reporter
from bot.messenger.updates.workers import run_workers
from bot.secret import Secret


def serve_fake(feeds: Mapping[str, socket.socket], out: Path, behaviour: str) -> int:
    return asyncio.run(_work(feeds["telegram"], out, behaviour))


async def _work(feed: socket.socket, out: Path, behaviour: str) -> int:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: None)  # ends with its feed
    reader, writer = await asyncio.open_unix_connection(sock=feed)
    reporter = Reporter(feed.dup())
    beating = asyncio.create_task(reporter.run())
    victim = out / "victim"
    while line := await reader.readline():
        update = json.loads(line)
        if update["message"]["from"]["id"] % 2 == 0 and not victim.exists():
            victim.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL if behaviour == "die" else signal.SIGSTOP)
        with (out / "answered").open("a") as answered:
            answered.write(f"{os.getpid()} {update['update_id']}\n")
        reporter.finished(update["update_id"], 1)
        reporter.recorded([update["update_id"]])  # as a worker's inbox does once its mark is written
    beating.cancel()
    writer.close()
    return 0


def main(argv: list[str]) -> int:
    base_url, token, db, out, behaviour, frozen = argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    platform = replace(default_platform("telegram"), token=Secret(token), base_url=base_url)
    return run_workers(
        [platform],
        2,
        lambda feeds: serve_fake(feeds, Path(out), behaviour),
        store_path=Path(db),
        allowed_updates=["message"],
        poll_timeout=1,
        frozen_seconds=float(frozen),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
