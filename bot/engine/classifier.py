"""A linear model over the knowledge base's phrasings: how likely each entry is for a match key.

The matcher scores a question against each phrasing on its own (its best phrasing wins); this
model learns from all of an entry's phrasings together which character n-grams and words set it
apart from its neighbours (a lost smart card from a lost birth certificate). Its probabilities are
blended into the matcher's scores (``Weights.classifier``). Trained with stochastic gradient
descent on logistic loss with a fixed seed: the same knowledge gives the same model, in about a
second for a thousand phrasings; the fitted coefficients are kept in the cache folder
(:func:`bot.engine.compact_tables.cache_dir`) under a digest of everything the fit reads, so a
restart on unchanged knowledge reads them back instead of fitting again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from bot.engine.vectors import OneTextVectors, Row

__all__ = ["EntryClassifier"]

_SEED = 0
#: How many fits the cache folder keeps (about 4 MB each for the shipped knowledge).
_KEPT_FITS = 4
_MODEL = {"loss": "log_loss", "alpha": 1e-4, "max_iter": 50, "tol": None, "random_state": _SEED}


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
        classes, coef, intercept = _fitted(self._features(texts), list(labels))
        self._char_width = len(char_vectorizer.vocabulary_)  # the word columns follow the character ones
        self._one_text_words = OneTextVectors(self._words)
        self._index = {str(entry_id): i for i, entry_id in enumerate(classes)}
        self._weights = np.ascontiguousarray(coef.T)
        self._intercept = np.asarray(intercept, dtype=np.float64)

    def _features(self, texts: Sequence[str], char_rows: sp.csr_matrix | None = None) -> sp.csr_matrix:
        """The texts' character n-grams (``char_rows`` when the caller has them) beside their words."""
        if char_rows is None:
            char_rows = self._char.transform(texts)
        return sp.hstack([char_rows, self._words.transform(texts)], format="csr")

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
        return {entry_id: float(row[i]) for entry_id, i in self._index.items()}


def _fitted(features: sp.csr_matrix, labels: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fitted model's classes, coefficients and intercepts: read back from the cache when this
    exact fit was made before, otherwise fitted (and kept when the cache folder can be written)."""
    path = _cache_file(features, labels)
    with contextlib.suppress(OSError, ValueError, KeyError):
        with np.load(path, allow_pickle=False) as saved:
            found = saved["classes"], saved["coef"], saved["intercept"]
        os.utime(path)  # in use: the newest, kept by the pruning below
        return found
    model = SGDClassifier(**_MODEL)
    model.fit(features, labels)
    classes = np.asarray(model.classes_, dtype=str)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
        np.savez(partial, classes=classes, coef=model.coef_, intercept=model.intercept_)
        os.replace(partial, path)
        _prune(path.parent)
    return classes, model.coef_, model.intercept_


def _prune(folder: Path) -> None:
    """Keep the most recently used fits (each knowledge edit makes a new one)."""
    fits = sorted(folder.glob("*.npz"), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in fits[_KEPT_FITS:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _cache_file(features: sp.csr_matrix, labels: list[str]) -> Path:
    """The cache file of a fit: named by a digest of the features, the labels, the model's
    settings and the library's version (any change means another file)."""
    from bot.engine.compact_tables import cache_dir

    digest = hashlib.sha256()
    settings = (sorted(_MODEL.items()), sklearn.__version__, np.__version__, features.shape)
    digest.update(repr(settings).encode())
    for part in (features.indptr, features.indices, features.data):
        digest.update(np.ascontiguousarray(part).tobytes())
    digest.update("\n".join(labels).encode())
    return cache_dir() / "classifier" / f"{digest.hexdigest()[:32]}.npz"
