"""The analysis of the knowledge (the analyzer's vocabulary and the phrasings' match keys) is kept
in the cache folder: a restart reads it back and answers exactly as a fresh analysis does; other
texts or other language data are analyzed again; an unreadable file is never trusted; an analyzer
not on the compact tables keeps nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.analyzer import Analyzer
from bot.engine.compact_tables import CACHE_VARIABLE, cache_dir
from bot.engine.engine import AnswerEngine
from bot.engine.kept import analysis as kept_analysis
from bot.engine.lexicon import Lexicon
from bot.engine.quality.evaluation import read_examples
from bot.knowledge.loader import load_knowledge
from bot.settings import ROOT, Settings

TEXTS = ["کارت ملیم گم شده", "ثبت ولادت نوزاد", "shenasname gerftan", "گواهی فوت پدرم"]
ANSWERS = ["کارت ملی هوشمند را در سامانه ثبت کنید.", "ولادت را در بیمارستان ثبت کنید."]


def _no_analysis(*args: object, **kwargs: object) -> None:
    raise AssertionError("analyzed again although the analysis was kept")


def _kept(folder: Path) -> list[Path]:
    return list((folder / "analysis").glob("*.json"))


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: AnswerEngine) -> Path:
    """An empty cache folder of the test's own, but with the session's kept fits (no refit)."""
    fits = cache_dir() / "fits"
    assert fits.is_dir()  # made by the session's engine
    (tmp_path / "fits").symlink_to(fits)
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    return tmp_path


def test_a_restart_reads_the_analysis_back_and_answers_the_same(
    own_cache: Path, monkeypatch: pytest.MonkeyPatch, base_analyzer: Analyzer, settings: Settings
) -> None:
    assert base_analyzer.keeps_analysis

    knowledge = load_knowledge(settings.knowledge_dir)

    def built() -> AnswerEngine:  # on the session's analyzer, as a process shares it
        return AnswerEngine(knowledge, base_analyzer, settings.engine.thresholds, settings.engine.weights)

    fresh = built()
    assert len(_kept(own_cache)) == 1
    monkeypatch.setattr(Analyzer, "vocabulary_parts", _no_analysis)
    again = built()
    assert [p.key for p in again.matcher._phrasings] == [p.key for p in fresh.matcher._phrasings]
    questions = [e.question for e in read_examples(ROOT / "tests" / "data" / "heldout.jsonl")][::5]
    assert len(questions) > 80
    for question in questions:
        assert again.ask(question).to_json() == fresh.ask(question).to_json()


def test_other_texts_or_language_data_are_analyzed_again(
    own_cache: Path, monkeypatch: pytest.MonkeyPatch, base_analyzer: Analyzer
) -> None:
    first, keys = kept_analysis.analyzed(base_analyzer, TEXTS, ANSWERS)
    kept_analysis.analyzed(base_analyzer, [*TEXTS[:-1], "گواهی فوت مادرم"], ANSWERS)
    kept_analysis.analyzed(base_analyzer, TEXTS, [*ANSWERS, "پاسخ دیگر"])
    other = base_analyzer.with_lexicon(Lexicon(synonyms={"نوزاد": "بچه"}))
    assert other.keeps_analysis
    kept_analysis.analyzed(other, TEXTS, ANSWERS)
    assert len(_kept(own_cache)) == 4
    monkeypatch.setattr(Analyzer, "vocabulary_parts", _no_analysis)
    again, same = kept_analysis.analyzed(base_analyzer, TEXTS, ANSWERS)  # read back
    assert same == keys
    assert [again.analyze(text) for text in ["کارتم گم شده", "shenasname"]] == [
        first.analyze(text) for text in ["کارتم گم شده", "shenasname"]
    ]


def test_an_unreadable_kept_analysis_is_made_again(own_cache: Path, base_analyzer: Analyzer) -> None:
    _, keys = kept_analysis.analyzed(base_analyzer, TEXTS, ANSWERS)
    (kept,) = _kept(own_cache)
    for broken in ("not json", '{"counts": []}', kept.read_text(encoding="utf-8")[:-40]):
        kept.write_text(broken, encoding="utf-8")
        assert kept_analysis.analyzed(base_analyzer, TEXTS, ANSWERS)[1] == keys
    assert kept_analysis._read(kept, len(TEXTS))[1] == keys  # written again, whole


def test_an_analyzer_off_the_compact_tables_keeps_nothing(own_cache: Path, base_analyzer: Analyzer) -> None:
    plain = Analyzer(
        base_analyzer._normalizer, base_analyzer.lexicon, (base_analyzer._lemma, base_analyzer._dictionary)
    )
    assert not plain.keeps_analysis
    _, keys = kept_analysis.analyzed(plain, TEXTS, ANSWERS)
    assert not _kept(own_cache)
    assert keys == kept_analysis.analyzed(base_analyzer, TEXTS, ANSWERS)[1]
