"""Spoken verb forms rewritten as written ones, on hazm's own lemmatizer and stem table."""

from __future__ import annotations

import pytest

from bot.engine.analyzer import hazm_lemmatizer
from bot.engine.reading.spoken_verbs import SpokenVerbs, hazm_spoken_stems


@pytest.fixture(scope="module")
def verbs() -> SpokenVerbs:
    lemma, _ = hazm_lemmatizer()
    return SpokenVerbs(lemma, hazm_spoken_stems())


def test_hazm_s_spoken_stems_are_read() -> None:
    stems = hazm_spoken_stems()
    assert stems["تون"] == "توان" and stems["د"] == "ده"


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("بنویسن", "بنویسند"),
        ("نمیتونن", "نمی\u200cتوانند"),
        ("نمیدن", "نمی\u200cدهند"),
        ("میره", "می\u200cرود"),
    ],
)
def test_a_spoken_verb_is_rewritten(verbs: SpokenVerbs, spoken: str, written: str) -> None:
    assert verbs.written(spoken) == written


@pytest.mark.parametrize("word", ["خونه", "کتاب"])
def test_a_word_without_a_verb_prefix_is_no_spoken_verb(verbs: SpokenVerbs, word: str) -> None:
    assert verbs.written(word) is None
