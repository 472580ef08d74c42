"""The three outcomes: answer directly, offer "did you mean" choices, or say no match."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.engine.matcher import Candidate

__all__ = ["Decision", "Doubts", "Outcome", "Thresholds", "decide"]


class Outcome(StrEnum):
    ANSWER = "answer"
    DID_YOU_MEAN = "did_you_mean"
    NO_MATCH = "no_match"


@dataclass(frozen=True)
class Thresholds:
    """Calibrated by ``sabtyar calibrate``; live in the ``[engine]`` section of the config."""

    answer: float = 0.44
    margin: float = 0.1
    suggest: float = 0.3
    max_suggestions: int = 3
    max_unknown: float = 0.3
    """A question whose unknown words carry more than this share of its weight is never answered directly."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.answer <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= suggest <= answer <= 1")
        if not 0.0 <= self.margin <= 1.0:
            raise ValueError("margin must be between 0 and 1")
        if self.max_suggestions < 1:
            raise ValueError("max_suggestions must be at least 1")


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    candidates: tuple[Candidate, ...]
    """The entries offered, best first: the answer (and runners-up) or the choices; empty on no match."""

    @property
    def answer_id(self) -> str | None:
        return self.candidates[0].entry_id if self.outcome is Outcome.ANSWER else None

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


@dataclass(frozen=True)
class Doubts:
    """What speaks against a direct answer whatever the scores: the share of the question's weight
    in words the knowledge base does not know, and whether it names another organisation's
    service (a bank card, subsidies, konkur: ``other_services`` in ``knowledge/language.yaml``)."""

    unknown_share: float = 0.0
    other_service: bool = False


def decide(ranked: list[Candidate], thresholds: Thresholds, doubts: Doubts = Doubts()) -> Decision:
    """Answer when the best entry is strong, clear of the runner-up and the question's words are
    known; else offer the best few; else nothing. A question naming another organisation's
    service is never answered directly."""
    offered = tuple(c for c in ranked[: thresholds.max_suggestions] if c.score >= thresholds.suggest)
    if not offered:
        return Decision(Outcome.NO_MATCH, ())
    best = offered[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if (
        best.score >= thresholds.answer
        and best.score - runner_up >= thresholds.margin
        and doubts.unknown_share <= thresholds.max_unknown
        and not doubts.other_service
    ):
        return Decision(Outcome.ANSWER, offered)
    return Decision(Outcome.DID_YOU_MEAN, offered)
