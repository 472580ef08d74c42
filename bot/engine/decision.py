"""The four outcomes: answer alone, answer with alternatives, "did you mean" choices, or no match."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.engine.matcher import Candidate, lead

__all__ = ["Decision", "Doubts", "Outcome", "Thresholds", "decide"]


class Outcome(StrEnum):
    ANSWER = "answer"
    """A clear winner: its answer alone."""
    ANSWER_ALTERNATIVES = "answer_alternatives"
    """The best entry is likely but a runner-up is close (or the question asks two things): the best
    entry's answer is sent and at most ``max_alternatives`` runner-ups are offered as buttons."""
    DID_YOU_MEAN = "did_you_mean"
    NO_MATCH = "no_match"

    @property
    def answers(self) -> bool:
        """Whether the first reply carries an entry's answer."""
        return self in (Outcome.ANSWER, Outcome.ANSWER_ALTERNATIVES)


@dataclass(frozen=True)
class Thresholds:
    """Calibrated by ``sabtyar calibrate``; live in the ``[engine]`` section of the config.

    An entry is answered alone when its score reaches ``answer``, it leads the runner-up by
    ``margin`` and the question's unknown words weigh at most ``max_unknown``; with all but the
    margin, it is answered with the close runner-ups as alternatives; failing that, it is
    answered with alternatives when it passes the looser ``alternatives_answer``,
    ``alternatives_margin`` and ``alternatives_max_unknown``; failing that, the entries scoring
    ``suggest`` or more are offered as choices.
    """

    answer: float = 0.54
    margin: float = 0.2
    suggest: float = 0.26
    max_suggestions: int = 3
    max_unknown: float = 0.4
    """A question whose unknown words carry more than this share of its weight is never answered alone."""
    alternatives_answer: float = 0.32
    """The best entry's score needed for an answer with alternatives (1.0: the band is off)."""
    alternatives_margin: float = 0.06
    alternatives_max_unknown: float = 0.2
    max_alternatives: int = 2
    story_alternatives_answer: float = 0.28
    """In a long message (:attr:`Doubts.story`) the story dilutes every score: the best entry's score
    needed there for an answer with alternatives when it is well ahead (1.0: the band is off)."""
    story_alternatives_margin: float = 0.06
    """How far ahead of the runner-up the best entry of a long message must be in that band."""
    strong_max_unknown: float = 0.6
    """A best entry strong and clear enough for an answer alone (``answer``, ``margin``) whose
    question has more unknown words than ``max_unknown`` («کارت مللی هوشمندم دزدیده شده»: typos the
    repairs left) is answered with alternatives up to this share (``max_unknown``: never)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.answer <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= suggest <= answer <= 1")
        if not (0.0 <= self.alternatives_answer <= 1.0 and 0.0 <= self.story_alternatives_answer <= 1.0):
            raise ValueError("alternatives_answer and story_alternatives_answer must be between 0 and 1")
        margins = (self.margin, self.alternatives_margin, self.story_alternatives_margin)
        if not all(0.0 <= margin <= 1.0 for margin in margins):
            raise ValueError("margins must be between 0 and 1")
        if not 0.0 <= self.strong_max_unknown <= 1.0:
            raise ValueError("strong_max_unknown must be between 0 and 1")
        if self.max_suggestions < 1:
            raise ValueError("max_suggestions must be at least 1")
        if not 0 <= self.max_alternatives <= self.max_suggestions:
            raise ValueError("max_alternatives must be between 0 and max_suggestions")


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    candidates: tuple[Candidate, ...]
    """The entries offered, best first: the answer (and runners-up), or the choices; empty on no match."""
    parts: tuple[str, ...] = ()
    """For a question that asks two things, the entry of each part in the order asked (the first is
    the one answered); empty otherwise."""

    @property
    def answer_id(self) -> str | None:
        """The entry whose answer the first reply carries (in both answer outcomes)."""
        return self.candidates[0].entry_id if self.outcome.answers else None

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The runner-ups offered as buttons beside the answer (``answer_alternatives`` only)."""
        if self.outcome is not Outcome.ANSWER_ALTERNATIVES:
            return ()
        return tuple(candidate.entry_id for candidate in self.candidates[1:])

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
    vague: bool = False
    """One or two words that many entries use («شناسنامه»): choices, never an answer."""
    story: bool = False
    """A long message (``story_words`` distinct words or more): its scores are diluted by the
    story, so the looser story band of :class:`Thresholds` may answer it with alternatives."""
    asked_leader: str | None = None
    """In a message of several clauses, the entry its asking clause alone ranks first and clear of
    its runner-up: between two close entries of a story, what is asked decides."""


def decide(
    ranked: list[Candidate],
    thresholds: Thresholds,
    doubts: Doubts = Doubts(),
    parts: tuple[Candidate, Candidate] | None = None,
) -> Decision:
    """Answer alone when the best entry is strong, clear of the runner-up and the question's words
    are known; answer with alternatives in a looser band; else offer the best few; else nothing.
    A question naming another organisation's service is never answered. ``parts``: the entries
    two clauses of the question ask about, each strongly (see ``AnswerEngine.parts``): the first
    is answered, the second offered first beside it, unless the question's words are mostly
    unknown (over ``max_unknown``)."""
    t = thresholds
    offered = tuple(c for c in ranked[: t.max_suggestions] if c.score >= t.suggest)
    if not offered:
        return Decision(Outcome.NO_MATCH, ())
    best = offered[0]
    margin = lead(ranked)
    if doubts.other_service or doubts.vague:
        return Decision(Outcome.DID_YOU_MEAN, offered)
    if parts is not None and t.max_alternatives and doubts.unknown_share <= t.max_unknown:
        # each part was matched strongly by its own clause, and the message's words are known
        first, second = parts
        rest = [c for c in offered if c.entry_id not in (first.entry_id, second.entry_id)]
        chosen = (first, second, *rest)[: 1 + t.max_alternatives]
        return Decision(Outcome.ANSWER_ALTERNATIVES, chosen, (first.entry_id, second.entry_id))
    if best.score >= t.answer:
        known = doubts.unknown_share <= t.max_unknown
        clear = margin >= t.margin
        if known and clear:
            return Decision(Outcome.ANSWER, offered)
        # Strong but with a close runner-up (siblings: a lost smart card, a lost birth certificate),
        # or clear with unknown words the repairs left: the answer, and the runner-ups beside it.
        if known or (clear and doubts.unknown_share <= t.strong_max_unknown):
            return Decision(Outcome.ANSWER_ALTERNATIVES, offered[: 1 + t.max_alternatives])
    in_band = best.score >= t.alternatives_answer and margin >= t.alternatives_margin
    in_story_band = (
        doubts.story
        and best.score >= t.story_alternatives_answer
        and (margin >= t.story_alternatives_margin or best.entry_id == doubts.asked_leader)
    )
    if (in_band or in_story_band) and doubts.unknown_share <= t.alternatives_max_unknown:
        return Decision(Outcome.ANSWER_ALTERNATIVES, offered[: 1 + t.max_alternatives])
    return Decision(Outcome.DID_YOU_MEAN, offered)
