"""The engine citizens are answered with now, swapped whole when staff change the knowledge.

An :class:`~bot.engine.AnswerEngine` is immutable; a change builds a new one (about a second,
in a worker thread, reusing the costly analyzer) and replaces the reference, so a question in
flight finishes on the old engine and the next one gets the new answer. Changes go one at a
time (an ``asyncio.Lock``); the files on disk are changed first, so a restart loads the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.decision import Thresholds
from bot.engine import AnswerEngine
from bot.kb_edit import Record, apply_entry_change
from bot.knowledge import KnowledgeBase
from bot.knowledge_loader import Problem, check_knowledge
from bot.lexicon import load_lexicon
from bot.matcher import Weights

__all__ = ["LiveEngine"]


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

    def _index(self, knowledge: KnowledgeBase, engine: AnswerEngine) -> AnswerEngine:
        return AnswerEngine(knowledge, engine.analyzer, self._thresholds, self._weights)

    async def change_entry(self, entry_id: str, change: Callable[[Record], Record]) -> AnswerEngine:
        """Write the change to the folder (``EditError`` if invalid), then swap in the new engine."""
        async with self._lock:
            knowledge = await asyncio.to_thread(apply_entry_change, self.folder, entry_id, change)
            self.engine = await asyncio.to_thread(self._index, knowledge, self.engine)
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
            result = await asyncio.to_thread(self._reload)
            if isinstance(result, list):
                return result
            self.engine = result
            return []
