"""The engine citizens are answered with now, swapped whole when staff change the knowledge.

An :class:`~bot.engine.engine.AnswerEngine` is immutable; a change builds a new one (about a second,
in a worker thread, reusing the costly analyzer) and replaces the reference, so a question in
flight finishes on the old engine and the next one gets the new answer. Changes go one at a
time (an ``asyncio.Lock``); the files on disk are changed first, so a restart loads the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from bot.engine.decision import Thresholds
from bot.engine.engine import AnswerEngine
from bot.engine.lexicon import load_lexicon
from bot.engine.matcher import Weights
from bot.knowledge.edit import Record, apply_entry_change
from bot.knowledge.loader import Problem, check_knowledge
from bot.knowledge.model import KnowledgeBase

__all__ = ["LiveEngine"]

_LOG = logging.getLogger("sabtyar.knowledge")


class LiveEngine:
    """Holds the current engine for one process (every platform shares it)."""

    def __init__(
        self, engine: AnswerEngine, folder: Path, thresholds: Thresholds, weights: Weights | None = None
    ) -> None:
        self.engine = engine
        self.folder = folder
        self._thresholds = thresholds
        self._weights = weights
        self._lock = asyncio.Lock()
        self._seen = self._stamp()

    def _stamp(self) -> tuple[tuple[str, int, int], ...]:
        """What the knowledge files look like now (name, modification time, size)."""
        files = []
        for path in sorted(self.folder.glob("*.yaml")):
            with contextlib.suppress(OSError):
                info = path.stat()
                files.append((path.name, info.st_mtime_ns, info.st_size))
        return tuple(files)

    def _index(self, knowledge: KnowledgeBase, engine: AnswerEngine) -> AnswerEngine:
        return AnswerEngine(knowledge, engine.analyzer, self._thresholds, self._weights)

    async def change_entry(self, entry_id: str, change: Callable[[Record], Record]) -> AnswerEngine:
        """Write the change to the folder (``EditError`` if invalid), then swap in the new engine."""
        async with self._lock:
            knowledge = await asyncio.to_thread(apply_entry_change, self.folder, entry_id, change)
            self.engine = await asyncio.to_thread(self._index, knowledge, self.engine)
            self._seen = self._stamp()
            return self.engine

    def _reload(self) -> AnswerEngine | list[Problem]:
        knowledge, problems = check_knowledge(self.folder)
        lexicon, lexicon_problems = load_lexicon(self.folder)
        problems = sorted(problems + lexicon_problems)
        if knowledge is None or problems:
            return problems
        analyzer = self.engine.analyzer
        if lexicon != analyzer.lexicon:
            analyzer = analyzer.with_lexicon(lexicon)
        return AnswerEngine(knowledge, analyzer, self._thresholds, self._weights)

    async def reload(self) -> list[Problem]:
        """Load the folder again; on any problem the running engine stays and the problems return."""
        async with self._lock:
            stamp = self._stamp()
            result = await asyncio.to_thread(self._reload)
            if isinstance(result, list):
                return result
            self.engine = result
            self._seen = stamp
            return []

    async def change_files[T](self, write: Callable[[], T]) -> tuple[T, list[Problem]]:
        """Run ``write`` (which replaces knowledge files, e.g. a workbook import) in a worker thread
        while no other change runs, then load the folder: ``write``'s result and the problems
        (none: the new engine is in use; some: the running one stays)."""
        async with self._lock:
            result = await asyncio.to_thread(write)
            loaded = await asyncio.to_thread(self._reload)
            if isinstance(loaded, list):
                return result, loaded
            self.engine = loaded
            self._seen = self._stamp()
            return result, []

    async def follow(self, every: float = 2.0) -> None:
        """Reload whenever the files change under this process (another worker's ``/edit`` or
        ``/reload``); a broken change keeps the running knowledge and is logged once. Runs until
        cancelled."""
        while True:
            await asyncio.sleep(every)
            stamp = self._stamp()
            if stamp == self._seen or self._lock.locked():
                continue
            problems = await self.reload()
            if problems:
                self._seen = stamp
                _LOG.warning(
                    "knowledge changed on disk but has %d problem(s): kept the running one", len(problems)
                )
            else:
                _LOG.info("knowledge changed on disk: reloaded")
