"""CPU of the store's and the inbox's work for one update, alone (on demand, not CI).

    .venv/bin/python benchmarks/store_path.py [--updates 2000] [--runs 3]

The load benchmark (``benchmarks/load_benchmark.py``) measures the whole bot, where the store's
share is a few tenths of a millisecond among the noise of a shared machine. This one runs what
``sabtyar run`` does with the database for each update of a paced citizen, on a real database
file in a temporary folder, without network, engine or python-telegram-bot: the update recorded
in the inbox (a poller's batch of one: JSON, digest, seal, one transaction), then, in turn, a
question with the answer shown (one transaction) or a rating of that answer (one durable,
fsynced transaction), then the update's done mark with one reply delivered (one transaction).
Prints the CPU milliseconds (``time.thread_time``, the loop thread, where every write runs) per
update of each step and in all, per run, and the median of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.store.durable.backlog import Backlog
from bot.store.durable.inbox import UPDATE_KEY_FIELD, Inbox
from bot.store.durable.spool import Spool, spool_path
from bot.store.events import Asked, Rated, Shown
from bot.store.privacy import UserHasher
from bot.store.records import QuestionEvent
from bot.store.store import Store

STEPS = ("inbox", "question", "rating", "done")
_TEXT = "شناسنامه‌ام گم شده چیکار کنم برای المثنی"
_PLATFORM = "telegram"
_FIRST_UPDATE = 100_000


def update(n: int) -> dict[str, Any]:
    """A citizen's text message as the Bot API sends it (ten citizens in turn, two updates each)."""
    user = 5000 + (n // 2) % 10
    return {
        "update_id": _FIRST_UPDATE + n,
        "message": {
            "message_id": n,
            "date": 1_765_000_000,
            "chat": {"id": user, "type": "private", "first_name": "x"},
            "from": {"id": user, "is_bot": False, "first_name": "x", "language_code": "fa"},
            "text": f"{_TEXT} {n}",
        },
    }


async def run(updates: int, folder: Path) -> dict[str, float]:
    """CPU milliseconds per update of each step, over ``updates`` updates."""
    store = await Store.open(folder / "sabtyar.db")
    hasher = UserHasher("benchmark secret, never a real one")
    spool = Spool(spool_path(store.path))
    inbox = Inbox(lambda: store, spool, _PLATFORM, 12345, hasher.sealer())
    await inbox.start()
    backlog = Backlog(10_000, spool=spool)
    spent = dict.fromkeys(STEPS, 0.0)
    shown_key = 0
    for n in range(updates):
        started = time.thread_time()
        [received] = await inbox.accept([update(n)], at_once=True)
        await inbox.settle()
        recorded = time.thread_time()
        spent["inbox"] += recorded - started
        key = int(received[UPDATE_KEY_FIELD])
        user = hasher(_PLATFORM, 5000 + (n // 2) % 10)
        if n % 2 == 0:  # a question answered, then its rating
            event = QuestionEvent(
                platform=_PLATFORM,
                user_hash=user,
                language="fa",
                text=f"{_TEXT} {n}",
                match_form="شناسنامه گم",
                outcome="answer",
                answer_id="birth-certificate-lost",
                score=0.9,
                candidates=("birth-certificate-lost", "smartcard-lost", "birth-certificate-copy"),
                response_ms=2,
                update_id=_FIRST_UPDATE + n,
                key=key,
            )
            asked = Asked.of(event)
            shown = Shown.of(
                user_hash=user, platform=_PLATFORM, entry_id="birth-certificate-lost", via="direct", key=key
            )
            await backlog.write(store, [asked, shown])
            shown_key = key
            step = "question"
        else:
            await backlog.write(store, [Rated.of(shown_key, user, 5)], durable=True)
            step = "rating"
        written = time.thread_time()
        spent[step] += written - recorded
        inbox.done(_FIRST_UPDATE + n, 1, key)
        await asyncio.sleep(0)  # a mark the connection could not take now is written in this turn
        spent["done"] += time.thread_time() - written
    await inbox.close()
    await backlog.close(store)
    await store.close()
    return {step: 1000 * seconds / updates for step, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    totals = []
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="sabtyar-store-path-") as folder:
            figures = asyncio.run(run(args.updates, Path(folder)))
        total = sum(figures.values())
        totals.append(total)
        steps = ", ".join(f"{step} {ms:.3f}" for step, ms in figures.items())
        print(f"run {number}: {total:.3f} ms of CPU per update ({steps})")
    print(f"median of {args.runs} runs: {statistics.median(totals):.3f} ms of CPU per update")


if __name__ == "__main__":
    main()
