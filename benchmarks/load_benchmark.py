"""Load benchmark (on demand, not CI): the real ``sabtyar run`` against the local fake Bot API.

    .venv/bin/python benchmarks/load_benchmark.py                 # 10, 100, 1,000 citizens; 1 and 2 workers
    .venv/bin/python benchmarks/load_benchmark.py --citizens 100 --workers 2 --seconds 20
    .venv/bin/python benchmarks/load_benchmark.py --citizens 100 --rate 0 --http-client httpx \
        --http-client aiohttp                                      # saturation, both transports

Each simulated citizen loops: ask a question (direct answers and "did you mean" questions in
turn), press the first offered choice when there is one, then rate the answer (4 or 5, so no
comment is awaited), each step waiting for the bot's reply. Latency is measured from the moment
an update is queued in the fake server (offered to ``getUpdates``) to the moment the bot's reply
to that citizen is recorded by the server: a new message, the "did you mean" message edited into
the answer, or the toast thanking for a rating.

The bot runs with ``rate_limiter = false`` in ``[platforms.telegram]``: PTB's ``AIORateLimiter``
caps every request at 30 per second overall, and the point here is the bot's own capacity (the
platform's 30 messages/s is the real-world ceiling). Everything stays on 127.0.0.1; each run is
bounded in time (``--seconds``, default 20 s after a 3 s warm-up).

Each size is also run against ``benchmarks/bare_bot.py`` (a bare python-telegram-bot bot on the
same transport and loop: no engine, no store) in the same invocation, and the bot's CPU per
update is printed as a ratio to it (``--no-baseline`` skips it).

Printed per size: sustained updates/s, median and p99 latency, errors (citizen timeouts, failed
API calls, ERROR lines in the bot's log), the bot process's CPU (user+system seconds per wall
second, from /proc) and its peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.messenger.platforms import HTTP_CLIENTS  # noqa: E402
from tests.support.fakeapi import FakeBotApi, FakeUser  # noqa: E402
from tests.support.fakeapi.objects import CallRecord  # noqa: E402

DIRECT = ["شناسنامه‌ام گم شده", "کارت ملی هوشمند گم شده چیکار کنم", "هزینه المثنی شناسنامه چقدره"]
DOUBTFUL = ["کارت", "شناسنامه", "مدارک"]
REPLY_TIMEOUT = 15.0
#: What the citizen sees as the bot's reply: a message, a message edited in place (a "did you
#: mean" turned into the answer) or a button's toast (the thanks for a rating).
REPLIES = ("sendMessage", "editMessageText", "answerCallbackQuery")


@dataclass
class Waiter:
    offered: float
    future: asyncio.Future[CallRecord]


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    timeouts: int = 0
    failed_calls: int = 0
    #: Offered -> fetched by the bot's getUpdates (the rest of the latency is the bot's handling).
    fetch_delays: list[float] = field(default_factory=list)


class Observer:
    """Hooks the fake server's call execution: resolves the citizen waiting for a reply."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.waiting: dict[int, Waiter] = {}
        self.results = Results()
        self.counting = False
        self.offered_at: dict[int, float] = {}
        self.fetched_at: dict[int, float] = {}
        self.handling: dict[str, list[float]] = {}
        original = api._execute

        async def execute(record: CallRecord) -> Any:
            response = await original(record)
            self.seen(record)
            return response

        api._execute = execute  # type: ignore[method-assign]

    def seen(self, record: CallRecord) -> None:
        if record.ok is False and record.method != "getUpdates":
            self.results.failed_calls += 1
        if record.method == "getUpdates" and record.ok:
            now = time.perf_counter()
            for update in record.result or []:
                offered = self.offered_at.pop(update["update_id"], None)
                self.fetched_at[update["update_id"]] = time.monotonic()
                if offered is not None and self.counting:
                    self.results.fetch_delays.append(now - offered)
        if not record.ok or record.method not in REPLIES:
            return
        if record.method == "answerCallbackQuery":
            answer = self.api.state.callback_answers[-1]
            if not answer["text"]:
                return  # a silent acknowledgement: the reply is still to come
            chat_id = answer["user_id"]
        else:
            chat_id = record.params.get("chat_id")
        waiter = self.waiting.pop(chat_id, None)  # type: ignore[arg-type]
        if waiter is not None and not waiter.future.done():
            waiter.future.set_result(record)

    async def offer(self, citizen: FakeUser, kind: str, send: Any) -> CallRecord | None:
        """Queue an update (``send()``) and wait for the bot's next message to the citizen."""
        future: asyncio.Future[CallRecord] = asyncio.get_running_loop().create_future()
        offered = time.perf_counter()
        self.waiting[citizen.id] = Waiter(offered, future)
        update, update_id = send(), 0
        if update is not None:
            self.offered_at[update["update_id"]] = offered
            update_id = update["update_id"]
        try:
            record = await asyncio.wait_for(future, REPLY_TIMEOUT)
        except TimeoutError:
            self.waiting.pop(citizen.id, None)
            if self.counting:
                self.results.timeouts += 1
            return None
        fetched = self.fetched_at.pop(update_id, None)
        if self.counting and fetched is not None:
            self.handling.setdefault(kind, []).append(record.at - fetched)
        if self.counting:
            self.results.latencies.append(time.perf_counter() - offered)
            self.results.kinds[kind] = self.results.kinds.get(kind, 0) + 1
        return record


def buttons(api: FakeBotApi, chat_id: int) -> tuple[Any, list[str]]:
    message = api.state.sent[chat_id][-1]
    return message, [b["callback_data"] for b in message.buttons if "callback_data" in b]


class Pacer:
    """A citizen's think time: one action every ``interval`` seconds on average (0: none at all).

    Actions are spread by a random start and +-50% jitter, and never come before the bot's
    previous reply, so ``citizens / interval`` is the offered load while the bot keeps up.
    """

    def __init__(self, interval: float, rng: random.Random) -> None:
        self.interval = interval
        self.rng = rng
        self.next = time.monotonic() + rng.uniform(0, interval)

    async def wait(self) -> None:
        if self.interval <= 0:
            return
        now = time.monotonic()
        if self.next > now:
            await asyncio.sleep(self.next - now)
        self.next = max(now, self.next) + self.interval * self.rng.uniform(0.5, 1.5)


async def citizen_loop(
    api: FakeBotApi, observer: Observer, citizen: FakeUser, stop: asyncio.Event, interval: float
) -> None:
    rng = random.Random(citizen.id)
    pacer = Pacer(interval, rng)
    for turn in itertools.count():
        await pacer.wait()
        if stop.is_set():
            return
        question = rng.choice(DOUBTFUL if turn % 2 else DIRECT)
        if (
            await observer.offer(citizen, "question", lambda q=question: api.user_sends_text(citizen, q))
            is None
        ):
            continue
        message, data = buttons(api, citizen.id)
        choices = [d for d in data if d.startswith("c:")]
        if choices and not stop.is_set():
            await pacer.wait()
            choose = choices[0]
            sent = await observer.offer(
                citizen, "choice", lambda m=message, c=choose: api.user_presses_button(citizen, m, c)
            )
            if sent is None:
                continue
            message, data = buttons(api, citizen.id)
        ratings = [d for d in data if d.startswith("r:")]
        if ratings and not stop.is_set():
            await pacer.wait()
            rate = ratings[rng.randrange(2)]  # 5 or 4: no comment is awaited
            await observer.offer(
                citizen, "rating", lambda m=message, r=rate: api.user_presses_button(citizen, m, r)
            )


def write_config(folder: Path, api: FakeBotApi, http_client: str, workers: int) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f"[general]\nworkers = {workers}\n"
        "[platforms.telegram]\n"
        f'token = "{api.token}"\n'
        f'base_url = "{api.base_url}"\n'
        f'base_file_url = "{api.base_file_url}"\n'
        "rate_limiter = false\n"
        f'http_client = "{http_client}"\n'
        "[platforms.bale]\nenabled = false\n"
        '[store]\npath = "bench.db"\n'
        "[flood]\nmessages = 1000\nwindow_seconds = 1.0\n",
        encoding="utf-8",
    )
    return config


def process_tree(pid: int) -> list[int]:
    """``pid`` and its child processes (the workers of ``[general] workers``)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(child) for child in children.read_text().split())] if children.exists() else [pid]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _status_sum_mb(pids: list[int], file: str, field: str) -> float:
    """``field`` (in kB) of ``/proc/<pid>/<file>``, summed over ``pids``, in MB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                total += int(line.split()[1])
    return total / 1024


def shared_memory_mb(pids: list[int]) -> float:
    """The processes' memory now, pages shared copy-on-write counted once (summed PSS)."""
    return _status_sum_mb(pids, "smaps_rollup", "Pss:")


def peak_memory_mb(pids: list[int]) -> float:
    """The summed peak RSS (pages the workers share copy-on-write with the parent count twice)."""
    return _status_sum_mb(pids, "status", "VmHWM:")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@dataclass(frozen=True)
class Scenario:
    citizens: int
    #: Offered updates per second over all citizens; 0 = no think time (the bot's saturation point).
    rate: float
    seconds: float
    warmup: float
    http_client: str = "aiohttp"
    workers: int = 1
    profile_out: Path | None = None
    keep_log: Path | None = None
    #: Run benchmarks/bare_bot.py instead of sabtyar (the baseline).
    bare: bool = False

    @property
    def interval(self) -> float:
        """Seconds between one citizen's actions."""
        return self.citizens / self.rate if self.rate > 0 else 0.0


async def run(scenario: Scenario) -> dict[str, Any]:
    citizens, seconds, warmup = scenario.citizens, scenario.seconds, scenario.warmup
    profile_out, keep_log = scenario.profile_out, scenario.keep_log
    async with FakeBotApi("telegram") as api:
        observer = Observer(api)
        with tempfile.TemporaryDirectory(prefix="sabtyar-bench-") as folder:
            config = write_config(Path(folder), api, scenario.http_client, scenario.workers)
            log_path = Path(folder) / "bot.log"
            command = [sys.executable]
            if profile_out is not None:
                command += ["-m", "cProfile", "-o", str(profile_out)]
            if scenario.bare:
                command += [str(ROOT / "benchmarks" / "bare_bot.py"), api.token, api.base_url]
            else:
                command += ["-m", "bot.cli.main", "--config", str(config), "run"]
            env = {k: v for k, v in os.environ.items() if not k.startswith("SABTYAR_")}
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
                )
            try:
                deadline = time.monotonic() + 90
                while not api.calls("getUpdates"):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the bot did not start:\n{log_path.read_text()}")
                    await asyncio.sleep(0.05)
                users = [api.create_user(f"C{i}") for i in range(citizens)]
                stop = asyncio.Event()
                loops = [citizen_loop(api, observer, user, stop, scenario.interval) for user in users]
                tasks = [asyncio.create_task(loop) for loop in loops]
                await asyncio.sleep(warmup)
                observer.counting = True
                pids = process_tree(process.pid)
                cpu_start, started = cpu_seconds(pids), time.perf_counter()
                own_start = time.process_time()
                await asyncio.sleep(seconds)
                observer.counting = False
                elapsed = time.perf_counter() - started
                cpu = cpu_seconds(pids) - cpu_start
                own_cpu = time.process_time() - own_start
                memory = peak_memory_mb(pids)
                proportional = shared_memory_mb(pids)
                stop.set()
                await asyncio.wait(tasks, timeout=REPLY_TIMEOUT + 5)
                for task in tasks:
                    task.cancel()
            finally:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        # off the loop: the fake server must keep answering the bot's last calls
                        await asyncio.to_thread(process.wait, 20)
                if process.poll() is None:
                    process.kill()
            log_text = log_path.read_text(encoding="utf-8", errors="replace")
            if keep_log is not None:
                keep_log.write_text(log_text, encoding="utf-8")
            problems = [
                line
                for line in log_text.splitlines()
                if " ERROR " in line or "Traceback" in line or " took " in line
            ]
            for line in problems[:5]:
                print(f"  bot log: {line[:300]}", file=sys.stderr)
    results = observer.results
    return {
        "citizens": citizens,
        "offered_per_s": scenario.rate or None,
        "http_client": scenario.http_client,
        "workers": scenario.workers,
        "seconds": round(elapsed, 1),
        "updates": len(results.latencies),
        "updates_per_s": round(len(results.latencies) / elapsed, 1),
        "median_ms": round(statistics.median(results.latencies) * 1000, 1) if results.latencies else None,
        "p99_ms": round(percentile(results.latencies, 0.99) * 1000, 1),
        "by_kind": results.kinds,
        "median_fetched_to_reply_ms": {
            kind: round(statistics.median(values) * 1000, 1) for kind, values in observer.handling.items()
        },
        "median_fetch_ms": round(statistics.median(results.fetch_delays) * 1000, 1)
        if results.fetch_delays
        else None,
        "errors": {
            "timeouts": results.timeouts,
            "failed_api_calls": results.failed_calls,
            "error_log_lines": sum(" ERROR " in line for line in log_text.splitlines()),
        },
        "bot_cpu_per_s": round(cpu / elapsed, 2),
        "bot_cpu_ms_per_update": round(1000 * cpu / len(results.latencies), 2) if results.latencies else None,
        "bot_peak_mb": round(memory, 1),
        "bot_pss_mb": round(proportional, 1),
        "fake_server_cpu_per_s": round(own_cpu / elapsed, 2),
        "exit_code": process.returncode,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, action="append", help="concurrent citizens (repeatable)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per size (max 120)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the bot process here")
    parser.add_argument("--json", action="store_true", help="one JSON line per size")
    parser.add_argument("--log", type=Path, help="keep the bot's log (of the last size) here")
    parser.add_argument(
        "--rate", type=float, default=300.0, help="offered updates/s over all citizens (0: no think time)"
    )
    parser.add_argument(
        "--http-client", choices=HTTP_CLIENTS, action="append", help="Bot API transport(s) to compare"
    )
    parser.add_argument("--workers", type=int, action="append", help="[general] workers to compare")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare PTB bot baseline")
    args = parser.parse_args()
    sizes = args.citizens or [10, 100, 1_000]
    seconds = min(max(args.seconds, 1.0), 120.0)
    runs = itertools.product(args.http_client or ["aiohttp"], args.workers or [1, 2], sizes)
    bare: dict[tuple[str, int], dict[str, Any]] = {}
    for client, workers, size in runs:
        if not args.no_baseline and (client, size) not in bare:
            baseline = Scenario(size, args.rate, seconds, args.warmup, "aiohttp", 1, bare=True)
            bare[(client, size)] = asyncio.run(run(baseline))
            b = bare[(client, size)]
            print(
                f"   bare PTB x1 {size:>5} citizens: {b['updates_per_s']:>7} updates/s"
                f"  median {b['median_ms']} ms"
                f"  bot CPU {b['bot_cpu_per_s']} s/s ({b['bot_cpu_ms_per_update']} ms/update)"
                f"  peak {b['bot_peak_mb']} MB (PSS {b['bot_pss_mb']} MB)",
                flush=True,
            )
        scenario = Scenario(size, args.rate, seconds, args.warmup, client, workers, args.profile, args.log)
        figures = asyncio.run(run(scenario))
        if (client, size) in bare and bare[(client, size)]["bot_cpu_ms_per_update"]:
            ratio = figures["bot_cpu_ms_per_update"] / bare[(client, size)]["bot_cpu_ms_per_update"]
            figures["cpu_per_update_vs_bare_ptb"] = round(ratio, 2)
        if args.json:
            print(json.dumps(figures, ensure_ascii=False), flush=True)
        else:
            errors = figures["errors"]
            print(
                f"{client:>7} x{workers} {size:>5} citizens, offered {args.rate or 'max'}/s:"
                f" {figures['updates_per_s']:>7} updates/s"
                f"  median {figures['median_ms']} ms"
                f"  p99 {figures['p99_ms']} ms  errors {sum(errors.values())} {errors}"
                f"  bot CPU {figures['bot_cpu_per_s']} s/s"
                f" ({figures['bot_cpu_ms_per_update']} ms/update)  peak {figures['bot_peak_mb']} MB"
                f" (PSS {figures['bot_pss_mb']} MB)"
                f"  (fake server + citizens CPU {figures['fake_server_cpu_per_s']} s/s)"
                f"  CPU/update x{figures.get('cpu_per_update_vs_bare_ptb', '-')} of the bare PTB bot"
                f"  ({figures['updates']} updates in {figures['seconds']} s: {figures['by_kind']};"
                f" median offered-to-fetched {figures['median_fetch_ms']} ms,"
                f" fetched-to-reply {figures['median_fetched_to_reply_ms']} ms)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
