"""Kill -9 mid-burst, restart, count the citizens left without an answer and those answered twice
(on demand, not CI; the suite runs the same with fewer citizens, ``tests/e2e/test_kill_replay.py``).

    .venv/bin/python benchmarks/kill_replay.py                        # 300 citizens, 5 runs of each mode
    .venv/bin/python benchmarks/kill_replay.py --mode polling --runs 10 --after 30 --after 150
    .venv/bin/python benchmarks/kill_replay.py --mode webhook --citizens 300 --runs 5

Each run starts the real ``sabtyar run`` against the local fake Bot API
(``tests/support/fakeapi``), with a store of its own, and sends one question from each of
``--citizens`` citizens at once. Then the bot is SIGKILLed:

- ``polling`` (one process, long polling): once the Bot API carried out ``--after`` replies;
- ``workers`` (``[general] workers = 2``): the same, killing the polling process;
- ``webhook``: as soon as the fake Bot API had HTTP 200 for the last update of the burst (it
  posts them as the real one does: up to 40 at once, one chat at a time, with the secret header).

and started again on the same store. A citizen is *lost* when no reply came within
``--deadline`` seconds of the restart, *answered twice* when more than one reply came (a reply
the Bot API carried out whose done mark was not yet written when the process died, replayed).
Printed per run, then per mode the median and the worst of each.

The bot runs as configured for production: PTB's rate limiter (30 messages/s overall) on.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fakeapi import FakeBotApi, FakeUser  # noqa: E402
from tests.support.live_bot import LiveBot, live_bot  # noqa: E402

#: A question every citizen asks: the engine finds no answer (the reply is the kind "not found").
QUESTION = "هوای تهران چطوره"
MODES = ("polling", "workers", "webhook")
WEBHOOK_SECRET = "kill_replay_secret_0123456789"


@dataclass(frozen=True)
class Outcome:
    """One run: what the citizens got."""

    mode: str
    citizens: int
    answered_before: int
    lost: int
    twice: int
    killed_after: float
    restart_seconds: float

    def line(self) -> str:
        return (
            f"{self.mode:8} {self.citizens} citizens: answered before the kill {self.answered_before:3}, "
            f"killed {self.killed_after:.2f} s into the burst; after the restart lost {self.lost}, "
            f"answered twice {self.twice} (waited {self.restart_seconds:.1f} s after the restart)"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_config(mode: str, port: int) -> tuple[str, str]:
    """``(extra TOML, the call that says the bot started)`` for ``mode``."""
    if mode == "workers":
        return "[general]\nworkers = 2\n", "getUpdates"
    if mode == "webhook":
        webhook = (
            "[platforms.telegram.webhook]\n"
            f'url = "http://127.0.0.1:{port}/hook"\nport = {port}\nsecret = "{WEBHOOK_SECRET}"\n'
        )
        return webhook, "setWebhook"
    return "", "getUpdates"


async def kill_moment(api: FakeBotApi, mode: str, burst: list[dict[str, object]], after: int) -> None:
    """Wait for the moment ``mode`` kills the bot."""
    if mode == "webhook":
        last = {u["update_id"] for u in burst}

        def all_accepted() -> bool:
            accepted = {d["update_id"] for d in api.webhook_deliveries if d["error"] is None}
            return last <= accepted

        if not await api.state.changed.wait_for(all_accepted, 120):
            raise TimeoutError("the webhook did not accept the burst within 120 s")
        return
    await api.wait_for_calls("sendMessage", after, timeout=120)


async def one_run(mode: str, citizens: int, after: int, deadline: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="kill-replay-") as folder:
        port = free_port()
        extra, started = bot_config(mode, port)
        async with FakeBotApi("telegram") as api:
            people = [api.create_user(f"C{i}") for i in range(citizens)]
            config: dict[str, Any] = {"flood": (50, 1.0), "extra": extra, "started": started}
            async with live_bot(Path(folder), api, **config) as bot:
                began = time.monotonic()
                burst = [api.user_sends_text(citizen, QUESTION) for citizen in people]
                await kill_moment(api, mode, [u for u in burst if u is not None], after)
                os.kill(bot.process.pid, signal.SIGKILL)
                killed_after = time.monotonic() - began
                await bot.wait_exit()
            answered_before = sum(1 for citizen in people if api.sent(citizen.id))
            async with live_bot(Path(folder), api, **config) as again:
                restarted = time.monotonic()
                await everyone_answered(api, people, again, deadline)
                restart_seconds = time.monotonic() - restarted
                await asyncio.sleep(1.0)  # a late second reply still counts
                lost = sum(1 for citizen in people if not api.sent(citizen.id))
                twice = sum(1 for citizen in people if len(api.sent(citizen.id)) > 1)
        return Outcome(mode, citizens, answered_before, lost, twice, killed_after, restart_seconds)


async def everyone_answered(api: FakeBotApi, people: list[FakeUser], bot: LiveBot, deadline: float) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end and not all(api.sent(citizen.id) for citizen in people):
        if bot.process.poll() is not None:
            raise RuntimeError(f"the restarted bot exited:\n{bot.stderr()[-3000:]}")
        await asyncio.sleep(0.2)


def summary(outcomes: list[Outcome]) -> str:
    lost = [o.lost for o in outcomes]
    twice = [o.twice for o in outcomes]
    return (
        f"{outcomes[0].mode:8} {len(outcomes)} runs of {outcomes[0].citizens} citizens: "
        f"lost median {statistics.median(lost):g} worst {max(lost)}; "
        f"answered twice median {statistics.median(twice):g} worst {max(twice)} "
        f"(runs: {' '.join(map(str, twice))})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mode", action="append", choices=MODES, help="repeatable; default polling and webhook"
    )
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--after",
        type=int,
        action="append",
        help="polling, workers: kill once this many replies went out (repeatable, run in turn; default 30)",
    )
    parser.add_argument("--deadline", type=float, default=90.0, help="seconds the restart gets to answer all")
    args = parser.parse_args()
    modes = args.mode or ["polling", "webhook"]
    kill_points = args.after or [30]
    results = []
    for mode in modes:
        outcomes = []
        for run in range(args.runs):
            after = kill_points[run % len(kill_points)]
            outcome = asyncio.run(one_run(mode, args.citizens, after, args.deadline))
            print(outcome.line(), flush=True)
            outcomes.append(outcome)
        results.append(summary(outcomes))
    print()
    print("\n".join(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
