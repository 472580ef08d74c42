"""The store's own counts of a period (``Store.stats``), for checks on what was recorded.

The figures people read (``sabtyar stats``, ``/stats``, the report, the chart) are defined once,
in :mod:`bot.reports.figures`; ``unanswered`` here is the same: questions - answered - resolutions.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SATISFIED", "Stats"]

#: Scores counted as satisfied for CSAT on the 1..5 scale (5 = very satisfied).
SATISFIED = 4


@dataclass(frozen=True)
class Stats:
    """``answered``, ``did_you_mean`` and ``no_match`` are disjoint by the engine's first decision.

    ``resolutions`` counts "did you mean" questions the citizen then resolved by a choice;
    ``unanswered`` = questions - answered - resolutions (no match, or choices left unchosen).
    ``mean_rating`` and ``csat`` (share of ratings >= 4) are ``None`` when there is no rating.
    """

    questions: int
    answered: int
    """Questions whose first reply carried an answer (alone or with alternatives: both are
    stored with the outcome ``answer``)."""
    did_you_mean: int
    unanswered: int
    resolutions: int
    no_match: int
    ratings: int
    mean_rating: float | None
    csat: float | None
    corrections: int = 0
    """Alternatives pressed under an answer (the engine's first entry was not the one wanted)."""
    suggestions: int = 0
    suggestions_accepted: int = 0
    suggestions_rejected: int = 0
