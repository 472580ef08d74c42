"""One question's TF-IDF row, and the phrasings' character scores for it, without scikit-learn.

scikit-learn fits the vectorizers once (:mod:`bot.engine.kept.fits`, kept in the cache folder); a
question needs only what the fit learned: the vocabulary and the IDF weights. Its ``transform`` is
built for batches: for the one short text a question is, its input checks and sparse-matrix
construction cost several times the arithmetic, and importing the library costs about a second
of every start. :class:`OneTextVectors` makes the same n-grams as the fitted vectorizer's analyzer
(:func:`char_wb_ngrams` and :func:`word_ngrams` follow scikit-learn's ``char_wb`` and ``word``
analyzers), then the same weighting (counts, ``1 + log`` when ``sublinear_tf``, times ``idf_``,
unit length) and returns the row as its non-zero columns and values. :class:`Postings` is the
inverted (n-gram x phrasing) matrix as plain arrays: a row's dot product with every phrasing,
summed in the order and the precision scipy's sparse product sums it (scipy itself is imported
only for a knowledge base several times the shipped one's size, where its product is faster).
The engine's tests compare the n-grams with the library's analyzers, the rows with its
``transform`` and the scores with scipy's on every test question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.memory import Memory

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["OneTextVectors", "Postings", "Row", "char_wb_ngrams", "word_ngrams"]

Analyze = Callable[[str], list[str]]

#: How many words a word-by-word vectorizer remembers the columns of (a question's words are mostly
#: those of earlier questions); about 2 MB full (measured: 0.5 MB for 2,121 words), then started
#: over (:class:`~bot.memory.Memory`).
_REMEMBERED_WORDS = 8192


def char_wb_ngrams(low: int, high: int) -> Analyze:
    """scikit-learn's ``analyzer="char_wb"`` n-grams (no lowercasing, no accent stripping): each
    word padded with a space on both sides, its ``low``..``high``-grams."""

    def analyze(text: str) -> list[str]:
        ngrams: list[str] = []
        append = ngrams.append
        for word in text.split():
            padded = f" {word} "
            length = len(padded)
            for n in range(low, high + 1):
                offset = 0
                append(padded[offset : offset + n])
                while offset + n < length:
                    offset += 1
                    append(padded[offset : offset + n])
                if offset == 0:  # a short word (length <= n) counts once
                    break
        return ngrams

    return analyze


def word_ngrams(low: int, high: int) -> Analyze:
    """scikit-learn's ``analyzer="word"`` n-grams with ``token_pattern=r"\\S+"`` (no lowercasing,
    no stop words): the words, then each run of ``low + 1``..``high`` words joined by a space."""
    if low != 1:
        raise ValueError("only word n-grams from single words are supported")

    def analyze(text: str) -> list[str]:
        words = text.split()
        grams = list(words)
        for n in range(2, min(high, len(words)) + 1):
            grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return grams

    return analyze


@dataclass(frozen=True)
class Row:
    """A sparse row: its non-zero ``columns`` (ascending) and their ``values``."""

    columns: np.ndarray
    values: np.ndarray

    def __bool__(self) -> bool:
        return bool(len(self.columns))


class OneTextVectors:
    """A fitted TF-IDF vectorizer's ``transform`` for a single text, as a :class:`Row`."""

    def __init__(
        self,
        analyze: Analyze,
        vocabulary: Mapping[str, int],
        idf: np.ndarray,
        sublinear: bool,
        wordwise: bool = False,
    ) -> None:
        """``analyze``: the vectorizer's n-grams; ``vocabulary`` and ``idf``: what it learned
        (``idf``'s dtype is the rows' dtype). ``wordwise``: a text's n-grams are those of its
        words in turn (:func:`char_wb_ngrams`), so each word's columns are remembered."""
        self._analyze = analyze
        self._wordwise = wordwise
        self._word_columns: Memory[str, tuple[int, ...]] = Memory(_REMEMBERED_WORDS)
        self._vocabulary = vocabulary
        self._idf = idf
        self._dtype = idf.dtype
        self._sublinear = sublinear
        self.width = len(vocabulary)

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer) -> OneTextVectors:
        """The rows of a fitted ``TfidfVectorizer`` (its own analyzer)."""
        if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
            raise ValueError("only l2-normalized TF-IDF without binary counts is supported")
        idf = np.asarray(vectorizer.idf_, dtype=np.dtype(vectorizer.dtype))
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_, idf, bool(vectorizer.sublinear_tf))

    def row(self, text: str) -> Row:
        """``text``'s TF-IDF row (no columns when it shares no n-gram with the vocabulary)."""
        vocabulary = self._vocabulary
        if self._wordwise:
            known = [column for word in text.split() for column in self._columns(word)]
        else:
            known = [vocabulary[gram] for gram in self._analyze(text) if gram in vocabulary]
        if not known:
            return Row(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=self._dtype))
        columns, counts = np.unique(np.array(known, dtype=np.int64), return_counts=True)
        values = counts.astype(self._dtype)
        if self._sublinear:
            values = np.log(values) + 1
        values = values * self._idf[columns]
        values /= np.sqrt(np.dot(values, values))
        return Row(columns, values)

    def _columns(self, word: str) -> tuple[int, ...]:
        """The vocabulary's columns of one word's n-grams, in order (remembered)."""
        columns = self._word_columns.get(word)
        if columns is None:
            vocabulary = self._vocabulary
            columns = tuple(vocabulary[gram] for gram in self._analyze(word) if gram in vocabulary)
            self._word_columns.keep(word, columns)
        return columns


#: From this many postings (about 2.5 times the shipped knowledge's) scipy's sparse product is
#: faster than the numpy one (x2.6 at 10k phrasings, x3.6 at 100k), and its import (about 0.2 s
#: once) pays for itself.
SCIPY_POSTINGS = 300_000


class Postings:
    """The phrasings of each n-gram column with their weights: a CSR matrix (n-grams x phrasings)
    as its three arrays; with ``scipy_from`` postings or more, as a scipy matrix."""

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        data: np.ndarray,
        phrasings: int,
        scipy_from: int = SCIPY_POSTINGS,
    ) -> None:
        self._indptr = indptr
        self._indices = indices
        self._data = data
        self._phrasings = phrasings
        self._matrix: Any = None
        if len(indices) >= scipy_from:
            import scipy.sparse as sp

            self._matrix = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, phrasings))

    def scores(self, row: Row) -> np.ndarray:
        """Every phrasing's dot product with ``row``, in the data's dtype.

        Summed as scipy's ``matrix[row.columns].T @ row.values`` sums it (column by column, in
        that order, each product and sum in the data's precision), so the scores are the same
        to the last bit."""
        scores = np.zeros(self._phrasings, dtype=self._data.dtype)
        if not row:
            return scores
        if self._matrix is not None:
            found: np.ndarray = self._matrix[row.columns].T @ row.values.astype(self._data.dtype)
            return found
        starts = self._indptr[row.columns]
        lengths = self._indptr[row.columns + 1] - starts
        total = int(lengths.sum())
        if not total:
            return scores
        # the positions of every posting of the row's columns, column after column
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        products = self._data[offsets] * np.repeat(row.values.astype(self._data.dtype), lengths)
        np.add.at(scores, self._indices[offsets], products)
        return scores
