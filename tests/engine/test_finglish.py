"""Finglish read as Persian: short words by their spelling, verbs as written, function words."""

from __future__ import annotations

import pytest

from bot.engine.engine import AnswerEngine
from bot.engine.reading.finglish import FinglishReader, spelled_as


@pytest.mark.parametrize(
    ("latin", "persian"),
    [
        ("peyda", "پیدا"),
        ("gavahi", "گواهی"),
        ("govahi", "گواهی"),
        ("aghd", "عقد"),
        ("vaght", "وقت"),
        ("seyyed", "سید"),
        ("iran", "ایران"),
        ("variz", "واریز"),
        ("shohar", "شوهر"),
        ("shenasnameh", "شناسنامه"),
        ("khareji", "خارجی"),
    ],
)
def test_a_latin_word_is_a_spelling_of_its_persian_word(latin: str, persian: str) -> None:
    assert spelled_as(latin, persian)


@pytest.mark.parametrize(
    ("latin", "persian"),
    [("shahr", "شوهر"), ("kart", "کارگر"), ("meli", "مالیات"), ("vaght", "واقعیت"), ("gom", "گواهی")],
)
def test_a_latin_word_is_not_a_spelling_of_an_other_word(latin: str, persian: str) -> None:
    assert not spelled_as(latin, persian)


def test_a_two_letter_skeleton_is_read_only_when_the_spelling_fits() -> None:
    # «پیدا» and «پید» share the skeleton «pd»; «وقت» and «واقعیت» the skeleton «qt».
    reader = FinglishReader({}, [["پیدا", "وقت", "واقعیت", "واقعیت", "شهر", "شهر", "شوهر"]])
    assert reader.read("peyda") == "پیدا"
    assert reader.read("vaght") == "وقت"
    assert reader.read("shohar") == "شوهر"  # not the more frequent «شهر», which writes less of it
    assert reader.read("shahr") == "شهر"
    assert reader.read("pd") == ""


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("ye kart meli peyda kardam koja tahvil bedam", {"پیدا", "کارت", "ملی"}),
        ("chetori vaght begiram", {"نوبت"}),  # «وقت گرفتن» is «نوبت» (synonyms)
        ("seyyed hastam", {"سید"}),
        ("amar talagh dar iran", {"طلاق", "ایران"}),
        ("salam khubi?", {"سلام", "خوبی"}),
        ("salam khoobin?", {"سلام", "خوبی"}),
    ],
)
def test_finglish_questions_have_no_unknown_latin_words(
    engine: AnswerEngine, question: str, words: set[str]
) -> None:
    key = engine.analyzer.analyze(question)
    assert words <= set(key.tokens), key
    assert not {word for word in key.tokens if word.isascii()}, key


def test_an_indefinite_ye_is_a_function_word_not_a_noun(engine: AnswerEngine) -> None:
    assert engine.analyzer.analyze("ye kart meli").tokens == engine.analyzer.analyze("کارت ملی").tokens


def test_two_function_words_side_by_side_are_never_one_reading() -> None:
    # «با یه» stood side by side in a phrasing, and its skeleton «b» let ``abie`` (آبی, blue) be
    # read as those two words: a content word vanished from the question.
    reader = FinglishReader({}, [["با", "یه", "کارت", "ملی"]], function_words=["با", "یه"])
    assert reader.read("abie") != "با یه"
    assert reader.read("ba") == "با"  # a function word alone is still a reading
    assert reader.read("kartmeli") == "کارت ملی"  # and a content pair too


def test_a_latin_word_read_as_nothing_known_is_not_dropped(engine: AnswerEngine) -> None:
    key = engine.analyzer.analyze("chera aseman abie")
    assert len(key.tokens) == 3, key


def test_only_the_words_tried_before_the_best_fit_have_a_spelling_pattern_built() -> None:
    from bot.engine.reading import finglish

    # «شوهر» and «شهر» share the skeleton «Shr»; «شوهر» writes more of «shohar», so it is tried
    # first and fits: «شهر»'s pattern (a compiled regular expression) is never built.
    reader = FinglishReader({}, [["شهر", "شوهر", "شهر"]])
    finglish._spelling_pattern.cache_clear()
    assert reader.read("shohar") == "شوهر"
    assert finglish._spelling_pattern.cache_info().currsize == 1
    assert reader.read("shahr") == "شهر"  # «شوهر» does not fit «shahr»: the next one is tried


def test_a_long_a_inside_a_word_must_be_written() -> None:
    # «فردا» and «افراد» share the skeleton «frd»; ``farda`` leaves out the «ا» between «ر» and «د».
    assert not spelled_as("farda", "افراد")
    assert spelled_as("afrad", "افراد")
    reader = FinglishReader({}, [["افراد", "افراد", "فردا"]])
    assert reader.read("farda") == "فردا"


def test_a_latin_word_no_word_of_the_base_spells_is_left_unread() -> None:
    # ``film`` has the skeleton of «فعال اعلام» (flm) and ``hava`` spells the letter pair «ه و»:
    # read as those, an everyday question took the words of an entry.
    reader = FinglishReader({}, [["فعال", "اعلام", "ه", "و"]], function_words=["و"])
    assert reader.read("film") == ""
    assert reader.read("hava") == ""
    assert reader.read("va") == "و"  # a one-letter function word is still read alone


@pytest.mark.parametrize("question", ["farda baroon miad?", "film khoob emshab chi pakhsh mishe"])
def test_an_everyday_finglish_question_gets_no_answer(engine: AnswerEngine, question: str) -> None:
    assert engine.ask(question).answer_id is None
