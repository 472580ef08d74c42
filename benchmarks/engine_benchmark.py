"""Answer-engine benchmark: speed, start-up, memory and accuracy against the naive baseline.

Run on demand (not in CI): ``.venv/bin/python benchmarks/engine_benchmark.py``.
Each case runs in its own child process pinned to one core, so peak memory and
start-up are that case's own. Cases: the shipped knowledge base, and synthetic
ones of 1k, 10k and 100k phrasings (the shipped entries plus generated
distractor entries). The naive baseline (raw text, rapidfuzz ``WRatio``, no
normalization) runs in the same invocation; figures are printed as medians,
99th percentiles and ratios to that baseline.

``hazm-shipped`` is the shipped base on hazm's own normalizer and lemmatizer (how the engine
was built before the compact tables of ``bot/engine/compact_tables.py``): its resident memory
and start-up are printed beside the engine's, measured in the same run. "process s" is the
headline start-up figure: from the process's start (the interpreter, every import) to the first
answer; "start s" is from loading the knowledge to the first answer (imports not counted), "start
cpu" the CPU seconds of that interval (the figure that holds on a busy machine), "RSS MB" the
resident memory after answering every question. ``cold-shipped`` is the shipped base with no fit
and no analysis kept (the first start after a knowledge change: hazm analyzes every text,
scikit-learn is imported and fits); the other cases read them back from the cache folder as a
restart does. With the shipped size, the real
``sabtyar ask`` of one question is also timed from its process's start to its exit (median of
three, after one run that makes its data folder), and the real ``sabtyar run`` from its start
to its first reply (against the local Bot API of ``tests/support``, the question already
waiting; median of three restarts), as a citizen's first question is answered after a restart.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ROOT / "tests" / "data" / "heldout.jsonl"
SIZES = {"shipped": 0, "1k": 1_000, "10k": 10_000, "100k": 100_000}


def _seconds_since_process_start() -> float:
    """Seconds since this process was started (Linux: /proc), imports included."""
    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - started


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _hazm_analyzer(lexicon):  # type: ignore[no-untyped-def]
    """The analyzer on hazm's own (full) normalizer and lemmatizer: the figures before."""
    from functools import lru_cache

    from hazm import Lemmatizer, Normalizer

    from bot.engine.analyzer import Analyzer
    from bot.engine.normalize import TextNormalizer

    normalizer = TextNormalizer()
    normalizer.__dict__["_hazm"] = Normalizer()
    lemmatizer = Lemmatizer()

    @lru_cache(maxsize=65536)
    def lemma(word: str) -> str:
        return str(lemmatizer.lemmatize(word))

    return Analyzer(normalizer, lexicon, (lemma, lemmatizer.words))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _synthetic(knowledge, phrasings: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """The shipped base plus distractor entries built from shuffled knowledge-base words."""
    from bot.knowledge.model import Category, Entry, KnowledgeBase

    rng = random.Random(seed)
    words = sorted({w for e in knowledge.entries.values() for q in e.questions for w in q.split()})
    existing = sum(len(e.phrasings) for e in knowledge.entries.values())
    entries = dict(knowledge.entries)
    category = Category("synthetic", "synthetic", entry_ids=())
    index = 0
    while existing < phrasings:
        questions = tuple(" ".join(rng.sample(words, rng.randint(3, 8))) for _ in range(10))
        entry = Entry(f"synthetic-{index}", "synthetic", f"موضوع {index}", questions, "پاسخ")
        entries[entry.id] = entry
        existing += len(entry.phrasings)
        index += 1
    categories = (*knowledge.categories, category)
    return KnowledgeBase(categories, entries)


def _without_kept_fits() -> None:
    """Point the cache folder at a fresh one holding only hazm's tables (built at install): no fit
    and no analysis kept."""
    import tempfile

    from bot.engine.compact_tables import CACHE_VARIABLE, _cache_file, hazm_tables

    hazm_tables()  # built and kept where they are, if they were not
    tables = _cache_file()
    fresh = Path(tempfile.mkdtemp(prefix="sabtyar-cold-"))
    (fresh / tables.name).symlink_to(tables)
    os.environ[CACHE_VARIABLE] = str(fresh)


def run_case(case: str, sample: int) -> dict[str, float]:
    """One case in this process: build, then time every question; return the figures."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if case.startswith("cold-"):
        _without_kept_fits()
        case = case.removeprefix("cold-")
    from bot.engine.engine import AnswerEngine, new_analyzer
    from bot.engine.lexicon import load_lexicon
    from bot.engine.quality.evaluation import read_examples
    from bot.knowledge.loader import load_knowledge
    from bot.settings import Settings

    settings = Settings()
    examples = read_examples(QUESTIONS)
    questions = [e.question for e in examples]
    started, cpu_started = time.perf_counter(), time.process_time()
    knowledge = load_knowledge(settings.knowledge_dir)
    size = case.removeprefix("naive-").removeprefix("hazm-")
    if SIZES[size]:
        knowledge = _synthetic(knowledge, SIZES[size])
    phrasings = sum(len(e.phrasings) for e in knowledge.entries.values())
    if case.startswith("naive-"):
        from rapidfuzz import fuzz, process

        choices = [(text, e.id) for e in knowledge.entries.values() for text in e.phrasings]
        texts = [text for text, _ in choices]
        startup = time.perf_counter() - started

        def answer(question: str) -> str:
            found = process.extractOne(question, texts, scorer=fuzz.WRatio)
            return choices[found[2]][1] if found else ""
    else:
        lexicon = load_lexicon(settings.knowledge_dir)[0]
        engine = AnswerEngine(
            knowledge,
            _hazm_analyzer(lexicon) if case.startswith("hazm-") else new_analyzer(lexicon),
            settings.engine.thresholds,
            settings.engine.weights,
        )
        engine.ask("گرم کردن")  # first call loads hazm's lazy tables
        startup = time.perf_counter() - started

        def answer(question: str) -> str:
            reply = engine.ask(question)
            return reply.offered_ids[0] if reply.offered_ids else ""

    startup_cpu = time.process_time() - cpu_started
    from_process_start = _seconds_since_process_start()

    timed = examples if not sample else random.Random(1).sample(examples, min(sample, len(examples)))
    durations, correct, in_scope = [], 0, 0
    for example in timed:
        begin = time.perf_counter()
        given = answer(example.question)
        durations.append(time.perf_counter() - begin)
        if example.in_scope:
            in_scope += 1
            correct += given in example.expect
    del questions
    return {
        "phrasings": phrasings,
        "questions": len(timed),
        "median_ms": statistics.median(durations) * 1000,
        "p99_ms": _percentile(durations, 0.99) * 1000,
        "per_second": len(durations) / sum(durations),
        "startup_s": startup,
        "startup_cpu_s": startup_cpu,
        "process_s": from_process_start,
        "rss_mb": _resident_mb(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "top1_ranked": correct / in_scope if in_scope else 0.0,
    }


def time_ask_command(runs: int = 3) -> dict[str, float]:
    """``sabtyar ask`` of one question in a fresh process, from its start to its exit: the median
    wall and CPU seconds of ``runs`` runs, and its peak memory (a data folder of its own)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="sabtyar-bench-ask-"))
    config = folder / "config.toml"
    config.write_text('[store]\npath = "data/sabtyar.db"\n', encoding="utf-8")
    # this checkout's code (the folder is the working directory, so not on the path by itself)
    environment = dict(os.environ, SABTYAR_CONFIG=str(config), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "bot.cli.main", "ask", "کارت ملیم گم شده چیکار کنم؟"]
    subprocess.run(command, cwd=folder, env=environment, check=True, capture_output=True)  # its data folder
    walls, cpus, peak = [], [], 0.0
    for _ in range(runs):
        begin = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=folder, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own figures
        walls.append(time.perf_counter() - begin)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, command)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss / 1024)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "peak_mb": peak}


async def _bot_first_reply(folder: Path) -> float:
    """Seconds from starting ``sabtyar run`` (against the local Bot API of ``tests/support``, a
    citizen's question already waiting) to the Bot API receiving its reply."""
    import asyncio
    import signal

    from tests.support.fakeapi import FakeBotApi
    from tests.support.live_bot import write_config

    async with FakeBotApi("telegram") as api:
        citizen = api.create_user("Citizen")
        api.user_sends_text(citizen, "کارت ملیم گم شده چیکار کنم؟")
        config = write_config(folder, api)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SABTYAR_")}
        begin = time.perf_counter()
        with (folder / "sabtyar.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", "--config", str(config), "run"],
                cwd=ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            await api.wait_for_messages(citizen.id, timeout=120)
            return time.perf_counter() - begin
        finally:
            process.send_signal(signal.SIGTERM)
            while process.poll() is None:
                await asyncio.sleep(0.05)


def time_bot_start(runs: int = 3) -> float:
    """The median of ``runs`` restarts of the bot to its first reply (after one start that makes
    its database)."""
    import asyncio
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="sabtyar-bench-run-"))
    asyncio.run(_bot_first_reply(folder))
    return statistics.median(asyncio.run(_bot_first_reply(folder)) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", help="run one case in this process and print JSON (internal)")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--sizes", default="shipped,1k,10k,100k")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.sample)))
        return
    rows = []
    shipped = [size for size in args.sizes.split(",") if size == "shipped"]
    cases = [(f"{kind}-{size}", 0) for size in shipped for kind in ("hazm", "cold")]
    for size in args.sizes.split(","):
        cases += [(size, 0), (f"naive-{size}", 0 if size in ("shipped", "1k") else 60)]
    for case, sample in cases:
        output = (
            subprocess.run(
                [sys.executable, __file__, "--case", case, "--sample", str(sample)],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        rows.append((case, json.loads(output)))
        print(f"done {case}", file=sys.stderr)
    columns = (
        "phrasings",
        "median ms",
        "p99 ms",
        "q/s",
        "start s",
        "start cpu",
        "process s",
        "RSS MB",
        "peak MB",
        "top-1",
    )
    print(f"{'case':14}" + "".join(f"{name:>11}" for name in columns))
    for case, r in rows:
        print(
            f"{case:14}{r['phrasings']:>11}{r['median_ms']:>11.3f}{r['p99_ms']:>11.3f}{r['per_second']:>11.0f}"
            f"{r['startup_s']:>11.2f}{r['startup_cpu_s']:>11.2f}{r['process_s']:>11.2f}{r['rss_mb']:>11.0f}{r['peak_rss_mb']:>11.0f}"
            f"{r['top1_ranked']:>11.1%}"
        )
    figures = dict(rows)
    if shipped:
        ask = time_ask_command()
        bot = time_bot_start()
        line = (
            f"\nSTART-UP to the first answer from process start (target 2 s): `sabtyar ask` of one question "
            f"{ask['wall_s']:.2f} s (CPU {ask['cpu_s']:.2f} s, peak {ask['peak_mb']:.0f} MB, median of 3); "
            f"`sabtyar run` to its first reply {bot:.2f} s (median of 3); "
            f"engine, shipped base: restart {figures['shipped']['process_s']:.2f} s"
        )
        if "cold-shipped" in figures:
            line += f", first start after a knowledge change {figures['cold-shipped']['process_s']:.2f} s"
        print(line)
    print("\nratios engine / naive baseline (same run):")
    for size in args.sizes.split(","):
        e, n = figures[size], figures[f"naive-{size}"]
        gain = (e["top1_ranked"] - n["top1_ranked"]) * 100
        print(
            f"  {size:8} median time x{e['median_ms'] / n['median_ms']:.2f}, "
            f"p99 x{e['p99_ms'] / n['p99_ms']:.2f}, "
            f"top-1 {e['top1_ranked']:.1%} vs {n['top1_ranked']:.1%} ({gain:+.1f} points)"
        )
    if "hazm-shipped" in figures and "shipped" in figures:
        before, after = figures["hazm-shipped"], figures["shipped"]
        print(
            "\nshipped base, compact tables against hazm's own (same run): "
            f"RSS {after['rss_mb']:.0f} MB vs {before['rss_mb']:.0f} MB, "
            f"peak {after['peak_rss_mb']:.0f} vs {before['peak_rss_mb']:.0f} MB, "
            f"start-up {after['startup_s']:.2f} s vs {before['startup_s']:.2f} s "
            f"(CPU {after['startup_cpu_s']:.2f} vs {before['startup_cpu_s']:.2f} s) "
            f"(from process start {after['process_s']:.2f} vs {before['process_s']:.2f} s), "
            f"top-1 {after['top1_ranked']:.1%} vs {before['top1_ranked']:.1%}"
        )
    if "cold-shipped" in figures:
        cold, warm = figures["cold-shipped"], figures["shipped"]
        print(
            "\nstart-up to the first answer after the imports, shipped base: "
            f"restart {warm['startup_s']:.2f} s (CPU {warm['startup_cpu_s']:.2f} s), "
            f"first start after a knowledge change {cold['startup_s']:.2f} s "
            f"(CPU {cold['startup_cpu_s']:.2f} s)"
        )
    sizes = args.sizes.split(",")
    base = figures[sizes[0]]["median_ms"]
    print(f"\ngrowth of the median with the number of phrasings (engine, x the {sizes[0]} median):")
    for size in args.sizes.split(","):
        print(
            f"  {size:8} {figures[size]['phrasings']:>7} phrasings: x{figures[size]['median_ms'] / base:.2f}"
        )


if __name__ == "__main__":
    main()
