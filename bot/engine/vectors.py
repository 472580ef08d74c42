"""One question's TF-IDF row, computed from a fitted ``TfidfVectorizer`` without the library's
per-call overhead.

scikit-learn's ``transform`` is built for batches: for the one short text a question is, its input
checks and sparse-matrix construction cost several times the arithmetic (about half of a
question's time). :class:`OneTextVectors` runs the vectorizer's own analyzer (``build_analyzer``:
the same n-grams), then the same weighting the vectorizer applies (counts, ``1 + log`` when
``sublinear_tf``, times ``idf_``, unit length) and returns the row as its non-zero columns and
values. The engine's tests compare it with ``transform`` on every test question.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["OneTextVectors", "Row"]


@dataclass(frozen=True)
class Row:
    """A sparse row: its non-zero ``columns`` (ascending) and their ``values``."""

    columns: np.ndarray
    values: np.ndarray

    def __bool__(self) -> bool:
        return bool(len(self.columns))


class OneTextVectors:
    """A fitted vectorizer's ``transform`` for a single text, as a :class:`Row`."""

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
            raise ValueError("only l2-normalized TF-IDF without binary counts is supported")
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._dtype = np.dtype(vectorizer.dtype)
        self._idf = np.asarray(vectorizer.idf_, dtype=self._dtype)
        self._sublinear = bool(vectorizer.sublinear_tf)
        self.width = len(self._vocabulary)

    def row(self, text: str) -> Row:
        """``text``'s TF-IDF row (no columns when it shares no n-gram with the vocabulary)."""
        vocabulary = self._vocabulary
        counts = Counter(vocabulary[gram] for gram in self._analyze(text) if gram in vocabulary)
        ordered = sorted(counts)
        columns = np.fromiter(ordered, dtype=np.int64, count=len(ordered))
        values = np.fromiter((counts[column] for column in ordered), dtype=self._dtype, count=len(ordered))
        if not len(columns):
            return Row(columns, values)
        if self._sublinear:
            values = np.log(values) + 1
        values = values * self._idf[columns]
        values /= np.sqrt(np.dot(values, values))
        return Row(columns, values)
