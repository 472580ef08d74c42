"""The phrasing classifier: its probabilities are the fitted model's own, computed without its
overhead; a fit is kept in the cache folder and read back, never trusted when unreadable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from bot.engine import classifier as classifier_module
from bot.engine.classifier import EntryClassifier
from bot.engine.compact_tables import CACHE_VARIABLE
from bot.engine.engine import AnswerEngine
from bot.engine.vectors import OneTextVectors

TEXTS = [
    "کارت ملی گم",
    "کارت ملی هوشمند ثبت نام",
    "شناسنامه نوزاد ثبت ولادت",
    "المثنی شناسنامه گم",
    "گواهی فوت ثبت",
    "فوت پدر ابطال شناسنامه",
]
LABELS = ["card-lost", "card-register", "birth", "birth-copy", "death", "death"]
ASKED = ["کارت ملیم گم شده", "ثبت ولادت", "فوت", "هوا"]


def _char_vectorizer() -> TfidfVectorizer:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=False)
    return vectorizer.fit(TEXTS)


def _built(vectorizer: TfidfVectorizer) -> EntryClassifier:
    return EntryClassifier(vectorizer, TEXTS, LABELS)


def _asked(classifier: EntryClassifier, vectorizer: TfidfVectorizer, text: str) -> dict[str, float]:
    return classifier.probabilities(text, OneTextVectors(vectorizer).row(text))


def test_probabilities_are_a_fresh_fits_predict_proba(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    vectorizer = _char_vectorizer()
    built = _built(vectorizer)
    model = SGDClassifier(**classifier_module._MODEL).fit(built._features(TEXTS), LABELS)  # type: ignore[arg-type]
    for text in ASKED:
        mine = _asked(built, vectorizer, text)
        theirs = model.predict_proba(built._features([text]))[0]
        assert sum(mine.values()) == pytest.approx(1.0)
        for column, entry_id in enumerate(model.classes_):
            assert mine[str(entry_id)] == pytest.approx(float(theirs[column]), abs=1e-12)


def test_a_second_build_reads_the_fit_back_instead_of_fitting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    vectorizer = _char_vectorizer()
    first = _built(vectorizer)
    assert len(list((tmp_path / "classifier").glob("*.npz"))) == 1

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again although the fit was kept")

    monkeypatch.setattr(SGDClassifier, "fit", no_fit)
    second = _built(vectorizer)
    for text in ASKED:
        assert _asked(second, vectorizer, text) == _asked(first, vectorizer, text)


def test_an_unreadable_kept_fit_is_fitted_again_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    vectorizer = _char_vectorizer()
    first = _built(vectorizer)
    (kept,) = (tmp_path / "classifier").glob("*.npz")
    kept.write_bytes(b"not a numpy file")
    again = _built(vectorizer)
    for text in ASKED:
        assert _asked(again, vectorizer, text) == _asked(first, vectorizer, text)
    with np.load(kept) as saved:  # written again, whole
        assert saved["coef"].shape == (5, again._weights.shape[0])


def test_an_unwritable_cache_folder_still_gives_a_classifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocked))
    vectorizer = _char_vectorizer()
    assert _asked(_built(vectorizer), vectorizer, "کارت ملی گم")


def test_the_cache_keeps_only_the_most_recent_fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    vectorizer = _char_vectorizer()
    for extra in range(classifier_module._KEPT_FITS + 2):
        EntryClassifier(vectorizer, [*TEXTS, "متن"], [*LABELS, f"extra-{extra}"])
    assert len(list((tmp_path / "classifier").glob("*.npz"))) == classifier_module._KEPT_FITS


def test_an_empty_text_has_no_probabilities(engine: AnswerEngine) -> None:
    assert engine.matcher._classifier is not None
    assert engine.matcher._classifier.probabilities("", engine.matcher._one_text.row("")) == {}
