"""The answer engine: a question in, a decision out. Knows nothing of any messenger."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.engine.analyzer import Analyzer, MatchKey, hazm_lemmatizer
from bot.engine.decision import Decision, Doubts, Outcome, Thresholds, decide
from bot.engine.lexicon import Lexicon, load_lexicon
from bot.engine.matcher import Candidate, Matcher, Phrasing, Weights
from bot.engine.normalize import TextNormalizer
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.model import Entry, KnowledgeBase

__all__ = ["AnswerEngine", "Reply", "build_engine"]


@dataclass(frozen=True)
class Reply:
    """What the engine decided for one question, with what a log needs."""

    question: str
    key: MatchKey
    decision: Decision
    ranked: tuple[Candidate, ...]
    seconds: float

    @property
    def outcome(self) -> Outcome:
        return self.decision.outcome

    @property
    def answer_id(self) -> str | None:
        return self.decision.answer_id

    @property
    def offered_ids(self) -> list[str]:
        return [candidate.entry_id for candidate in self.decision.candidates]

    def to_json(self) -> dict[str, object]:
        """The fixed ``sabtyar ask --jsonl`` record; ``score`` is the best entry's, whatever the outcome."""
        return {
            "question": self.question,
            "answer_id": self.answer_id,
            "score": round(float(self.ranked[0].score) if self.ranked else 0.0, 4),
            "candidates": self.offered_ids,
        }


class AnswerEngine:
    """Holds the knowledge base, its index and the thresholds; ``ask`` is pure and thread-safe."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        analyzer: Analyzer,
        thresholds: Thresholds,
        weights: Weights | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds
        texts = [text for entry in knowledge.entries.values() for text in entry.phrasings]
        self.analyzer = analyzer.with_vocabulary(texts, [e.answer for e in knowledge.entries.values()])
        self.matcher = Matcher(
            [
                Phrasing(entry.id, text, self.analyzer.analyze(text))
                for entry in knowledge.entries.values()
                for text in entry.phrasings
            ],
            weights,
        )

    def entry(self, entry_id: str) -> Entry:
        return self.knowledge.entry(entry_id)

    def rank(self, question: str, limit: int = 5) -> tuple[MatchKey, list[Candidate]]:
        key = self.analyzer.analyze(question)
        return key, self.matcher.rank(key, limit)

    def doubts(self, key: MatchKey) -> Doubts:
        """What speaks against answering ``key`` directly (see :class:`~bot.engine.decision.Doubts`)."""
        return Doubts(self.matcher.unknown_share(key), other_service=bool(key.foreign))

    def reads_as_question(self, text: str) -> bool:
        """Whether ``text`` reads as a new question rather than a remark: a question mark or word,
        or a text the engine would answer directly (``ثبت ولادت نوزاد``)."""
        return self.analyzer.has_question_mark_or_word(text) or self.ask(text).outcome is Outcome.ANSWER

    def ask(self, question: str) -> Reply:
        started = time.perf_counter()
        key, ranked = self.rank(question)
        decision = decide(ranked, self.thresholds, self.doubts(key))
        return Reply(question, key, decision, tuple(ranked), time.perf_counter() - started)


def build_engine(
    knowledge_dir: Path,
    thresholds: Thresholds | None = None,
    weights: Weights | None = None,
    base_analyzer: Analyzer | None = None,
) -> AnswerEngine:
    """Load and validate the knowledge folder and index it (a few seconds: hazm's models load)."""
    knowledge = load_knowledge(knowledge_dir)
    lexicon, problems = load_lexicon(knowledge_dir)
    if problems:
        raise KnowledgeError(problems)
    analyzer = base_analyzer or new_analyzer(lexicon)
    return AnswerEngine(knowledge, analyzer, thresholds or Thresholds(), weights)


def new_analyzer(lexicon: Lexicon) -> Analyzer:
    """The costly part of an engine (hazm's normalizer and lemmatizer), built once per process."""
    return Analyzer(TextNormalizer(), lexicon, hazm_lemmatizer())
