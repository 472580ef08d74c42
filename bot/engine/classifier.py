"""A linear model over the knowledge base's phrasings: how likely each entry is for a match key.

The matcher scores a question against each phrasing on its own (its best phrasing wins); this
model learns from all of an entry's phrasings together which character n-grams and words set it
apart from its neighbours (a lost smart card from a lost birth certificate). Its probabilities are
blended into the matcher's scores (``Weights.classifier``). Trained with stochastic gradient
descent on logistic loss with a fixed seed: the same knowledge gives the same model, in well
under a second for a thousand phrasings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

__all__ = ["EntryClassifier"]

_SEED = 0


class EntryClassifier:
    """Entry probabilities for a match key's text; immutable once built."""

    def __init__(self, char_vectorizer: TfidfVectorizer, texts: Sequence[str], labels: Sequence[str]) -> None:
        """``char_vectorizer``: the matcher's fitted character n-gram vectorizer (shared, not refit);
        ``texts``: the phrasings' match-key texts, ``labels``: their entry ids."""
        self._char = char_vectorizer
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=False, token_pattern=r"\S+"
        )
        self._words.fit(texts)
        self._model = SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=50, tol=None, random_state=_SEED)
        self._model.fit(self._features(texts), list(labels))
        self._index = {str(entry_id): i for i, entry_id in enumerate(self._model.classes_)}
        self._weights = np.ascontiguousarray(self._model.coef_.T)
        self._intercept = np.asarray(self._model.intercept_, dtype=np.float64)

    def _features(self, texts: Sequence[str], char_rows: sp.csr_matrix | None = None) -> sp.csr_matrix:
        """The texts' character n-grams (``char_rows`` when the caller has them) beside their words."""
        if char_rows is None:
            char_rows = self._char.transform(texts)
        return sp.hstack([char_rows, self._words.transform(texts)], format="csr")

    def probabilities(self, text: str, char_row: sp.csr_matrix | None = None) -> dict[str, float]:
        """Each entry's probability for ``text`` (they sum to 1), or ``{}`` for an empty text;
        ``char_row``: the text's character n-gram row when the caller has it already (the matcher).

        The one-vs-rest logistic probabilities of ``SGDClassifier.predict_proba``, computed from the
        coefficients directly (a third of the call's cost was the library's own overhead)."""
        if not text:
            return {}
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            features = self._features([text], char_row)
        scores = np.asarray(features @ self._weights).ravel() + self._intercept
        likely = 1.0 / (1.0 + np.exp(-scores))
        total = likely.sum()
        row = likely / total if total > 0 else np.full(len(likely), 1.0 / len(likely))
        return {entry_id: float(row[i]) for entry_id, i in self._index.items()}
