"""One text's TF-IDF row is the fitted vectorizer's own ``transform`` and the phrasings' scores are
scipy's sparse product: the same n-grams as the library's analyzers, the same columns and values
(to float precision), the same scores to the last bit, for every fourth question of the test
sets (about 650) and both of the engine's vectorizers; and the library is not needed to answer."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.engine.engine import AnswerEngine
from bot.engine.kept.fits import CHAR_NGRAMS, WORD_NGRAMS
from bot.engine.vectors import OneTextVectors, Postings, char_wb_ngrams, word_ngrams
from bot.memory import Memory
from bot.settings import ROOT


def _questions() -> list[str]:
    found = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if "q" in record:
                found.append(str(record["q"]))
    return found


def _keys(engine: AnswerEngine) -> list[str]:
    keys = [engine.analyzer.analyze(question).text for question in _questions()[::4]]
    assert len(keys) > 500
    return [*keys, "", "zzzz", "a", "ab  cd\u200c e"]


def _phrasing_texts(engine: AnswerEngine) -> list[str]:
    return [phrasing.key.text for phrasing in engine.matcher._phrasings]


def test_the_ngrams_are_the_library_analyzers_own(engine: AnswerEngine) -> None:
    for settings, mine in ((CHAR_NGRAMS, char_wb_ngrams(2, 4)), (WORD_NGRAMS, word_ngrams(1, 2))):
        theirs = TfidfVectorizer(**settings).build_analyzer()
        for text in [*_keys(engine), *_phrasing_texts(engine)]:
            assert mine(text) == theirs(text)


def test_the_row_is_the_vectorizers_transform_on_the_test_questions(engine: AnswerEngine) -> None:
    matcher = engine.matcher
    assert matcher._classifier is not None
    texts = _phrasing_texts(engine)
    char = TfidfVectorizer(**CHAR_NGRAMS, dtype=np.float32).fit(texts)
    words = TfidfVectorizer(**WORD_NGRAMS).fit(texts)
    for vectorizer, one_text in ((char, matcher._one_text), (words, matcher._classifier._one_text_words)):
        assert one_text._vocabulary == vectorizer.vocabulary_
        tolerance = 1e-6 if vectorizer.dtype == np.float32 else 1e-12
        for key in _keys(engine):
            theirs = vectorizer.transform([key])
            order = np.argsort(theirs.indices)
            row = one_text.row(key)
            assert row.columns.tolist() == theirs.indices[order].tolist()
            assert row.values.dtype == theirs.dtype
            np.testing.assert_allclose(row.values, theirs.data[order], atol=tolerance, rtol=0)


def test_the_scores_are_scipys_sparse_product_to_the_last_bit(engine: AnswerEngine) -> None:
    matcher = engine.matcher
    inverted = (
        TfidfVectorizer(**CHAR_NGRAMS, dtype=np.float32).fit_transform(_phrasing_texts(engine)).T.tocsr()
    )
    for key in _keys(engine):
        row = matcher._one_text.row(key)
        mine = matcher._postings.scores(row)
        theirs = inverted[row.columns].T @ row.values if row else np.zeros(len(mine), dtype=np.float32)
        assert mine.dtype == theirs.dtype
        np.testing.assert_array_equal(mine, theirs)


def test_a_large_knowledge_bases_scipy_scores_are_the_same(engine: AnswerEngine) -> None:
    matcher = engine.matcher
    inverted = (
        TfidfVectorizer(**CHAR_NGRAMS, dtype=np.float32).fit_transform(_phrasing_texts(engine)).T.tocsr()
    )
    arrays = (inverted.indptr, inverted.indices, inverted.data, inverted.shape[1])
    plain, large = Postings(*arrays), Postings(*arrays, scipy_from=1)
    assert plain._matrix is None and large._matrix is not None
    for key in _keys(engine)[::3]:
        row = matcher._one_text.row(key)
        np.testing.assert_array_equal(large.scores(row), plain.scores(row))


def test_other_weightings_are_refused_rather_than_computed_wrong() -> None:
    binary = TfidfVectorizer(binary=True).fit(["one two", "two three"])
    with pytest.raises(ValueError):
        OneTextVectors.of(binary)
    with pytest.raises(ValueError):
        word_ngrams(2, 3)


def test_a_row_word_by_word_is_the_row_of_the_whole_text(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The character vectorizer remembers each word's columns (a speed-up only): the same row as
    the n-grams of the whole text, remembered or not, and the memory starts over when full."""
    wordwise = engine.matcher._one_text
    assert wordwise._wordwise
    whole = OneTextVectors(wordwise._analyze, wordwise._vocabulary, wordwise._idf, wordwise._sublinear)
    monkeypatch.setattr(wordwise, "_word_columns", Memory(50))
    for key in [*_keys(engine), *_keys(engine)[:100]]:
        mine, theirs = wordwise.row(key), whole.row(key)
        assert mine.columns.tolist() == theirs.columns.tolist()
        assert mine.values.tobytes() == theirs.values.tobytes()
    assert 0 < len(wordwise._word_columns) <= 50
