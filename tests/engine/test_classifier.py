"""The phrasing classifier: its probabilities are the model's own, computed without its overhead."""

from __future__ import annotations

import pytest
import sklearn

from bot.engine.engine import AnswerEngine


def test_probabilities_are_the_models_predict_proba(engine: AnswerEngine) -> None:
    classifier = engine.matcher._classifier
    assert classifier is not None
    for text in ("کارت ملیم گم شده", "ثبت ولادت نوزاد", "shenasname almosana", "هوای تهران"):
        key = engine.analyzer.analyze(text).text
        mine = classifier.probabilities(key)
        with sklearn.config_context(skip_parameter_validation=True):
            theirs = classifier._model.predict_proba(classifier._features([key]))[0]
        assert sum(mine.values()) == pytest.approx(1.0)
        for entry_id, column in classifier._index.items():
            assert mine[entry_id] == pytest.approx(float(theirs[column]), abs=1e-12)


def test_an_empty_text_has_no_probabilities(engine: AnswerEngine) -> None:
    assert engine.matcher._classifier is not None
    assert engine.matcher._classifier.probabilities("") == {}
