"""The phrasing classifier and the matcher's vectors: the probabilities are a fitted model's own,
computed without its overhead; a fit is kept in the cache folder and read back (scikit-learn
not even imported), never trusted when unreadable, and another fit is made for other phrasings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from bot.engine import compact_tables
from bot.engine.classifier import EntryClassifier
from bot.engine.compact_tables import CACHE_VARIABLE
from bot.engine.engine import AnswerEngine
from bot.engine.kept import fits as fitted_module
from bot.engine.kept.fits import CHAR_NGRAMS, MODEL, WORD_NGRAMS, FittedIndex, fitted_index
from bot.settings import ROOT

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


def _fitted(texts: Sequence[str] = TEXTS, labels: Sequence[str] = LABELS) -> FittedIndex:
    return fitted_index(texts, labels, classifier=True)


def _asked(fitted: FittedIndex, text: str) -> dict[str, float]:
    assert fitted.classes is not None
    char = fitted.char_vectors()
    classifier = EntryClassifier(fitted.word_vectors(), char.width, fitted.classes)
    return classifier.probabilities(text, char.row(text))


def _kept(folder: Path) -> list[Path]:
    return list((folder / "fits").glob("*.npz"))


def test_probabilities_are_a_fresh_fits_predict_proba(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    fitted = _fitted()
    char = TfidfVectorizer(**CHAR_NGRAMS, dtype=np.float32).fit(TEXTS)
    words = TfidfVectorizer(**WORD_NGRAMS).fit(TEXTS)

    def features(texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([char.transform(texts), words.transform(texts)], format="csr")

    model = SGDClassifier(**MODEL).fit(features(TEXTS), LABELS)
    for text in ASKED:
        mine = _asked(fitted, text)
        theirs = model.predict_proba(features([text]))[0]
        assert sum(mine.values()) == pytest.approx(1.0)
        for column, entry_id in enumerate(model.classes_):  # float32 character rows: 1e-7 apart
            assert mine[str(entry_id)] == pytest.approx(float(theirs[column]), rel=1e-5, abs=1e-9)


def test_a_second_build_reads_the_fit_back_instead_of_fitting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    first = _fitted()
    assert len(_kept(tmp_path)) == 1

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again although the fit was kept")

    monkeypatch.setattr(fitted_module, "_fit", no_fit)
    second = _fitted()
    for text in ASKED:
        assert _asked(second, text) == _asked(first, text)


def test_other_phrasings_or_entries_are_fitted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    first = _fitted()
    changed = _fitted([*TEXTS[:-1], "فوت مادر ابطال شناسنامه"])
    moved = _fitted(TEXTS, [*LABELS[:-1], "death-record"])
    assert len(_kept(tmp_path)) == 3
    assert "مادر" in changed.word_terms.tolist() and "مادر" not in first.word_terms.tolist()
    assert moved.classes is not None and "death-record" in moved.classes.labels.tolist()


def test_an_unreadable_kept_fit_is_fitted_again_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    first = _fitted()
    (kept,) = _kept(tmp_path)
    kept.write_bytes(b"not a numpy file")
    again = _fitted()
    for text in ASKED:
        assert _asked(again, text) == _asked(first, text)
    with np.load(kept) as saved:  # written again, whole
        assert saved["coef"].shape == (5, len(again.char_terms) + len(again.word_terms))


def test_an_unwritable_cache_folder_still_gives_a_classifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocked))
    assert _asked(_fitted(), "کارت ملی گم")


def test_the_cache_keeps_only_the_most_recent_fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    for extra in range(fitted_module._KEPT_FITS + 2):
        _fitted([*TEXTS, "متن"], [*LABELS, f"extra-{extra}"])
    assert len(_kept(tmp_path)) == fitted_module._KEPT_FITS


def test_without_the_classifier_only_the_vectors_are_fitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    fitted = fitted_index(TEXTS, LABELS, classifier=False)
    assert fitted.classes is None and fitted.char_vectors().row("کارت ملی")
    assert fitted_index(TEXTS, LABELS, classifier=False).classes is None  # read back


def test_an_empty_text_has_no_probabilities(engine: AnswerEngine) -> None:
    assert engine.matcher._classifier is not None
    assert engine.matcher._classifier.probabilities("", engine.matcher._one_text.row("")) == {}


PROBE = """
import json, sys
from bot.cli.main import main
code = main(["ask", "کارت ملی گم شده"])
heavy = [name for name in ("sklearn", "scipy.stats", "scipy.sparse", "nltk", "hazm") if name in sys.modules]
print(json.dumps({"code": code, "heavy": heavy}))
"""


@pytest.mark.slow  # two real processes (fresh sys.modules) that build the engine: about 7 s
def test_a_start_on_a_kept_fit_never_imports_scikit_learn_nltk_or_scipy(
    own_config: Path, tmp_path: Path, engine: AnswerEngine
) -> None:
    cache = tmp_path / "cache"  # no fit and no analysis kept; hazm's tables (made at install) kept
    cache.mkdir()
    tables = compact_tables._cache_file()
    assert tables.is_file()  # made by the session's engine
    (cache / tables.name).symlink_to(tables)
    environment = dict(os.environ)
    environment[CACHE_VARIABLE] = str(cache)

    def probe() -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout.splitlines()[-1]))

    first = probe()  # analyzes and fits: imports scikit-learn
    assert first["code"] == 0 and "sklearn" in first["heavy"]  # type: ignore[operator]
    assert probe() == {"code": 0, "heavy": []}
