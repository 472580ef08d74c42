"""What scikit-learn learns from the phrasings, fitted once and kept in the cache folder.

The matcher's character n-gram TF-IDF (its vocabulary, IDF weights and the phrasings' matrix,
kept inverted: n-grams x phrasings) and the phrasing classifier (:mod:`bot.engine.classifier`:
a word uni- and bigram TF-IDF beside the character one, and a linear model fitted with stochastic
gradient descent on logistic loss with a fixed seed). The fit is kept in the cache folder
(:func:`bot.engine.compact_tables.cache_dir`) under a digest of everything it reads (the
phrasings' match-key texts, their entries, the settings, the libraries' versions), so a restart
on unchanged knowledge reads it back: scikit-learn (about a second to import) is then never
imported, and nothing is fitted. Any knowledge change is another digest, so another fit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from bot.engine.vectors import Analyze, OneTextVectors, Postings, char_wb_ngrams, word_ngrams

__all__ = ["CHAR_NGRAMS", "MODEL", "WORD_NGRAMS", "FittedIndex", "fitted_index"]

#: The character TF-IDF's settings (``TfidfVectorizer`` arguments) and its analyzer.
CHAR_NGRAMS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (2, 4),
    "sublinear_tf": True,
    "lowercase": False,
}
#: The classifier's word TF-IDF's settings.
WORD_NGRAMS: dict[str, Any] = {
    "analyzer": "word",
    "ngram_range": (1, 2),
    "sublinear_tf": True,
    "lowercase": False,
    "token_pattern": r"\S+",
}
_SEED = 0
#: The classifier's model (``SGDClassifier`` arguments).
MODEL: dict[str, Any] = {
    "loss": "log_loss",
    "alpha": 1e-4,
    "max_iter": 50,
    "tol": None,
    "random_state": _SEED,
}
#: How many fits the cache folder keeps (about 6 MB each for the shipped knowledge).
_KEPT_FITS = 4
#: Bumped whenever what a fit file holds changes.
_FORMAT = 1
_FOLDER = "fits"


@dataclass(frozen=True)
class Classes:
    """The fitted classifier: its classes (entry ids), coefficients and intercepts."""

    labels: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray


@dataclass(frozen=True)
class FittedIndex:
    """Everything the matcher and the classifier need of the fit to answer a question."""

    char_terms: np.ndarray
    char_idf: np.ndarray
    inverted: tuple[np.ndarray, np.ndarray, np.ndarray]
    word_terms: np.ndarray
    word_idf: np.ndarray
    classes: Classes | None

    def char_vectors(self) -> OneTextVectors:
        analyze = char_wb_ngrams(*CHAR_NGRAMS["ngram_range"])
        return _vectors(analyze, self.char_terms, self.char_idf, wordwise=True)

    def word_vectors(self) -> OneTextVectors:
        return _vectors(word_ngrams(*WORD_NGRAMS["ngram_range"]), self.word_terms, self.word_idf)

    def postings(self, phrasings: int) -> Postings:
        return Postings(*self.inverted, phrasings)


def _vectors(analyze: Analyze, terms: np.ndarray, idf: np.ndarray, wordwise: bool = False) -> OneTextVectors:
    vocabulary = {term: column for column, term in enumerate(terms.tolist())}
    return OneTextVectors(analyze, vocabulary, idf, sublinear=True, wordwise=wordwise)


def fitted_index(texts: Sequence[str], labels: Sequence[str], classifier: bool) -> FittedIndex:
    """The fit for these phrasings (``texts``: match-key texts, ``labels``: their entry ids; the
    classifier only when ``classifier``): read back from the cache folder when this exact fit was
    made before, otherwise fitted (and kept when the folder can be written)."""
    path = _cache_file(texts, labels, classifier)
    with contextlib.suppress(OSError, ValueError, KeyError):
        found = _read(path, classifier)
        os.utime(path)  # in use: the newest, kept by the pruning below
        return found
    fitted = _fit(texts, labels, classifier)
    with contextlib.suppress(OSError):
        _write(path, fitted)
        _prune(path.parent)
    return fitted


def _fit(texts: Sequence[str], labels: Sequence[str], classifier: bool) -> FittedIndex:
    """Fit with scikit-learn (imported here only: a start on kept fits never imports it)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier

    char = TfidfVectorizer(**CHAR_NGRAMS, dtype=np.float32)
    inverted = char.fit_transform(texts).T.tocsr()
    char_idf = np.asarray(char.idf_, dtype=np.float32)
    words = TfidfVectorizer(**WORD_NGRAMS)
    found: Classes | None = None
    if classifier:
        words.fit(texts)
        features = sp.hstack([char.transform(texts), words.transform(texts)], format="csr")
        model = SGDClassifier(**MODEL)
        model.fit(features, list(labels))
        found = Classes(np.asarray(model.classes_, dtype=str), model.coef_, model.intercept_)
    word_terms, word_idf = (
        (_terms(words.vocabulary_), np.asarray(words.idf_, dtype=np.float64))
        if classifier
        else (np.array([], dtype=str), np.array([], dtype=np.float64))
    )
    return FittedIndex(
        _terms(char.vocabulary_),
        char_idf,
        (inverted.indptr, inverted.indices, inverted.data),
        word_terms,
        word_idf,
        found,
    )


def _terms(vocabulary: dict[str, int]) -> np.ndarray:
    """A vectorizer's terms in column order."""
    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return np.array(terms, dtype=str)


def _write(path: Path, fitted: FittedIndex) -> None:
    """Write the fit atomically (a partial file moved into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
    indptr, indices, data = fitted.inverted
    classes = fitted.classes
    empty = np.array([], dtype=np.float64)
    np.savez(
        partial,
        char_terms=fitted.char_terms,
        char_idf=fitted.char_idf,
        indptr=indptr,
        indices=indices,
        data=data,
        word_terms=fitted.word_terms,
        word_idf=fitted.word_idf,
        labels=classes.labels if classes else np.array([], dtype=str),
        coef=classes.coef if classes else empty,
        intercept=classes.intercept if classes else empty,
    )
    os.replace(partial, path)


def _read(path: Path, classifier: bool) -> FittedIndex:
    """A fit written by :func:`_write`; ``OSError``, ``ValueError`` or ``KeyError`` otherwise."""
    with np.load(path, allow_pickle=False) as saved:
        parts = {name: saved[name] for name in saved.files}
    classes = Classes(parts["labels"], parts["coef"], parts["intercept"]) if classifier else None
    width = len(parts["char_terms"]) + len(parts["word_terms"])
    if classes is not None and (classes.coef.ndim != 2 or classes.coef.shape[1] != width):
        raise ValueError(f"{path} is inconsistent")
    return FittedIndex(
        parts["char_terms"],
        parts["char_idf"],
        (parts["indptr"], parts["indices"], parts["data"]),
        parts["word_terms"],
        parts["word_idf"],
        classes,
    )


def _prune(folder: Path) -> None:
    """Keep the most recently used fits (each knowledge edit makes a new one)."""
    fits = sorted(folder.glob("*.npz"), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in fits[_KEPT_FITS:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _cache_file(texts: Sequence[str], labels: Sequence[str], classifier: bool) -> Path:
    """The cache file of a fit: named by a digest of what the fit reads, its settings and the
    libraries' versions (any change means another file)."""
    from bot.engine.compact_tables import cache_dir

    digest = hashlib.sha256()
    versions = [metadata.version(name) for name in ("scikit-learn", "scipy")] + [np.__version__]
    settings = (_FORMAT, sorted(CHAR_NGRAMS.items()), sorted(WORD_NGRAMS.items()), sorted(MODEL.items()))
    digest.update(repr((settings, versions, classifier, len(texts))).encode())
    digest.update("\x00".join(texts).encode())
    digest.update(b"\x01")
    digest.update("\x00".join(labels).encode())
    return cache_dir() / _FOLDER / f"{digest.hexdigest()[:32]}.npz"
