"""Load benchmark (on demand, not CI): the real ``sabtyar run`` against the local fake Bot API.

    .venv/bin/python benchmarks/load_benchmark.py                 # 10, 100, 1,000 citizens; 1 and 2 workers
    .venv/bin/python benchmarks/load_benchmark.py --citizens 100 --workers 2 --seconds 20
    .venv/bin/python benchmarks/load_benchmark.py --citizens 100 --rate 0 --http-client httpx \
        --http-client aiohttp                                      # saturation, both transports

Each simulated citizen loops: ask a question, press the first offered choice when there is one,
then rate the answer (4 or 5, so no comment is awaited), each step waiting for the bot's reply.
The questions vary (``--questions varied``, the default): all citizens draw in turn from one list
of a few thousand distinct questions, the shipped knowledge's phrasings and the test sets'
questions (``tests/data/*.jsonl``, read at run time), shuffled once with a fixed seed, so the
engine's cache of recent decisions does not flatter the figures: each question is new within a
run, a lower bound of what a real bot's citizens repeat («سلام», «شناسنامه»); its hit rate is
printed. ``--questions six`` asks the six of earlier sessions (three answered directly, three
"did you mean", in turn), which the cache answers after their first time. Latency is measured from the moment
an update is queued in the fake server (offered to ``getUpdates``) to the moment the bot's reply
to that citizen is recorded by the server: a new message, the "did you mean" message edited into
the answer, or the toast thanking for a rating.

The bot runs with ``rate_limiter = false`` in ``[platforms.telegram]``: PTB's ``AIORateLimiter``
caps every request at 30 per second overall, and the point here is the bot's own capacity (the
platform's 30 messages/s is the real-world ceiling). Everything stays on 127.0.0.1; each run is
bounded in time (``--seconds``, default 20 s after a 3 s warm-up).

Each size is also run against ``benchmarks/bare_bot.py`` (a bare python-telegram-bot bot on the
same transport and loop: no engine, no store) in the same invocation, and the bot's CPU per
update is printed as a ratio to it (``--no-baseline`` skips it): by default the minimal bare bot
(one-word replies, two buttons, a rating only thanked); ``--baseline equivalent`` (or both,
``--baseline minimal --baseline equivalent``) the one doing the Bot API work of a bot of
sabtyar's kind, its replies shaped as sabtyar's (see ``benchmarks/bare_bot.py``). sabtyar runs
through ``benchmarks/timed_engine.py``, so its engine's CPU is printed apart, and the ratios
without it too.

Printed per size: sustained updates/s, median and p99 latency, errors (citizen timeouts, failed
API calls, ERROR lines in the bot's log), the bot process's CPU (user+system seconds per wall
second, from /proc) and its peak memory (VmHWM).

Hard times (issue 13), each alone or together:

    .venv/bin/python benchmarks/load_benchmark.py --burst --citizens 1000 --busy --fail-every 7

- ``--busy [N]``: N processes (default 4) spinning in a busy loop beside the bot, from the moment
  it polls to the end of the run (the local Bot API, standing for a server elsewhere, runs at
  nice -10 where allowed, the bot and the loops at 0: see ``lift_priority``);
- ``--fail-every N``: the local Bot API fails one call in N (``--faults``, in turn: HTTP 500, a
  dropped connection, a dropped connection after carrying the call out), from the moment the bot
  polls;
- ``--burst``: instead of the paced loop, every citizen has one conversation (a question, the
  first "did you mean" choice when offered, a rating), all starting at once, each step waiting
  up to 60 s (``--reply-timeout``: a citizen who stops waiting presses nothing more, and a
  reply that comes later still counts); then the run waits until the bot has made no call for
  5 s, stops it (SIGTERM) and counts what each citizen saw (``tests/support/tally.py``):
  ``lost`` (citizens whose question never got an answer, an apology aside), ``duplicated``
  (citizens who saw a reply twice), apologies in total and those after a delivered answer,
  presses left unanswered, and ``sabtyar stats --json`` ``delivered`` beside ``received``: the
  questions the local Bot API carried a reply out for.
- ``--inbox off``: sabtyar through ``benchmarks/no_inbox.py`` (an inbox that records nothing),
  to tell what the inbox costs per update; ``--inbox on --inbox off`` runs both.
- ``--api-delay S``: the local Bot API takes S seconds for every call but ``getUpdates`` (a
  distant Bot API's round trip); ``--places N`` (repeatable) runs sabtyar with ``[general]
  unconfirmed_replies = N`` (``bot/messenger/updates/window.py``): what the send window costs
  in latency and updates/s, e.g. ``--rate 0 --api-delay 0.1 --places 10 --places 1000``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timed_engine import read_clock  # noqa: E402  # beside this script

from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.locale import load_locales  # noqa: E402
from bot.messenger.platforms import HTTP_CLIENTS  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.fakeapi import FakeBotApi, FakeUser  # noqa: E402
from tests.support.fakeapi.faults import FAULTS_BY_NAME, Fault  # noqa: E402
from tests.support.fakeapi.objects import CallRecord  # noqa: E402
from tests.support.tally import ReplyLog, Tally, converse, tally  # noqa: E402

DIRECT = ["شناسنامه‌ام گم شده", "کارت ملی هوشمند گم شده چیکار کنم", "هزینه المثنی شناسنامه چقدره"]
DOUBTFUL = ["کارت", "شناسنامه", "مدارک"]
#: ``--questions six``: the questions of earlier sessions, answered directly and doubtful in turn.
SIX = [q for pair in zip(DIRECT, DOUBTFUL, strict=True) for q in pair]
#: The order the varied questions are drawn in (the same in every run).
QUESTION_SEED = 17
REPLY_TIMEOUT = 15.0
#: Seconds a citizen of a burst waits for each reply (``--reply-timeout``).
BURST_REPLY_TIMEOUT = 60.0
#: A burst has ended when the bot made no Bot API call (but polls) for this long (retries pause
#: up to 4 s, 8 s when throttled) ...
QUIET_SECONDS = 5.0
#: ... or this long after the last conversation ended.
QUIET_AT_MOST = 60.0
#: What the citizen sees as the bot's reply: a message, a message edited in place (a "did you
#: mean" turned into the answer) or a button's toast (the thanks for a rating).
REPLIES = ("sendMessage", "editMessageText", "answerCallbackQuery")
#: The baselines' names in the figures (``cpu_per_update_vs_<name>``), and in the lines printed.
BASELINES = {"bare_ptb": "bare PTB", "equivalent_ptb": "equivalent bare PTB"}


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
    #: Bot API calls carried out while counting, by method.
    calls: dict[str, int] = field(default_factory=dict)


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
        if self.counting:
            self.results.calls[record.method] = self.results.calls.get(record.method, 0) + 1
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


def varied_questions() -> list[str]:
    """The distinct questions of ``--questions varied``: the shipped knowledge's phrasings and the
    test sets' questions, shuffled with ``QUESTION_SEED``."""
    entries = load_knowledge(Settings().knowledge_dir).entries.values()
    texts = [text for entry in entries for text in entry.phrasings]
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if "q" in record:  # a set's other lines (its header) ask nothing
                texts.append(str(record["q"]))
    distinct = sorted(set(texts))
    random.Random(QUESTION_SEED).shuffle(distinct)
    return distinct


def question_source(kind: str) -> Iterator[str]:
    """The questions all citizens draw from in turn (``--questions``), endlessly."""
    return itertools.cycle(varied_questions() if kind == "varied" else SIX)


async def citizen_loop(
    api: FakeBotApi,
    observer: Observer,
    citizen: FakeUser,
    stop: asyncio.Event,
    interval: float,
    questions: Iterator[str],
) -> None:
    rng = random.Random(citizen.id)
    pacer = Pacer(interval, rng)
    while True:
        await pacer.wait()
        if stop.is_set():
            return
        question = next(questions)
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


#: The calls ``--api-delay`` slows down: all the bot makes but ``getUpdates`` (long polls come back
#: at once when updates wait, as from a distant Bot API; their round trip would only batch them).
DELAYED_METHODS = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendChatAction",
    "deleteWebhook",
    "getMe",
    "setMyCommands",
)


def write_config(
    folder: Path, api: FakeBotApi, http_client: str, workers: int, places: int | None = None
) -> Path:
    """The bot's config; ``places``: ``[general] unconfirmed_replies`` (unset: the default)."""
    config = folder / "config.toml"
    window = "" if places is None else f"unconfirmed_replies = {places}\n"
    config.write_text(
        f"[general]\nworkers = {workers}\n{window}"
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
    #: Run benchmarks/bare_bot.py instead of sabtyar (the baseline) ...
    bare: bool = False
    #: ... the equivalent one (``--equivalent``), not the minimal one.
    equivalent: bool = False
    #: One conversation per citizen, all at once, counted (see the module).
    burst: bool = False
    #: Busy-loop processes beside the bot.
    busy: int = 0
    #: The Bot API fails one call in this many (0: never) ...
    fail_every: int = 0
    #: ... with these faults in turn (names of ``FAULTS_BY_NAME``).
    faults: tuple[str, ...] = ("500", "disconnect", "disconnect-processed")
    #: False: sabtyar through benchmarks/no_inbox.py.
    inbox: bool = True
    #: Seconds a citizen of a burst waits for each reply.
    reply_timeout: float = BURST_REPLY_TIMEOUT
    #: Seconds the local Bot API takes for each call but ``getUpdates`` (a distant Bot API).
    api_delay: float = 0.0
    #: ``[general] unconfirmed_replies`` (``None``: the default; not for the bare bot).
    places: int | None = None
    #: What the citizens of the paced loop ask: ``varied`` or ``six`` (see the module).
    questions: str = "varied"

    @property
    def interval(self) -> float:
        """Seconds between one citizen's actions."""
        return self.citizens / self.rate if self.rate > 0 else 0.0


def bot_command(scenario: Scenario, api: FakeBotApi, config: Path) -> list[str]:
    command = [sys.executable]
    if scenario.profile_out is not None:
        command += [str(ROOT / "benchmarks" / "cpu_profile.py"), str(scenario.profile_out)]
    if scenario.bare:
        bare = [*command, str(ROOT / "benchmarks" / "bare_bot.py"), api.token, api.base_url]
        return [*bare, "--equivalent"] if scenario.equivalent else bare
    # sabtyar through benchmarks/timed_engine.py: its engine's CPU time counted apart
    command += [str(ROOT / "benchmarks" / "timed_engine.py"), str(config.parent)]
    if not scenario.inbox:
        command.append("--no-inbox")
    return [*command, "--config", str(config), "run"]


def lift_priority() -> None:
    """Run this process (the local Bot API and the citizens) at nice -10 where allowed (root): it
    stands for a server elsewhere, which a busy machine (``--busy``, or other work on a shared
    one) must not starve; starved, it accepted connections late and the bot's calls timed out
    connecting (measured: 15 updates/s and a bot using 0.09 s/s of CPU with four busy loops)."""
    with contextlib.suppress(PermissionError):
        os.setpriority(os.PRIO_PROCESS, 0, -10)


def usual_priority(command: list[str]) -> list[str]:
    """``command`` at nice 0 (the bot, the busy loops) when this process runs at a lifted one."""
    nice = os.getpriority(os.PRIO_PROCESS, 0)
    return ["nice", "-n", str(-nice), *command] if nice < 0 else command


def bot_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SABTYAR_")}


@contextlib.contextmanager
def busy_loops(count: int) -> Any:
    """``count`` processes spinning beside the bot (a busy machine), ended on exit."""
    spinning = [
        subprocess.Popen(usual_priority([sys.executable, "-c", "while True: pass"]), stdin=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        yield spinning
    finally:
        for process in spinning:
            process.kill()
        for process in spinning:
            process.wait()


def stats_json(config: Path) -> dict[str, Any]:
    """``sabtyar stats --json`` of the run's store."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "--config", str(config), "stats", "--json"],
        cwd=ROOT,
        env=bot_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  stats --json failed: {done.stderr[-500:]}", file=sys.stderr)
        return {}
    return dict(json.loads(done.stdout))


def apology_text() -> str:
    """The bot's "I couldn't answer" (Persian: the citizens have no language set)."""
    settings = Settings()
    return load_locales(settings.locales_dir, settings.language).get("fa").text("bot.error")


async def quiet(api: FakeBotApi) -> None:
    """Wait until the bot made no call but ``getUpdates`` for ``QUIET_SECONDS`` (retries ended)."""
    deadline = time.monotonic() + QUIET_AT_MOST
    while time.monotonic() < deadline:
        calls = [c for c in api.state.calls[-200:] if c.method != "getUpdates"]
        last = calls[-1].at if calls else 0.0
        if time.monotonic() - last >= QUIET_SECONDS:
            return
        await asyncio.sleep(0.5)


def engine_clock(folder: Path, pids: list[int]) -> tuple[int, int, float]:
    """The engine's calls, cache hits and CPU seconds so far, summed over ``pids`` (sabtyar through
    ``benchmarks/timed_engine.py``): each is asked to write its totals (``SIGUSR1``) and read
    once it did (a process that does not answer within a second counts nothing)."""
    before = {pid: (read_clock(folder, pid) or {}).get("dumps", 0) for pid in pids}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGUSR1)
    calls, hits, seconds = 0, 0, 0.0
    for pid in pids:
        deadline = time.monotonic() + 1.0
        while (clock := read_clock(folder, pid)) is None or clock["dumps"] <= before[pid]:
            if time.monotonic() > deadline:
                clock = None
                break
            time.sleep(0.002)
        if clock is not None:
            calls, seconds = calls + clock["calls"], seconds + clock["seconds"]
            hits += clock.get("hits", 0)
    return calls, hits, seconds


@dataclass
class Measure:
    """The bot's CPU and the wall time from :meth:`start` to :meth:`stop`; with ``clocks`` (the
    folder sabtyar's ``benchmarks/timed_engine.py`` writes to), the engine's calls and CPU too."""

    pids: list[int]
    clocks: Path | None = None
    cpu: float = 0.0
    elapsed: float = 0.0
    own_cpu: float = 0.0
    memory: float = 0.0
    proportional: float = 0.0
    engine_calls: int = 0
    engine_hits: int = 0
    engine_cpu: float = 0.0
    #: The machine's 1-minute load average at the end of the window (other work on a shared one).
    load: float = 0.0

    def start(self) -> None:
        if self.clocks is not None:
            self.engine_calls, self.engine_hits, self.engine_cpu = engine_clock(self.clocks, self.pids)
        self.cpu, self.elapsed, self.own_cpu = (
            cpu_seconds(self.pids),
            time.perf_counter(),
            time.process_time(),
        )

    def stop(self) -> None:
        self.cpu = cpu_seconds(self.pids) - self.cpu
        if self.clocks is not None:
            calls, hits, seconds = engine_clock(self.clocks, self.pids)
            self.engine_calls, self.engine_cpu = calls - self.engine_calls, seconds - self.engine_cpu
            self.engine_hits = hits - self.engine_hits
        self.elapsed = time.perf_counter() - self.elapsed
        self.own_cpu = time.process_time() - self.own_cpu
        self.memory = peak_memory_mb(self.pids)
        self.proportional = shared_memory_mb(self.pids)
        self.load = os.getloadavg()[0]


async def paced_loop(api: FakeBotApi, observer: Observer, scenario: Scenario, measure: Measure) -> None:
    """The citizens' loops: ``warmup`` seconds, then ``seconds`` measured."""
    users = [api.create_user(f"C{i}") for i in range(scenario.citizens)]
    stop = asyncio.Event()
    questions = question_source(scenario.questions)
    loops = [citizen_loop(api, observer, user, stop, scenario.interval, questions) for user in users]
    tasks = [asyncio.create_task(loop) for loop in loops]
    await asyncio.sleep(scenario.warmup)
    observer.counting = True
    measure.start()
    await asyncio.sleep(scenario.seconds)
    observer.counting = False
    measure.stop()
    stop.set()
    if tasks:  # none with --citizens 0 (the bot idle)
        await asyncio.wait(tasks, timeout=REPLY_TIMEOUT + 5)
    for task in tasks:
        task.cancel()


async def burst(api: FakeBotApi, log: ReplyLog, scenario: Scenario, measure: Measure) -> list[Any]:
    """Every citizen's one conversation, all at once; measured until the last ended."""
    users = [api.create_user(f"B{i}") for i in range(scenario.citizens)]
    questions = SIX  # each conversation must end with buttons or an apology (tally.converse)
    measure.start()
    conversations = await asyncio.gather(
        *(
            converse(api, log, user, questions[i % len(questions)], timeout=scenario.reply_timeout, seed=i)
            for i, user in enumerate(users)
        )
    )
    measure.stop()
    await quiet(api)
    return list(conversations)


async def run(scenario: Scenario) -> dict[str, Any]:
    async with FakeBotApi("telegram") as api:
        observer = Observer(api)
        log = ReplyLog(api, apology_text()) if scenario.burst else None
        conversations: list[Any] = []
        with tempfile.TemporaryDirectory(prefix="sabtyar-bench-") as folder:
            places = None if scenario.bare else scenario.places
            config = write_config(Path(folder), api, scenario.http_client, scenario.workers, places)
            log_path = Path(folder) / "bot.log"
            with log_path.open("wb") as bot_log:
                process = subprocess.Popen(
                    usual_priority(bot_command(scenario, api, config)),
                    cwd=ROOT,
                    env=bot_environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=bot_log,
                    stderr=subprocess.STDOUT,
                )
            try:
                deadline = time.monotonic() + 90
                while not api.calls("getUpdates"):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the bot did not start:\n{log_path.read_text()}")
                    await asyncio.sleep(0.05)
                measure = Measure(process_tree(process.pid), None if scenario.bare else Path(folder))
                with busy_loops(scenario.busy):
                    if scenario.fail_every:
                        faults = [FAULTS_BY_NAME[name] for name in scenario.faults]
                        api.fail_every(scenario.fail_every, faults)
                    if scenario.api_delay:  # every call the fault above left alone
                        api.fail_every(1, [Fault.slow(scenario.api_delay)], DELAYED_METHODS)
                    if log is not None:
                        conversations = await burst(api, log, scenario, measure)
                    else:
                        await paced_loop(api, observer, scenario, measure)
                    api.clear_faults()
            finally:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        # off the loop: the fake server must keep answering the bot's last calls
                        await asyncio.to_thread(process.wait, 20)
                if process.poll() is None:
                    process.kill()
            log_text = log_path.read_text(encoding="utf-8", errors="replace")
            if scenario.keep_log is not None:
                scenario.keep_log.write_text(log_text, encoding="utf-8")
            problems = [
                line
                for line in log_text.splitlines()
                if " ERROR " in line or "Traceback" in line or " took " in line
            ]
            for line in problems[:5]:
                print(f"  bot log: {line[:300]}", file=sys.stderr)
            figures = {} if scenario.bare else stats_json(config)
    results = observer.results
    updates = len(results.latencies)
    counts: Tally | None = None
    if log is not None:
        counts = tally(log, conversations)
        updates = counts.citizens + counts.presses
    elapsed, cpu = measure.elapsed, measure.cpu
    return {
        "citizens": scenario.citizens,
        "mode": "burst" if scenario.burst else "paced",
        "offered_per_s": None if scenario.burst else scenario.rate or None,
        "bot": (
            f"bare PTB{', equivalent' if scenario.equivalent else ''}"
            if scenario.bare
            else ("sabtyar" if scenario.inbox else "sabtyar, no inbox")
        ),
        "busy_loops": scenario.busy,
        "fail_every": scenario.fail_every or None,
        "api_delay_ms": round(scenario.api_delay * 1000) or None,
        "unconfirmed_replies": scenario.places,
        "http_client": scenario.http_client,
        "workers": scenario.workers,
        "seconds": round(elapsed, 1),
        "updates": updates,
        "updates_per_s": round(updates / elapsed, 1),
        "median_ms": round(statistics.median(results.latencies) * 1000, 1) if results.latencies else None,
        "p99_ms": round(percentile(results.latencies, 0.99) * 1000, 1),
        "by_kind": results.kinds,
        "median_fetched_to_reply_ms": {
            kind: round(statistics.median(values) * 1000, 1) for kind, values in observer.handling.items()
        },
        "api_calls_per_update": {
            method: round(count / updates, 2) for method, count in sorted(results.calls.items())
        }
        if updates
        else {},
        "median_fetch_ms": round(statistics.median(results.fetch_delays) * 1000, 1)
        if results.fetch_delays
        else None,
        "errors": {
            "timeouts": results.timeouts,
            "failed_api_calls": results.failed_calls,
            "error_log_lines": sum(" ERROR " in line for line in log_text.splitlines()),
        },
        "faulted_calls": sum(c.fault is not None for c in api.state.calls),
        "tally": None if counts is None else dataclasses.asdict(counts),
        "questions_stored": figures.get("questions"),
        "delivered": figures.get("delivered"),
        "bot_cpu_per_s": round(cpu / elapsed, 2),
        "bot_cpu_ms_per_update": round(1000 * cpu / updates, 2) if updates else None,
        "engine_calls": measure.engine_calls,
        "engine_cache_hit_rate": round(measure.engine_hits / measure.engine_calls, 3)
        if measure.engine_calls
        else None,
        "engine_cpu_ms_per_call": round(1000 * measure.engine_cpu / measure.engine_calls, 2)
        if measure.engine_calls
        else None,
        "engine_cpu_ms_per_update": round(1000 * measure.engine_cpu / updates, 2) if updates else None,
        "bot_cpu_ms_per_update_without_engine": round(1000 * (cpu - measure.engine_cpu) / updates, 2)
        if updates
        else None,
        "bot_peak_mb": round(measure.memory, 1),
        "bot_pss_mb": round(measure.proportional, 1),
        "fake_server_cpu_per_s": round(measure.own_cpu / elapsed, 2),
        "load_average": round(measure.load, 2),
        "questions": None if scenario.burst else scenario.questions,
        "exit_code": process.returncode,
    }


def describe(figures: dict[str, Any]) -> str:
    """One line of a run's figures."""
    label = (
        f"{figures['bot']:>17} {figures['http_client']} x{figures['workers']}"
        f" {figures['citizens']:>5} citizens {figures['mode']}"
        f" busy {figures['busy_loops']} fail 1/{figures['fail_every'] or '-'}"
        f" api delay {figures['api_delay_ms'] or 0} ms places {figures['unconfirmed_replies'] or 'default'}"
        f" questions {figures['questions'] or '-'} load {figures['load_average']}:"
    )
    engine = (
        f", engine {figures['engine_cpu_ms_per_update']} ms/update"
        f" ({figures['engine_calls']} calls, {figures['engine_cpu_ms_per_call']} ms each,"
        f" cache hits {100 * figures['engine_cache_hit_rate']:.1f}%),"
        f" the rest {figures['bot_cpu_ms_per_update_without_engine']} ms/update"
        if figures["engine_calls"]
        else ""
    )
    cpu = (
        f"bot CPU {figures['bot_cpu_per_s']} s/s ({figures['bot_cpu_ms_per_update']} ms/update{engine})"
        f"  peak {figures['bot_peak_mb']} MB (PSS {figures['bot_pss_mb']} MB)"
    )
    ratio = "".join(
        f"  CPU/update x{figures[f'cpu_per_update_vs_{name}']} of the {label} bot"
        f" (without the engine x{figures[f'cpu_per_update_without_engine_vs_{name}']})"
        for name, label in BASELINES.items()
        if f"cpu_per_update_vs_{name}" in figures
    )
    if figures["tally"] is not None:
        t = figures["tally"]
        return (
            f"{label} citizens {t['citizens']}, lost {t['lost']}, duplicated {t['duplicated']}"
            f" ({t['duplicates']} extra replies), apologised after a delivered answer"
            f" {t['apologised_after_answer']} (apologies {t['apologies']}),"
            f" presses unanswered {t['presses_unanswered']} of {t['presses']};"
            f" delivered {figures['delivered']} (stats --json) / received {t['received']} (Bot API)"
            f" of {figures['questions_stored']} questions stored;"
            f" {figures['updates']} updates in {figures['seconds']} s ({figures['updates_per_s']}/s),"
            f" {figures['faulted_calls']} calls faulted; {cpu}{ratio}"
            f"  (local Bot API + citizens CPU {figures['fake_server_cpu_per_s']} s/s)"
        )
    errors = figures["errors"]
    return (
        f"{label} {figures['updates_per_s']:>7} updates/s"
        f"  median {figures['median_ms']} ms  p99 {figures['p99_ms']} ms"
        f"  errors {sum(errors.values())} {errors}  {cpu}{ratio}"
        f"  (fake server + citizens CPU {figures['fake_server_cpu_per_s']} s/s)"
        f"  ({figures['updates']} updates in {figures['seconds']} s: {figures['by_kind']};"
        f" median offered-to-fetched {figures['median_fetch_ms']} ms,"
        f" fetched-to-reply {figures['median_fetched_to_reply_ms']} ms;"
        f" Bot API calls per update {figures['api_calls_per_update']};"
        f" delivered {figures['delivered']} of {figures['questions_stored']} questions stored)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, action="append", help="concurrent citizens (repeatable)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per size (max 120)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--profile", type=Path, help="write a cProfile of the bot process here (CPU time, main thread)"
    )
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
    parser.add_argument(
        "--baseline",
        choices=("minimal", "equivalent"),
        action="append",
        help="the bare PTB bot(s) to compare with (repeatable; default: minimal)",
    )
    parser.add_argument("--burst", action="store_true", help="one conversation per citizen, all at once")
    parser.add_argument(
        "--busy", type=int, nargs="?", const=4, default=0, help="busy-loop processes beside the bot (4)"
    )
    parser.add_argument("--fail-every", type=int, default=0, help="the Bot API fails one call in N")
    parser.add_argument(
        "--faults",
        default="500,disconnect,disconnect-processed",
        help=f"the faults of --fail-every, in turn, of: {', '.join(FAULTS_BY_NAME)}",
    )
    parser.add_argument(
        "--inbox", choices=("on", "off"), action="append", help="sabtyar with its inbox, or without"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case (medians printed)")
    parser.add_argument(
        "--questions",
        choices=("varied", "six"),
        default="varied",
        help="what the paced citizens ask: thousands of distinct questions in turn, or the six of old",
    )
    parser.add_argument(
        "--api-delay",
        type=float,
        default=0.0,
        help="seconds the local Bot API takes for each call but getUpdates (a distant Bot API)",
    )
    parser.add_argument(
        "--places",
        type=int,
        action="append",
        help="[general] unconfirmed_replies to compare (repeatable; default: the bot's default)",
    )
    parser.add_argument(
        "--reply-timeout",
        type=float,
        default=BURST_REPLY_TIMEOUT,
        help="seconds a citizen of a burst waits for each reply (a later reply still counts)",
    )
    args = parser.parse_args()
    lift_priority()
    sizes = args.citizens or [10, 100, 1_000]
    seconds = min(max(args.seconds, 1.0), 120.0)
    faults = tuple(args.faults.split(","))
    unknown = [name for name in faults if name not in FAULTS_BY_NAME]
    if unknown:
        parser.error(f"unknown faults {unknown}")
    hard = {
        "burst": args.burst,
        "busy": args.busy,
        "fail_every": args.fail_every,
        "faults": faults,
        "reply_timeout": args.reply_timeout,
        "api_delay": max(0.0, args.api_delay),
        "questions": args.questions,
    }
    cases = list(
        itertools.product(
            args.http_client or ["aiohttp"],
            args.workers or [1, 2],
            sizes,
            [i == "on" for i in args.inbox or ["on"]],
            args.places or [None],
        )
    )
    medians: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for _ in range(max(1, args.repeat)):
        bare: dict[tuple[str, str, int], dict[str, Any]] = {}
        for client, workers, size, inbox, places in cases:
            for kind in [] if args.no_baseline else args.baseline or ["minimal"]:
                if (kind, client, size) in bare:
                    continue
                baseline = Scenario(
                    size,
                    args.rate,
                    seconds,
                    args.warmup,
                    "aiohttp",
                    1,
                    bare=True,
                    equivalent=kind == "equivalent",
                    **hard,
                )
                b = bare[(kind, client, size)] = asyncio.run(run(baseline))
                print(describe(b), flush=True)
                medians.setdefault(("bare", kind, client, size), []).append(b)
            scenario = Scenario(
                size,
                args.rate,
                seconds,
                args.warmup,
                client,
                workers,
                args.profile,
                args.log,
                inbox=inbox,
                places=places,
                **hard,
            )
            figures = asyncio.run(run(scenario))
            for kind, name in (("minimal", "bare_ptb"), ("equivalent", "equivalent_ptb")):
                base = bare.get((kind, client, size), {}).get("bot_cpu_ms_per_update")
                if base and figures["bot_cpu_ms_per_update"]:
                    figures[f"cpu_per_update_vs_{name}"] = round(figures["bot_cpu_ms_per_update"] / base, 2)
                    rest = figures["bot_cpu_ms_per_update_without_engine"]
                    figures[f"cpu_per_update_without_engine_vs_{name}"] = round(rest / base, 2)
            print(json.dumps(figures, ensure_ascii=False) if args.json else describe(figures), flush=True)
            medians.setdefault((client, workers, size, inbox, places), []).append(figures)
    if args.repeat > 1:
        print(f"medians of {args.repeat} runs:")
        for case, runs in medians.items():
            print(f"  {case}: {summary(runs)}", flush=True)
    return 0


def summary(runs: list[dict[str, Any]]) -> str:
    """Medians of the figures that matter over repeated runs of one case."""

    def median(get: Any) -> Any:
        values = [v for v in (get(r) for r in runs) if v is not None]
        return round(statistics.median(values), 2) if values else None

    engine = (
        f" engine {median(lambda r: r['engine_cpu_ms_per_update'])} ms/update"
        f" ({median(lambda r: r['engine_cpu_ms_per_call'])} ms per call,"
        f" cache hits {median(lambda r: r['engine_cache_hit_rate'])}),"
        f" the rest {median(lambda r: r['bot_cpu_ms_per_update_without_engine'])} ms/update,"
        if any(r["engine_calls"] for r in runs)
        else ""
    )
    ratio = "".join(
        f" x{median(lambda r, n=name: r.get(f'cpu_per_update_vs_{n}'))} of the {label} bot in the same runs"
        f" (without the engine x{median(lambda r, n=name: r.get(f'cpu_per_update_without_engine_vs_{n}'))}),"
        for name, label in BASELINES.items()
        if any(f"cpu_per_update_vs_{name}" in r for r in runs)
    )
    line = (
        f"CPU {median(lambda r: r['bot_cpu_ms_per_update'])} ms/update"
        f" (runs: {[r['bot_cpu_ms_per_update'] for r in runs]}),{engine}{ratio}"
        f" {median(lambda r: r['updates_per_s'])} updates/s,"
        f" median latency {median(lambda r: r['median_ms'])} ms, p99 {median(lambda r: r['p99_ms'])} ms,"
        f" load average {[r['load_average'] for r in runs]}"
    )
    if runs[0]["tally"] is not None:
        keys = ("lost", "duplicated", "apologised_after_answer", "apologies", "presses_unanswered")
        line += "; " + ", ".join(f"{key} {[r['tally'][key] for r in runs]}" for key in keys)
        received = [r["tally"]["received"] for r in runs]
        line += f"; delivered {[r['delivered'] for r in runs]} / received {received}"
    return line


if __name__ == "__main__":
    sys.exit(main())
