"""``sabtyar`` with the engine's CPU time counted, for ``benchmarks/load_benchmark.py`` only.

The load benchmark compares the bot's CPU per update with a bare python-telegram-bot bot's; the
engine's own work (``AnswerEngine.ask``, also when a comment is checked for reading as a question)
is part of sabtyar's and of no bare bot's. This launcher runs the same ``sabtyar`` command with
every ``ask`` timed in CPU seconds of the calling thread (``time.thread_time``: a preempted call
is not counted longer), counts the calls answered from the engine's recent decisions (a question
asked again within ``RECENT_QUESTIONS``: the cache's hits), and on ``SIGUSR1`` writes the totals
so far to ``DIR/engine-<pid>.json`` (``{"calls": ..., "hits": ..., "seconds": ..., "dumps": ...}``,
replaced whole), so the benchmark can read them at the start and the end of its measured window
and tell the engine's time from the rest (messenger, handlers, store, python-telegram-bot).
Forked workers inherit the handler and write their own file.

    python benchmarks/timed_engine.py DIR [--no-inbox] --config CONFIG run
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.engine import AnswerEngine, Reply


@dataclass
class EngineClock:
    """The engine's calls and CPU seconds in this process, written out on demand."""

    folder: Path
    calls: int = 0
    #: Calls answered from the engine's recent decisions (the question was in them when asked).
    hits: int = 0
    seconds: float = 0.0
    dumps: int = 0

    def install(self) -> None:
        """Time every ``AnswerEngine.ask`` from now on, and dump on ``SIGUSR1``."""
        ask = AnswerEngine.ask

        @functools.wraps(ask)
        def timed(engine: AnswerEngine, question: str) -> Reply:
            started = time.thread_time()
            if question in engine._recent:  # a read only: the benchmark's count, not the engine's
                self.hits += 1
            try:
                return ask(engine, question)
            finally:
                self.seconds += time.thread_time() - started
                self.calls += 1

        AnswerEngine.ask = timed  # type: ignore[method-assign]
        signal.signal(signal.SIGUSR1, self.dump)

    def dump(self, _signum: int = 0, _frame: FrameType | None = None) -> None:
        self.dumps += 1
        path = self.folder / f"engine-{os.getpid()}.json"
        partial = path.with_suffix(".part")
        partial.write_text(
            json.dumps({"calls": self.calls, "hits": self.hits, "seconds": self.seconds, "dumps": self.dumps})
        )
        partial.replace(path)


def read_clock(folder: Path, pid: int) -> dict[str, Any] | None:
    """The last totals process ``pid`` wrote (``None``: none yet)."""
    try:
        return dict(json.loads((folder / f"engine-{pid}.json").read_text()))
    except (OSError, ValueError):
        return None


if __name__ == "__main__":
    folder, arguments = Path(sys.argv[1]), sys.argv[2:]
    if arguments[:1] == ["--no-inbox"]:
        import no_inbox  # type: ignore[import-not-found]  # beside this script

        no_inbox.install()
        arguments = arguments[1:]
    EngineClock(folder).install()
    from bot.cli.main import main

    sys.exit(main(arguments))
