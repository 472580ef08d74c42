"""From a message to its match key: the words that decide which answer fits.

Steps, in order: character normalization (:mod:`bot.engine.normalize`), Finglish words
read as Persian, lemmas (``شناسنامه‌ام`` -> ``شناسنامه``), half-space parts as
separate words, unknown words repaired against the knowledge base's vocabulary
(colloquial endings, glued words, typos), the synonym map, and function words
dropped. Question words stay (they carry intent) and are unified by the
synonym map.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.engine.lexicon import Lexicon
from bot.engine.normalize import TextNormalizer
from bot.engine.reading.finglish import FinglishReader
from bot.engine.reading.spoken_verbs import SpokenVerbs, hazm_spoken_stems
from bot.memory import Memory

__all__ = ["Analyzer", "MatchKey", "Vocabulary", "VocabularyParts", "hazm_lemmatizer"]

_ZWNJ = "\u200c"
#: Spoken endings glued to nouns: ``کارتمو``, ``شناسناممو``, ``بچمون``.
_COLLOQUIAL_ENDINGS = ("هامو", "هاشو", "مونو", "تونو", "مون", "تون", "شون", "مو", "تو", "شو", "رو", "مه",
                       "شه", "ته", "ها", "ای", "ام", "اش", "یم", "و", "م", "ت", "ش", "ی", "ه")  # fmt: skip
#: Letters that differ only by their dots: a slip of the finger on a phone writes one for another.
_DOT_SHAPES = ("بپتثنی", "جچحخ", "دذ", "رزژ", "سش", "صض", "طظ", "عغ", "فق", "کگ")


def _same_shape(first: str, second: str) -> bool:
    """Whether two letters differ only by their dots («ص» and «ض», «ر» and «ز»)."""
    return any(first in shape and second in shape for shape in _DOT_SHAPES)


#: Letters that sound alike and are swapped in typing: ``نوبط`` is ``نوبت``, ``المصنی`` is ``المثنی``.
_HOMOPHONES = str.maketrans("طصثذضظحغ", "تسسزززهق")
_MAX_TOKENS = 160
#: How many distinct tokens an analyzer remembers the words of (a question's words are mostly
#: those of earlier questions: «شناسنامه», «کارت», «چیکار»); about 3 MB full, then started over.
_REMEMBERED_TOKENS = 8192
#: A known word used this rarely, whose stem without a spoken ending is used this many times more,
#: is read as the stem (unless the synonym map names the word itself).
_RARE = 2
#: Endings a seen word takes without becoming another word: plural, ezafe, possessives, comparatives.
_WORD_ENDINGS = ("ی", "یی", "ای", "ها", "های", "ان", "ام", "ات", "اش", "م", "ت", "ش", "تر", "ترین")
_COMMON_RATIO = 5
#: A phrasing of this many words tells a story (see :meth:`Analyzer.vocabulary_parts`).
_STORY_PHRASING_WORDS = 15
#: Written before the lemma of a negated verb: hazm gives «نکردم» and «کردم» one lemma, and «پیدا
#: نکردم» (lost) must not read as «پیدا کردم» (found).
_NEGATION = "نه"


def _negated(word: str, lemma: str, lemmatize: Callable[[str], str]) -> bool:
    """Whether ``word`` is a negated verb: a verb lemma that the word without its «ن» shares."""
    return "#" in lemma and word.startswith("ن") and len(word) > 3 and lemmatize(word[1:]) == lemma


@dataclass(frozen=True)
class MatchKey:
    """The analyzed form of a text: its content words, and which of them the base does not know."""

    tokens: tuple[str, ...]
    unknown: frozenset[str] = frozenset()
    foreign: frozenset[str] = frozenset()
    """Words that name another organisation's service or a remark to the bot (``other_services`` and
    ``remarks`` in language.yaml)."""

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def __bool__(self) -> bool:
        return bool(self.tokens)


def hazm_lemmatizer() -> tuple[Callable[[str], str], Container[str]]:
    """hazm's lemmatizer as a cached function, with its word list (on the compact tables of
    :mod:`bot.engine.compact_tables`: hazm's own build costs about 1.5 s and 80 MB)."""
    from bot.engine.compact_tables import compact_lemmatizer, hazm_tables

    lemmatizer = compact_lemmatizer(hazm_tables())

    @lru_cache(maxsize=65536)
    def lemma(word: str) -> str:
        return str(lemmatizer.lemmatize(word))

    return lemma, lemmatizer.words


@dataclass(frozen=True)
class VocabularyParts:
    """What :meth:`Analyzer.with_vocabulary` learns from the knowledge base's texts, as plain data
    (:mod:`bot.engine.kept.analysis` keeps it between starts)."""

    counts: list[tuple[str, int]]
    """Every word and how often it is used, in the order first seen (ties keep it)."""
    bigrams: list[tuple[str, str]]
    protected: list[str]
    familiar: list[str]
    finglish: list[list[str]]
    """The phrases the Finglish reader reads against, in order."""


class Vocabulary:
    """The knowledge base's words, used to repair the words of a question."""

    def __init__(
        self,
        counts: Counter[str],
        dictionary: Container[str],
        bigrams: frozenset[tuple[str, str]] = frozenset(),
        function_words: frozenset[str] = frozenset(),
        protected: frozenset[str] = frozenset(),
        plain: frozenset[str] = frozenset(),
    ) -> None:
        self._counts = counts
        self._protected = protected
        self._plain = plain
        self._dictionary = dictionary
        self._bigrams = bigrams
        self._function_words = function_words
        self._by_frequency = [word for word, _ in counts.most_common() if len(word) >= 2]
        self._by_sound: dict[str, str] = {}
        for word in self._by_frequency:
            self._by_sound.setdefault(word.translate(_HOMOPHONES), word)

    def __contains__(self, word: object) -> bool:
        return word in self._counts

    def count(self, word: str) -> int:
        """How often the base's texts (and the lexicon's lists) use ``word``."""
        return self._counts[word]

    def _strip_ending(self, word: str) -> str:
        """The known word left after cutting a spoken ending, or '': of several, the one the base
        uses most («کارتو» is «کارت» + «و», not «کار» + «تو»)."""
        found = ""
        for ending in _COLLOQUIAL_ENDINGS:
            stem = word[: -len(ending)]
            if not word.endswith(ending) or len(stem) < 2:
                continue
            if stem not in self._counts:
                stem += "ه"  # شناسناممو: شناسنامه + م + و, the silent heh dropped
            if stem in self._counts and (not found or self._counts[stem] > self._counts[found]):
                found = stem
        return found

    def join(self, words: list[str]) -> list[str]:
        """Rejoin a compound typed as two words: ``گواهی نامه`` is ``گواهینامه``.

        Only when the base writes the compound and never the two words side by side,
        and neither is a function word (``ما در`` is not ``مادر``).
        """
        joined: list[str] = []
        index = 0
        while index < len(words):
            pair = words[index] + words[index + 1] if index + 1 < len(words) else ""
            if (
                pair in self._counts
                and (words[index], words[index + 1]) not in self._bigrams
                and not {words[index], words[index + 1]} & self._function_words
            ):
                joined.append(pair)
                index += 2
            else:
                joined.append(words[index])
                index += 1
        return joined

    @lru_cache(maxsize=65536)  # noqa: B019  (lives as long as its analyzer)
    def repair(self, word: str) -> tuple[str, ...]:
        """Known words as they are; otherwise a stripped ending, a homophone, a split, or the
        nearest spelling. Real words the base does not use (``کلاس``) stay unknown."""
        if word in self._counts and self._counts[word] <= _RARE and word not in self._protected:
            # A spoken form a phrasing happens to use («سالمه») defers to its common stem, so that
            # the question's words and the phrasings' words meet on one form.
            stem = self._strip_ending(word)
            if stem and self._counts[stem] >= _COMMON_RATIO * self._counts[word]:
                return (stem,)
        if word in self._counts or word in self._plain or word.isdigit() or len(word) < 3:
            return (word,)
        same_sound = self._by_sound.get(word.translate(_HOMOPHONES))
        if same_sound:  # «رباط», «اهوال»: real words, but typed for the base's «ربات», «احوال»
            return (same_sound,)
        # a word in use as written («سلامت», «دارو») has no spoken ending to cut
        if self._seen(word, endings=False):
            return (word,)
        stem = self._strip_ending(word)
        if stem:
            return (stem,)
        listed = self._listed(word) is not None
        if listed and self._seen(word):
            return (word,)
        if listed and len(word) < 4:  # a short word hazm lists but never saw: «عوص», «رمر»
            return self._mistyped_letter(word) if len(word) == 3 else (word,)
        parts = self._split(word)
        if parts:
            return parts
        cutoff = 85.0 if len(word) <= 4 else 80.0
        found = process.extractOne(word, self._by_frequency, scorer=fuzz.ratio, score_cutoff=cutoff)
        if not found and len(word) >= 4:  # one letter mistyped in a short word: «حارج», «تجزد»
            found = process.extractOne(word, self._by_frequency, scorer=Levenshtein.distance, score_cutoff=1)
        if not found and len(word) == 3:
            return self._mistyped_letter(word)
        if found and listed and not self._typo_of(word, found[0]):
            return (word,)
        if found and _negation_of(word, found[0]):  # «میدونه» is not «نمیدونه»
            return (word,)
        return (found[0],) if found else (word,)

    def _mistyped_letter(self, word: str) -> tuple[str, ...]:
        """A three-letter word hazm never saw in use, read as the base's most used word that differs
        from it by the dots of one letter («عوص»: «عوض», «رمر»: «رمز»); as written when none does
        («بخر» is not «بار»: a letter of another shape is no slip of the dots)."""
        for known in self._by_frequency:
            if len(known) != len(word) or known in self._function_words:
                continue
            differing = [(a, b) for a, b in zip(word, known, strict=True) if a != b]
            if len(differing) == 1 and _same_shape(*differing[0]):
                return (known,)
        return (word,)

    def real(self, word: str) -> bool:
        """Whether hazm's word list has seen ``word`` in use (see :meth:`_seen`)."""
        return self._seen(word)

    def _seen(self, word: str, endings: bool = True) -> bool:
        """A word hazm's list has seen in use (a positive frequency), or such a word with an ending
        («مصرفی», «خنگی»); the list also holds forms seen zero times, most of them typos of common
        words («حارج», «تعوض», «سلاک»)."""
        listing = self._listed(word)
        if listing is not None and listing[0] > 0:
            return True
        return endings and any(
            word.endswith(ending) and len(word) - len(ending) >= 2 and self._seen(word[: -len(ending)], False)
            for ending in _WORD_ENDINGS
        )

    def _listed(self, word: str) -> tuple[int] | None:
        """hazm's entry for ``word`` (see :func:`_listing`)."""
        return _listing(self._dictionary, word)

    def _typo_of(self, word: str, known: str) -> bool:
        """Whether a listed but never-seen ``word`` reads as a typo of ``known`` («ممنو» of «ممنون»):
        not ``known`` with an ending or a prefix («بازی», «نگرفته»), not ``known`` with its first
        letter lost («ادرش», «مادرش»), and ``known`` says something (not a function word)."""
        return not (
            known in self._function_words
            or word.startswith(known)
            or word.endswith(known)
            or known.endswith(word)
        )

    def _split(self, word: str) -> tuple[str, ...]:
        """Words typed without their spaces: two known words («ثبتنکردن»), the first with its
        ezafe («امضایدیجیتال»), or three («ادارهثبتاحوال»); not scraps of function words («توکن» is
        not «تو کن»; «بایدکرد» is «باید کرد»); ``()`` when none fits."""
        for cut in range(len(word) - 2, 1, -1):
            left, right = word[:cut], word[cut:]
            right = right if right in self._counts else self._strip_ending(right)
            if not right:
                continue
            if left in self._counts and not self._scrap((left, right)):
                return (left, right)
            if left.endswith("ی") and left[:-1] in self._counts and len(left) > 3:
                return (left[:-1], right)
        if len(word) >= 7:
            for first in range(2, len(word) - 3):
                for second in range(first + 2, len(word) - 1):
                    parts = (word[:first], word[first:second], word[second:])
                    if all(part in self._counts for part in parts) and not self._scrap(parts):
                        return parts
        return ()

    def _scrap(self, parts: tuple[str, ...]) -> bool:
        """Whether a split is function words only, one of them of two letters or fewer: cut from a
        word the base does not know («توکن»), not two words typed together («بایدکرد»)."""
        return set(parts) <= self._function_words and min(map(len, parts)) <= 2


class Analyzer:
    """Turns text into a :class:`MatchKey`; one instance per process (hazm is costly to build)."""

    def __init__(
        self,
        normalizer: TextNormalizer,
        lexicon: Lexicon,
        lemmatizer: tuple[Callable[[str], str], Container[str]],
        vocabulary: Vocabulary | None = None,
        finglish: FinglishReader | None = None,
        familiar: frozenset[str] = frozenset(),
        keeps_analysis: bool = False,
    ) -> None:
        """``keeps_analysis``: an engine built on this analyzer keeps the analysis of the knowledge
        in the cache folder (only for the compact tables of :func:`hazm_lemmatizer`, whose keys
        the cache's digest covers)."""
        self.keeps_analysis = keeps_analysis
        self._token_words: Memory[str, tuple[str, ...]] = Memory(_REMEMBERED_TOKENS)
        self._normalizer = normalizer
        self._lexicon = lexicon
        self._lemma, self._dictionary = lemmatizer
        self._spoken_verbs: SpokenVerbs | None = None
        self._emoji = {
            ord(picture): f" {word} "
            for picture, word in ((key.replace(_VARIATION, ""), word) for key, word in lexicon.emoji.items())
            if len(picture) == 1
        }
        self._vocabulary = vocabulary
        self._familiar = familiar
        self._finglish = finglish or FinglishReader(lexicon.finglish)
        self._place_words = frozenset(token for name in lexicon.place_names for token in self._words(name))
        self._function_words = frozenset(
            token for word in lexicon.ignored_words for token in self._words(word)
        ) | frozenset(lexicon.ignored_words)
        if vocabulary is not None:
            self._spoken_verbs = SpokenVerbs(self._lemma, hazm_spoken_stems())
        synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        for source, target in lexicon.synonyms.items():
            key = tuple(self._words(source))
            if key:
                synonyms[key] = tuple(self._words(target))
        self._synonyms = synonyms
        self._longest_synonym = max((len(key) for key in synonyms), default=0)
        services: dict[str, list[tuple[str, ...]]] = {}
        for phrase in lexicon.unanswered_names:
            words = tuple(self._prepared(phrase))
            if words:
                services.setdefault(words[0], []).append(words)
        self._other_services = services  # each other service's words, by its first word
        # Words the vocabulary knows only from the other services' names («کیفری» of «شکایت
        # کیفری»): known when they spell out such a name, unknown alone, as before they were listed.
        in_services = Counter(word for phrase in lexicon.other_services for word in self._words(phrase))
        self._service_only = (
            frozenset(word for word, used in in_services.items() if vocabulary.count(word) <= used)
            - self._function_words
            if vocabulary is not None
            else frozenset()
        )
        self._year_words = tuple(token for word in lexicon.year_words[:1] for token in self._words(word))
        self._pointing_words = frozenset(self._normalizer.normalize(word) for word in lexicon.pointing_words)
        self._question_words = frozenset(
            token for word in lexicon.question_words for token in self._words(word)
        ) | frozenset(lexicon.question_words)

    def _foreign_words(self, words: list[str]) -> frozenset[str]:
        """The words of ``words`` that spell out one of the other services' names."""
        found: set[str] = set()
        stems = [word.split("#")[0] for word in words]  # a verb lemma (سوخت#سوز) by its past stem
        for start, stem in enumerate(stems):
            for phrase in self._other_services.get(stem, ()):
                if tuple(stems[start : start + len(phrase)]) == phrase:
                    found.update(words[start : start + len(phrase)])
        return frozenset(found)

    def _words(self, text: str) -> list[str]:
        """Normalized, lemmatized words, half-space parts split, Finglish read as Persian."""
        words: list[str] = []
        if self._emoji:
            text = text.translate(self._emoji)  # «💍» says «ازدواج»
        remembered = self._token_words
        for token in self._normalizer.normalize(text).split(" ")[:_MAX_TOKENS]:
            if not token:
                continue
            found = remembered.get(token)
            if found is None:
                found = remembered.keep(token, self._read_token(token))
            words.extend(found)
        return words

    def _read_token(self, token: str) -> tuple[str, ...]:
        """The words of one normalized token (the same for the same token: see :meth:`_words`)."""
        words: list[str] = []
        if self._finglish.is_finglish(token):
            # An unreadable Latin word stays as it is: an unknown word, not a dropped one.
            token = self._normalizer.normalize(self._finglish.read(token)) or token
        for part in token.split(" "):
            lemma = self._lemma(part)
            written = self._written_verb(part, lemma)
            if written is not None:
                part, lemma = written
            if _negated(part, lemma, self._lemma):
                words.append(_NEGATION)
            pieces = [piece for piece in lemma.split(_ZWNJ) if piece]
            # a verb read from its spoken form is that verb, known or not: no typo to repair
            words.extend(pieces if written is not None else self._surface_repair(part, pieces))
        return tuple(words)

    def _written_verb(self, part: str, lemma: str) -> tuple[str, str] | None:
        """A spoken form of a content verb that hazm reads as no verb and never saw in use («بنویسن»,
        «نمیدن»), as its written form and that form's lemma (see :mod:`bot.engine.reading.spoken_verbs`);
        ``None`` for any other word."""
        verbs, vocabulary = self._spoken_verbs, self._vocabulary
        if verbs is None or vocabulary is None or "#" in lemma or lemma in vocabulary:
            return None
        listing = _listing(self._dictionary, part.replace(_ZWNJ, ""))
        if listing is not None and listing[0] > 0:
            return None
        written = verbs.written(part)
        if written is None:
            return None
        read = self._lemma(written)
        if read in self._function_words:
            # a verb the matching drops («میشن»: «شد#شو»), unless the form as typed reads as known
            # words («می‌کنه»: «می» + «کنه»), as it always did
            typed = [piece for piece in lemma.split(_ZWNJ) if piece]
            return None if any(piece in vocabulary for piece in typed) else (written, read)
        return (written, read) if read in vocabulary else None

    def _surface_repair(self, part: str, pieces: list[str]) -> list[str]:
        """The lemma's pieces, unless none of them is known and the word as written repairs to known
        words: the lemmatizer reads a typo as some verb's form («هشمند»: «هشم» + «ند»), losing the
        word the repair would have found («هوشمند»)."""
        vocabulary = self._vocabulary
        if vocabulary is None or not pieces or any(piece in vocabulary for piece in pieces):
            return pieces  # a known word: as read
        surface = part.replace(_ZWNJ, "")
        if surface == "".join(pieces) or surface.isdigit():
            return pieces
        if any(vocabulary.real(piece) for piece in pieces) and vocabulary.real(surface):
            return pieces  # a real word the base does not use («سراسری»: «سراسر»): as read
        # a real lemma of a word hazm never saw is the lemmatizer's guess at a typo or a spoken
        # form («پیگری» read «پی», «خونم» read «خون»): the word as written is repaired instead
        repaired = vocabulary.repair(surface)
        return list(repaired) if all(word in vocabulary for word in repaired) else pieces

    def _apply_synonyms(self, words: list[str]) -> list[str]:
        result: list[str] = []
        index = 0
        while index < len(words):
            for size in range(min(self._longest_synonym, len(words) - index), 0, -1):
                target = self._synonyms.get(tuple(words[index : index + size]))
                if target is not None:
                    result.extend(target)
                    index += size
                    break
            else:
                result.append(words[index])
                index += 1
        return result

    def _prepared(self, text: str) -> list[str]:
        """Words with compounds rejoined, unknown words repaired and synonyms applied."""
        words = self._words(text)
        if self._vocabulary is not None:
            words = self._vocabulary.join(words)
            words = [fixed for word in words for fixed in self._vocabulary.repair(word)]
        return self._apply_synonyms(words)

    def analyze(self, text: str) -> MatchKey:
        """The match key of a text; never raises on any string. A single word in guillemets is a
        name the citizen quotes («غلامرضا», «ژیار»): it says nothing of the topic and is left out."""
        text = _QUOTED_WORD.sub(" ", text)
        words = self._prepared(text)
        foreign = self._foreign_words(words)
        if foreign and _BREAK.search(text):
            # a name never runs across punctuation: «بدون مراجعه به اداره، کارای ثبت احوال» is not
            # «اداره کار», the labour office
            foreign = frozenset(
                word for piece in _BREAK.split(text) for word in self._foreign_words(self._prepared(piece))
            )
        words = [word for word in words if word not in self._function_words]
        if self._year_words:
            words = [year for word in words for year in (self._year_words if _is_year(word) else (word,))]
        unknown = (
            frozenset(
                word
                for word in words
                if (word not in self._vocabulary or (word in self._service_only and word not in foreign))
                and word not in self._familiar
                and not word.isdigit()
            )
            if self._vocabulary is not None
            else frozenset()
        )
        return MatchKey(tuple(words), unknown, foreign)

    def without_question_words(self, words: frozenset[str]) -> frozenset[str]:
        """``words`` less the question words (what a clause asks about, not how it asks)."""
        return words - self._question_words

    def pictures_only(self, text: str) -> bool:
        """Whether ``text`` says its words only by emoji that stand for words («💍❤️», «🎂🎉»): a
        mood or a wish, not a question (there is at least one such emoji, and no letter or digit
        outside them)."""
        pictures = self._emoji.keys()
        return any(ord(char) in pictures for char in text) and not any(
            char.isalnum() for char in text if ord(char) not in pictures
        )

    def points_back(self, text: str) -> bool:
        """Whether ``text`` points back at what was said before it: a pointing word of the lexicon
        («آن», «همین», «این موضوع») or a known word with a third-person ending («ثبت‌نامش», «تمدیدشو»)."""
        vocabulary, function_words = self._vocabulary, self._function_words
        words = [word for word in self._normalizer.normalize(text).replace(_ZWNJ, " ").split(" ") if word]
        for word, after in zip(words, [*words[1:], ""][: len(words)], strict=True):
            # «تمدید آن از کجاست», not «اون عددی که ...» (a noun of its own clause)
            if word in self._pointing_words and (not after or after in function_words):
                return True
            if f"{word} {after}" in self._pointing_words:  # «اعتراض به این موضوع»: a noun that points
                return True
            if vocabulary is None:
                continue
            for ending in _POINTING_ENDINGS:
                stem = word[: -len(ending)]
                if (
                    word.endswith(ending)
                    and len(stem) >= 3
                    and stem in vocabulary
                    and not {stem, stem + "ی"} & function_words  # «براش»: for him, not it
                ):
                    return True
        return False

    def has_question_mark_or_word(self, text: str) -> bool:
        """A question mark (``?``, ``؟``) or one of the lexicon's question words (any spelling the
        normalizer folds, Finglish too)."""
        if "?" in text or "\u061f" in text:
            return True
        return any(word in self._question_words for word in self._words(text))

    @property
    def lexicon(self) -> Lexicon:
        """The language data this analyzer was built with."""
        return self._lexicon

    def with_lexicon(self, lexicon: Lexicon) -> Analyzer:
        """A fresh analyzer (no vocabulary yet) on new language data, reusing hazm's costly parts."""
        return Analyzer(
            self._normalizer, lexicon, (self._lemma, self._dictionary), keeps_analysis=self.keeps_analysis
        )

    def with_vocabulary(self, texts: Iterable[str], background: Iterable[str] = ()) -> Analyzer:
        """An analyzer that repairs unknown words against the words of ``texts``.

        Words of ``background`` (the answers) are not used for repairs but are not
        unknown either: a question that uses them is still about the knowledge base.
        """
        return self.with_parts(self.vocabulary_parts(texts, background))

    def vocabulary_parts(self, texts: Iterable[str], background: Iterable[str] = ()) -> VocabularyParts:
        """What :meth:`with_vocabulary` learns from ``texts`` and ``background``."""
        texts = list(texts)
        analyzed = [self._apply_synonyms(self._words(text)) for text in texts]
        counts: Counter[str] = Counter(word for words in analyzed for word in words)
        # a word only one story phrasing uses is that story's context, not a word of the base: a
        # question with it is as strange as before the story was written («استخدام», «پرورش»)
        in_stories: Counter[str] = Counter()
        in_short: set[str] = set()
        for text, words in zip(texts, analyzed, strict=True):
            if len(text.split()) >= _STORY_PHRASING_WORDS:
                in_stories.update(set(words))
            else:
                in_short.update(words)
        for word, stories in in_stories.items():
            if stories < 2 and word not in in_short:
                del counts[word]
        for source, target in self._synonyms.items():
            counts.update(source)
            counts.update(target)
        # function words are known words (never repaired); place names too, but never a repair's
        # target either (they are plain words below: «دندون» is not the village «ندوشن»)
        counts.update(self._function_words - self._place_words)
        # Other organisations' services are repair targets too, so that a misspelt or Finglish
        # «یارنه» or «sahame edalat» is still recognised as theirs (and never answered directly).
        services = [self._words(phrase) for phrase in self._lexicon.other_services]
        counts.update(word for words in services for word in words)
        # Finglish is read against the base's words, its phrasings' words as written (a verb
        # before its lemma: «بگیرم» for «begiram») and the function words (``ye``, ``ham``).
        written = [
            [w for w in self._normalizer.normalize(text).replace(_ZWNJ, " ").split(" ") if w]
            for text in texts
        ]
        finglish = [
            [w for w in words if w not in self._function_words and "#" not in w]
            for words in analyzed + services
        ]
        return VocabularyParts(
            list(counts.items()),
            sorted({pair for words in analyzed for pair in pairwise(words)}),
            # synonyms' sources and other services' names keep their own form: «بیمه» is not
            # the rare spoken form of «بی»
            sorted(
                frozenset(word for source in self._synonyms for word in source)
                | frozenset(word for words in services for word in words)
            ),
            sorted(frozenset(word for text in background for word in self._words(text))),
            [*finglish, *written],  # function words are read alone, never as a pair (FinglishReader)
        )

    def with_parts(self, parts: VocabularyParts) -> Analyzer:
        """The analyzer of :meth:`with_vocabulary`, from what it learned."""
        return Analyzer(
            self._normalizer,
            self._lexicon,
            (self._lemma, self._dictionary),
            Vocabulary(
                Counter(dict(parts.counts)),
                self._dictionary,
                frozenset(parts.bigrams),
                self._function_words,
                frozenset(parts.protected),
                # remarks are read as written too, and never a repair's target («خونگی» is not «خنگی»)
                frozenset(
                    word
                    for plain in (*self._lexicon.plain_words, *self._lexicon.remarks)
                    for word in self._words(plain)
                )
                | self._place_words,
            ),
            FinglishReader(self._lexicon.finglish, parts.finglish, self._function_words - self._place_words),
            frozenset(parts.familiar),
        )


#: The variation selector that asks for an emoji's picture («❤️»); the emoji reads the same without it.
_VARIATION = "\ufe0f"

#: Punctuation that ends a phrase (a name of another service never runs across it).
_BREAK = re.compile(r"[.!?؟،,;؛:\n…]+")

#: One word in guillemets: a name the citizen quotes.
_QUOTED_WORD = re.compile(r"«\s*[^\s«»]+\s*»")

#: Third-person endings by which a word points back at something said before («ثبت‌نامش»).
_POINTING_ENDINGS = ("شو", "شون", "ش")


def _listing(dictionary: Container[str], word: str) -> tuple[int] | None:
    """hazm's entry for ``word`` as the normalizer folded it, a seen spelling first: the list
    writes «آزمایش» and «مسئول», a question's key «ازمایش» and «مسیول» (without this, a real word
    the base does not use was cut into known ones: «ازمایش» into «ازم» + «ای»)."""
    found = None
    for form in _unfolded(word):
        if form in dictionary:
            listing: tuple[int] = dictionary[form]  # type: ignore[index]
            if listing[0] > 0:
                return listing
            found = found or listing
    return found


def _unfolded(word: str) -> Iterator[str]:
    """``word``, then the spellings hazm's word list may use for it before the normalizer folded
    «آ» to «ا» (at the start) and «ئ» to «ی» (inside the word)."""
    yield word
    if word.startswith("ا"):
        yield "آ" + word[1:]
    inner = word.find("ی", 1, len(word) - 1)
    if inner > 0:
        yield word[:inner] + "ئ" + word[inner + 1 :]


def _negation_of(word: str, other: str) -> bool:
    """Whether one of two words is the other with the negation «ن» before it."""
    return word == "ن" + other or other == "ن" + word


def _is_year(word: str) -> bool:
    """A year in digits, Jalali (1300-1499) or Gregorian (1900-2099): a birth date's year says
    "a year" (a date of birth to correct, a card of some year), never which one."""
    return len(word) == 4 and word.isdigit() and (1300 <= int(word) <= 1499 or 1900 <= int(word) <= 2099)
