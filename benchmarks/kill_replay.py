"""Kill -9 mid-burst, restart, count the citizens left without an answer and those answered twice
(on demand, not CI; the suite runs the same with fewer citizens, ``tests/e2e/test_kill_replay.py``).

    .venv/bin/python benchmarks/kill_replay.py                        # 300 citizens, 5 runs of each mode
    .venv/bin/python benchmarks/kill_replay.py --mode polling --runs 10 --after 30 --after 150
    .venv/bin/python benchmarks/kill_replay.py --mode webhook --citizens 300 --runs 5
    .venv/bin/python benchmarks/kill_replay.py --mode worker --api-delay 0.1 --places 3 --places 1000

Each run starts the real ``sabtyar run`` against the local fake Bot API
(``tests/support/fakeapi``), with a store of its own, and sends one question from each of
``--citizens`` citizens at once. Then the bot is SIGKILLed:

- ``polling`` (one process, long polling): once the Bot API carried out ``--after`` replies;
- ``workers`` (``[general] workers = 2``): the same, killing the polling process;
- ``worker`` (``[general] workers = 2``): the same, killing one worker; the group replaces it
  and hands it the updates the worker had not finished (no restart);
- ``webhook``: as soon as the fake Bot API had HTTP 200 for the last update of the burst (it
  posts them as the real one does: up to 40 at once, one chat at a time, with the secret header).

and started again on the same store. A citizen is *lost* when no reply came within
``--deadline`` seconds of the restart, *answered twice* when more than one reply came (a reply
the Bot API carried out whose done mark was not yet written when the process died, replayed).
Printed per run, then per mode the median and the worst of each.

The bot runs as configured for production: PTB's rate limiter (30 messages/s overall) on.
``--api-delay S`` makes the local Bot API take S seconds for each call but ``getUpdates`` (a
distant Bot API: more replies are out at the kill); ``--places N`` (repeatable, run in turn)
sets ``[general] unconfirmed_replies`` (``bot/messenger/updates/window.py``), the most
replies a kill can repeat.
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

from tests.support.fakeapi import FakeBotApi, FakeUser, Fault  # noqa: E402
from tests.support.live_bot import LiveBot, live_bot  # noqa: E402

#: A question every citizen asks: the engine finds no answer (the reply is the kind "not found").
QUESTION = "هوای تهران چطوره"
MODES = ("polling", "workers", "worker", "webhook")
#: The calls ``--api-delay`` slows down (``getUpdates`` answers at once, as a long poll with updates waiting).
DELAYED_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery")
WEBHOOK_SECRET = "kill_replay_secret_0123456789"


@dataclass(frozen=True)
class Outcome:
    """One run: what the citizens got."""

    mode: str
    places: int | None
    citizens: int
    answered_before: int
    lost: int
    twice: int
    killed_after: float
    restart_seconds: float

    def line(self) -> str:
        return (
            f"{self.mode:8} places {self.places or 'default'} {self.citizens} citizens:"
            f" answered before the kill {self.answered_before:3}, "
            f"killed {self.killed_after:.2f} s into the burst; after the restart lost {self.lost}, "
            f"answered twice {self.twice} (waited {self.restart_seconds:.1f} s after the restart)"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_config(mode: str, port: int, places: int | None) -> tuple[str, str]:
    """``(extra TOML, the call that says the bot started)`` for ``mode``."""
    general = "[general]\n" + ("workers = 2\n" if mode in ("workers", "worker") else "")
    if places is not None:
        general += f"unconfirmed_replies = {places}\n"
    if mode == "webhook":
        webhook = (
            "[platforms.telegram.webhook]\n"
            f'url = "http://127.0.0.1:{port}/hook"\nport = {port}\nsecret = "{WEBHOOK_SECRET}"\n'
        )
        return general + webhook, "setWebhook"
    return general, "getUpdates"


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


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


async def one_run(
    mode: str, citizens: int, after: int, deadline: float, api_delay: float, places: int | None
) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="kill-replay-") as folder:
        port = free_port()
        extra, started = bot_config(mode, port, places)
        async with FakeBotApi("telegram") as api:
            people = [api.create_user(f"C{i}") for i in range(citizens)]
            config: dict[str, Any] = {"flood": (50, 1.0), "extra": extra, "started": started}
            async with live_bot(Path(folder), api, **config) as bot:
                if api_delay:
                    api.fail_every(1, [Fault.slow(api_delay)], DELAYED_METHODS)
                began = time.monotonic()
                burst = [api.user_sends_text(citizen, QUESTION) for citizen in people]
                await kill_moment(api, mode, [u for u in burst if u is not None], after)
                victim = children_of(bot.process.pid)[0] if mode == "worker" else bot.process.pid
                os.kill(victim, signal.SIGKILL)
                killed_after = time.monotonic() - began
                answered_before = sum(1 for citizen in people if api.sent(citizen.id))
                if mode == "worker":  # the group replaces it: no restart
                    restarted = time.monotonic()
                    await everyone_answered(api, people, bot, deadline)
                    restart_seconds = time.monotonic() - restarted
                    await asyncio.sleep(1.0)  # a late second reply still counts
                else:
                    await bot.wait_exit()
            if mode != "worker":
                async with live_bot(Path(folder), api, **config) as again:
                    restarted = time.monotonic()
                    await everyone_answered(api, people, again, deadline)
                    restart_seconds = time.monotonic() - restarted
                    await asyncio.sleep(1.0)  # a late second reply still counts
            lost = sum(1 for citizen in people if not api.sent(citizen.id))
            twice = sum(1 for citizen in people if len(api.sent(citizen.id)) > 1)
        return Outcome(mode, places, citizens, answered_before, lost, twice, killed_after, restart_seconds)


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
        f"{outcomes[0].mode:8} places {outcomes[0].places or 'default'}:"
        f" {len(outcomes)} runs of {outcomes[0].citizens} citizens: "
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
    parser.add_argument(
        "--api-delay", type=float, default=0.0, help="seconds the local Bot API takes for each reply"
    )
    parser.add_argument(
        "--places", type=int, action="append", help="[general] unconfirmed_replies (repeatable)"
    )
    args = parser.parse_args()
    modes = args.mode or ["polling", "webhook"]
    kill_points = args.after or [30]
    results = []
    for mode in modes:
        for places in args.places or [None]:
            outcomes = []
            for run in range(args.runs):
                after = kill_points[run % len(kill_points)]
                outcome = asyncio.run(
                    one_run(mode, args.citizens, after, args.deadline, args.api_delay, places)
                )
                print(outcome.line(), flush=True)
                outcomes.append(outcome)
            results.append(summary(outcomes))
    print()
    print("\n".join(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
