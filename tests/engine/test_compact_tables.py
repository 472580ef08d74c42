"""The compact tables give hazm's own answers: the same normalized text, lemmas and match keys as
hazm's full normalizer and lemmatizer on every test set, every phrasing of the knowledge base
and generated text; and the same engine decisions. Plus the cache file's round trip."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.analyzer import Analyzer
from bot.engine.compact_tables import (
    TOKEN_PATTERN,
    HazmTables,
    SortedKeys,
    compact_lemmatizer,
    compact_normalizer,
    finglish_dictionary,
    hazm_tables,
)
from bot.engine.engine import AnswerEngine
from bot.engine.lexicon import load_lexicon
from bot.engine.normalize import TextNormalizer
from bot.knowledge.loader import load_knowledge
from bot.settings import ROOT, Settings
from tests.support.trials import trial_size

DATA = sorted((ROOT / "tests" / "data").glob("*.jsonl"))


@pytest.fixture(scope="module")
def hazm_full() -> tuple[object, object]:
    from hazm import Lemmatizer, Normalizer

    return Normalizer(), Lemmatizer()


@pytest.fixture(scope="module")
def compact() -> tuple[object, object]:
    tables = hazm_tables()
    return compact_normalizer(tables), compact_lemmatizer(tables)


def questions(path: Path) -> list[str]:
    """Every question of a test set (a set may start with a header line)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [str(record["q"]) for record in records if "q" in record]


def texts() -> list[str]:
    found = [question for path in DATA for question in questions(path)]
    knowledge = load_knowledge(Settings().knowledge_dir)
    for entry in knowledge.entries.values():
        found += [*entry.phrasings, entry.title, entry.answer]
    return found


def test_same_normalized_text_and_lemmas_on_every_test_set_and_phrasing(
    hazm_full: tuple, compact: tuple
) -> None:
    (full_normalizer, full_lemmatizer), (normalizer, lemmatizer) = hazm_full, compact
    words: set[str] = set()
    for text in texts():
        normalized = full_normalizer.normalize(text)
        assert normalizer.normalize(text) == normalized, text
        words.update(normalized.replace("\u200c", " ").split())
        words.update(normalized.split())
    assert len(words) > 3000
    for word in words:
        assert lemmatizer.lemmatize(word) == full_lemmatizer.lemmatize(word), word
        assert (word in lemmatizer.words) == (word in full_lemmatizer.words), word


PERSIAN = st.text(alphabet="آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكئءة \u200c۰۱۲3؟!.،", max_size=40)


@settings(max_examples=400, deadline=None)
@given(text=PERSIAN)
def test_same_normalized_text_on_generated_text(hazm_full: tuple, compact: tuple, text: str) -> None:
    assert compact[0].normalize(text) == hazm_full[0].normalize(text)
    for word in text.split():
        assert compact[1].lemmatize(word) == hazm_full[1].lemmatize(word)


# A long property run (the marker's definition): every test question (about 4,000; every fourth in
# CI, all in `make trials`), each through an engine on hazm's full normalizer and lemmatizer. The
# fast lane keeps the same property for the parts: the same normalized text and lemmas on every
# test set and phrasing (the first test above).
@pytest.mark.slow
def test_same_match_keys_and_decisions_as_hazm_on_every_test_set(
    hazm_full: tuple, engine: AnswerEngine
) -> None:
    """``engine`` (the session's, on the compact tables) against one on hazm's own parts."""
    settings = Settings()
    knowledge = load_knowledge(settings.knowledge_dir)
    lexicon, problems = load_lexicon(settings.knowledge_dir)
    assert not problems
    full_normalizer, full_lemmatizer = hazm_full
    reference_normalizer = TextNormalizer()
    reference_normalizer.__dict__["_hazm"] = full_normalizer  # the cached_property, preset

    @lru_cache(maxsize=65536)
    def lemma(word: str) -> str:
        return str(full_lemmatizer.lemmatize(word))

    reference = AnswerEngine(
        knowledge,
        Analyzer(reference_normalizer, lexicon, (lemma, full_lemmatizer.words)),
        settings.engine.thresholds,
        settings.engine.weights,
    )
    assert (engine.thresholds, engine.knowledge) == (reference.thresholds, reference.knowledge)
    checked = 0
    every = trial_size(1, 4)
    for path in DATA:
        for question in questions(path)[::every]:
            expected, got = reference.ask(question), engine.ask(question)
            assert got.key == expected.key, (path.name, question)
            assert got.outcome == expected.outcome and got.offered_ids == expected.offered_ids
            checked += 1
    assert checked > 1000 // every


def test_the_tables_round_trip_through_the_cache_file(tmp_path: Path) -> None:
    tables = hazm_tables()
    path = tmp_path / "tables.bin"
    tables.save(path)
    again = HazmTables.load(path)
    assert len(again.words) == len(tables.words) == 193350 and len(again.verbs) == len(tables.verbs)
    for word in ("کتاب", "شناسنامه", "رفتم", "نمی‌روم", "ناموجودزززز"):
        assert (word in again.words) == (word in tables.words)
        assert again.verbs.get(word) == tables.verbs.get(word)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated"):
        HazmTables.load(path)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 33, 100])
def test_sorted_keys_find_every_key_and_nothing_else(size: int) -> None:
    """A lookup bisects a sample of every 16th key, then one block: each key at its position, from
    the first to the last of every block, and no word before, between or after them."""
    words = sorted({f"ک{number:03d}" for number in range(0, 2 * size, 2)})
    keys = SortedKeys.of(words)
    assert [keys.index(word) for word in words] == list(range(len(words)))
    absent = ["", "a", "ک", "ک\uffff", *(f"ک{number:03d}" for number in range(-1, 2 * size + 1, 2))]
    assert [keys.index(word) for word in absent] == [-1] * len(absent)


def test_the_token_pattern_and_finglish_dictionary_are_the_packages_own() -> None:
    from hazm.word_tokenizer import WordTokenizer

    assert WordTokenizer(join_verb_parts=False).pattern.pattern == TOKEN_PATTERN
    with redirect_stdout(io.StringIO()):
        from finglish import f2p  # noqa: F401

    assert finglish_dictionary() == sys.modules["finglish.f2p"].dictionary
