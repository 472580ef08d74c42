"""Where the engine's CPU goes per question, by phase: run on demand (not in CI).

    python benchmarks/engine_phases.py [--limit N] [--passes 1]

Builds the engine as ``sabtyar run`` does, then asks the load benchmark's varied questions
(``benchmarks/load_benchmark.py``: the shipped phrasings and the test sets' questions, in its
shuffled order, each asked once: no decision is remembered), timing each ``ask`` and, inside it,
the analysis (``Analyzer.analyze``), the rankings computed (``Matcher._rank``; a ranking
remembered costs nothing here), the clause split and ``decide``, in CPU seconds of the thread.
Prints the median, the 90th percentile and the mean per question of each phase, and the rest
(doubts, parts, the engine's own steps). The first ``--warmup`` questions are asked untimed (the
token and ranking memories fill as in a running bot).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PHASES = ("analysis", "ranking", "clauses", "decide")


class Clock:
    """CPU seconds per phase of the question being asked."""

    def __init__(self) -> None:
        self.now: dict[str, float] = dict.fromkeys(PHASES, 0.0)

    def timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` with its CPU seconds added to ``phase`` (nested calls of the same phase once)."""
        depth = [0]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return function(*args, **kwargs)
            depth[0] += 1
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.now[phase] += time.thread_time() - started
                depth[0] -= 1

        return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only this many questions (0: all)")
    parser.add_argument("--warmup", type=int, default=300, help="questions asked untimed first")
    args = parser.parse_args()

    from load_benchmark import varied_questions

    import bot.engine.engine as engine_module
    from bot.engine.analyzer import Analyzer
    from bot.engine.engine import build_engine
    from bot.engine.matcher import Matcher
    from bot.settings import Settings

    settings = Settings()
    engine = build_engine(settings.knowledge_dir, settings.engine.thresholds, settings.engine.weights)
    questions = varied_questions()
    if args.limit:
        questions = questions[: args.limit + args.warmup]
    for question in questions[: args.warmup]:
        engine.ask(question)
    clock = Clock()
    Analyzer.analyze = clock.timed("analysis", Analyzer.analyze)  # type: ignore[method-assign]
    Matcher._rank = clock.timed("ranking", Matcher._rank)  # type: ignore[method-assign]
    engine_module.split_clauses = clock.timed("clauses", engine_module.split_clauses)  # type: ignore[attr-defined]
    engine_module.decide = clock.timed("decide", engine_module.decide)  # type: ignore[attr-defined]
    figures: dict[str, list[float]] = {phase: [] for phase in (*PHASES, "rest", "total")}
    for question in questions[args.warmup :]:
        clock.now = dict.fromkeys(PHASES, 0.0)
        started = time.thread_time()
        engine.ask(question)
        total = time.thread_time() - started
        for phase in PHASES:
            figures[phase].append(clock.now[phase])
        figures["rest"].append(total - sum(clock.now.values()))
        figures["total"].append(total)
    count = len(figures["total"])
    print(f"{count} questions (after {args.warmup} untimed), CPU µs per question:")
    print(f"{'phase':10} {'median':>8} {'p90':>8} {'mean':>8} {'share':>6}")
    whole = sum(figures["total"]) or 1.0
    for phase, values in figures.items():
        ordered = sorted(values)
        print(
            f"{phase:10} {statistics.median(ordered) * 1e6:8.0f} {ordered[int(0.9 * (count - 1))] * 1e6:8.0f}"
            f" {statistics.fmean(ordered) * 1e6:8.0f} {sum(values) / whole:6.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
