"""One text's TF-IDF row is the fitted vectorizer's own ``transform``: same columns, same values
(to float precision), for every fourth question of the test sets (about 650) and both of the
engine's vectorizers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.engine.engine import AnswerEngine
from bot.engine.vectors import OneTextVectors
from bot.settings import ROOT


def _questions() -> list[str]:
    found = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if "q" in record:
                found.append(str(record["q"]))
    return found


def test_the_row_is_the_vectorizers_transform_on_the_test_questions(engine: AnswerEngine) -> None:
    matcher = engine.matcher
    assert matcher._classifier is not None
    keys = [engine.analyzer.analyze(question).text for question in _questions()[::4]]
    assert len(keys) > 500
    for vectorizer in (matcher._vectorizer, matcher._classifier._words):
        one_text = OneTextVectors(vectorizer)
        tolerance = 1e-6 if vectorizer.dtype == np.float32 else 1e-12
        for key in [*keys, "", "zzzz"]:
            theirs = vectorizer.transform([key])
            order = np.argsort(theirs.indices)
            row = one_text.row(key)
            assert row.columns.tolist() == theirs.indices[order].tolist()
            np.testing.assert_allclose(row.values, theirs.data[order], atol=tolerance, rtol=0)


def test_other_weightings_are_refused_rather_than_computed_wrong() -> None:
    binary = TfidfVectorizer(binary=True).fit(["one two", "two three"])
    with pytest.raises(ValueError):
        OneTextVectors(binary)
