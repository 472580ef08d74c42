"""A linear model over the knowledge base's phrasings: how likely each entry is for a match key.

The matcher scores a question against each phrasing on its own (its best phrasing wins); this
model learns from all of an entry's phrasings together which character n-grams and words set it
apart from its neighbours (a lost smart card from a lost birth certificate). Its probabilities are
blended into the matcher's scores (``Weights.classifier``). It is fitted with the matcher's
vectors by :mod:`bot.engine.kept.fits` (the same knowledge gives the same model, kept in the cache
folder); here the fitted coefficients answer one question at a time.
"""

from __future__ import annotations

import numpy as np

from bot.engine.kept.fits import Classes
from bot.engine.vectors import OneTextVectors, Row

__all__ = ["EntryClassifier"]


class EntryClassifier:
    """Entry probabilities for a match key's text; immutable once built."""

    def __init__(self, words: OneTextVectors, char_width: int, classes: Classes) -> None:
        """``words``: the word n-gram rows; ``char_width``: the character columns, which come
        first in the model's features (the word columns follow); ``classes``: the fitted model."""
        self._char_width = char_width
        self._one_text_words = words
        self._ids = [str(entry_id) for entry_id in classes.labels.tolist()]
        self._weights = np.ascontiguousarray(classes.coef.T)
        self._intercept = np.asarray(classes.intercept, dtype=np.float64)

    def probabilities(self, text: str, char_row: Row) -> dict[str, float]:
        """Each entry's probability for ``text`` (they sum to 1), or ``{}`` for an empty text;
        ``char_row``: the text's character n-gram row (the matcher has it already).

        The one-vs-rest logistic probabilities of ``SGDClassifier.predict_proba``, computed from the
        coefficients and the text's non-zero features directly (the library's per-call overhead
        was most of the call's cost)."""
        if not text:
            return {}
        words = self._one_text_words.row(text)
        weights = self._weights
        scores = self._intercept + char_row.values @ weights[char_row.columns]
        scores = scores + words.values @ weights[self._char_width + words.columns]
        likely = 1.0 / (1.0 + np.exp(-scores))
        total = likely.sum()
        row = likely / total if total > 0 else np.full(len(likely), 1.0 / len(likely))
        return dict(zip(self._ids, row.tolist(), strict=True))
