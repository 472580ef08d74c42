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

__all__ = ["AnswerEngine", "Assessment", "Reply", "build_engine"]


@dataclass(frozen=True)
class Assessment:
    """Everything the decision needs about one question, before the thresholds apply."""

    key: MatchKey
    ranked: list[Candidate]
    doubts: Doubts
    parts: tuple[Candidate, Candidate] | None = None


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
        """The entries offered, best first; in both answer outcomes the answered one first."""
        return [candidate.entry_id for candidate in self.decision.candidates]

    @property
    def alternatives(self) -> list[str]:
        """The runner-ups to offer as buttons beside the answer (``answer_alternatives`` only)."""
        return list(self.decision.alternatives)

    @property
    def parts(self) -> list[str]:
        """For a question that asks two things, the entry of each part (the first is answered)."""
        return list(self.decision.parts)

    def to_json(self) -> dict[str, object]:
        """The ``sabtyar ask --jsonl`` record (fields are only ever added); ``score`` is the best
        entry's, whatever the outcome; ``parts`` only for a two-part question."""
        record: dict[str, object] = {
            "question": self.question,
            "answer_id": self.answer_id,
            "score": round(float(self.ranked[0].score) if self.ranked else 0.0, 4),
            "candidates": self.offered_ids,
            "outcome": str(self.outcome),
        }
        if self.decision.parts:
            record["parts"] = self.parts
        return record


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

    def assess(self, question: str) -> Assessment:
        """The ranking, the doubts and the parts of a question (the thresholds apply later)."""
        key, ranked = self.rank(question)
        return Assessment(key, ranked, self.doubts(key))

    def ask(self, question: str) -> Reply:
        started = time.perf_counter()
        assessment = self.assess(question)
        decision = decide(assessment.ranked, self.thresholds, assessment.doubts, assessment.parts)
        return Reply(
            question, assessment.key, decision, tuple(assessment.ranked), time.perf_counter() - started
        )


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
