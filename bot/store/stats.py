"""The satisfaction figures of a period, as ``Store.stats`` returns them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SATISFIED", "Stats"]

#: Scores counted as satisfied for CSAT on the 1..5 scale (5 = very satisfied).
SATISFIED = 4


@dataclass(frozen=True)
class Stats:
    """Question counts are disjoint by the engine's first decision: questions = the three summed.

    ``resolutions`` counts "did you mean" questions the citizen then resolved by a choice.
    ``mean_rating`` and ``csat`` (share of ratings >= 4) are ``None`` when there is no rating.
    """

    questions: int
    answered: int
    """Questions whose first reply carried an answer (alone or with alternatives: both are
    stored with the outcome ``answer``)."""
    did_you_mean: int
    unanswered: int
    resolutions: int
    ratings: int
    mean_rating: float | None
    csat: float | None
    corrections: int = 0
    """Alternatives pressed under an answer (the engine's first entry was not the one wanted)."""
    suggestions: int = 0
    suggestions_accepted: int = 0
    suggestions_rejected: int = 0

    def to_json(self) -> dict[str, int | float | None]:
        """The fixed ``sabtyar stats --json`` object (``resolutions`` is not part of it); new keys
        are only ever added after the first seven."""
        return {
            "questions": self.questions,
            "answered": self.answered,
            "did_you_mean": self.did_you_mean,
            "unanswered": self.unanswered,
            "ratings": self.ratings,
            "mean_rating": None if self.mean_rating is None else round(self.mean_rating, 4),
            "csat": None if self.csat is None else round(self.csat, 4),
            "corrections": self.corrections,
            "suggestions": self.suggestions,
            "suggestions_accepted": self.suggestions_accepted,
            "suggestions_rejected": self.suggestions_rejected,
        }
