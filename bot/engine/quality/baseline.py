"""The naive baseline the engine must beat: raw text, rapidfuzz ``WRatio``, no normalization."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.knowledge.model import KnowledgeBase

__all__ = ["NaiveMatcher"]


class NaiveMatcher:
    """Best phrasing by ``WRatio`` on the raw strings; its entry is the answer."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        pairs = [(text, entry.id) for entry in knowledge.entries.values() for text in entry.phrasings]
        self._texts = [text for text, _ in pairs]
        self._entry_ids = [entry_id for _, entry_id in pairs]

    def best(self, question: str) -> str | None:
        found = process.extractOne(question, self._texts, scorer=fuzz.WRatio)
        return self._entry_ids[found[2]] if found else None
