"""Finglish (Persian typed in Latin letters) to Persian words of the knowledge base.

Persian script writes few vowels, and Finglish writes them all, so both sides are
reduced to a consonant skeleton (``shenasname`` and ``شناسنامه`` both become
``Snsnm``) and a Latin word is read as the knowledge-base word or word pair
with the same skeleton. A skeleton fits many words (``farda``, ``frd``, is
«فردا» and «افراد»), so a word is only taken when the Latin spelling can be
written from its letters (:func:`spelled_as`: each Persian letter by its usual
Latin spellings, unwritten short vowels allowed between, a long «ا» inside a
word written); a word no knowledge-base word spells is an unknown word, not the
nearest word of the base with its skeleton («film» is not «فعال اعلام»), save
a long skeleton one letter off (a typo). Words the curated map names come
first; words the knowledge base does not know fall back to the ``finglish``
package's dictionary, never to its exhaustive search (seconds on a long word).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property, lru_cache
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

__all__ = ["FinglishReader", "latin_skeleton", "persian_skeleton", "spelled_as"]

_PERSIAN_CLASSES = str.maketrans(
    {
        "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s",
        "ج": "j", "چ": "C", "ح": "h", "ه": "h", "خ": "x", "د": "d", "ذ": "z",
        "ز": "z", "ض": "z", "ظ": "z", "ر": "r", "ژ": "Z", "ش": "S", "غ": "q",
        "ق": "q", "ف": "f", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n",
        "ا": None, "آ": None, "و": None, "ی": None, "ع": None, "ء": None,
        "\u200c": None, " ": None,
    }
)  # fmt: skip
_LATIN_DIGRAPHS = (("sh", "S"), ("kh", "x"), ("ch", "C"), ("gh", "q"), ("zh", "Z"), ("ph", "f"))
#: Endings glued to Finglish words (possessives, ezafe, object marker, plural), longest first:
#: ``pedaram`` is ``pedar`` + ``am``, ``sabte`` is ``sabt`` + ezafe.
_LATIN_ENDINGS = tuple(
    sorted(
        ("hamo", "amo", "emoon", "etoon", "eshoon", "esh", "ash", "am", "at", "et", "ro", "ha", "mo", "e"),
        key=len,
    )
)[::-1]
_LATIN_CLASSES = str.maketrans(
    {"c": "k", "q": "q", "x": "x", "w": None, "v": None, "y": None, "'": None,
     "a": None, "e": None, "i": None, "o": None, "u": None}
)  # fmt: skip
_DOUBLE = re.compile(r"(.)\1+")
_LATIN_WORD = re.compile(r"^[a-z']+$")


#: How each Persian letter is written in Finglish (regular expressions, without short vowels).
_LATIN_SPELLINGS = {
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j",
    "چ": "ch", "ح": "h", "خ": "(?:kh|x)", "د": "d", "ذ": "z", "ز": "z", "ض": "z", "ظ": "z",
    "ر": "r", "ژ": "(?:zh|j)", "ش": "sh", "غ": "(?:gh|q|g)", "ق": "(?:gh|q|g)", "ف": "f",
    "ک": "(?:k|c)", "گ": "g", "ل": "l", "م": "m", "ن": "n", "آ": "a", "ا": "[aeo]?",
    "و": "(?:v|w|o|u|oo|ou|ow)", "ی": "(?:i|y|ee|ey|ei|e)", "ع": "'?", "ء": "'?", "ئ": "'?",
    "ه": "h",
}  # fmt: skip
_SHORT_VOWEL = "[aeo]?"


@lru_cache(maxsize=16384)
def _spelling_pattern(word: str) -> re.Pattern[str] | None:
    """A pattern of the Latin spellings of a Persian word (``None`` for a letter it cannot spell)."""
    letters = [letter for letter in word if letter not in " \u200c"]
    parts = []
    for position, letter in enumerate(letters):
        last = position == len(letters) - 1
        if letter == "ه" and last and position > 0:
            parts.append("(?:eh|ah|e|a|h)?")
            continue
        spelling = _LATIN_SPELLINGS.get(letter)
        if spelling is None:
            return None
        if position == 0 and letter == "ا":
            spelling = "[aeoi]?"
        elif letter == "ا":
            spelling = "[aeo]"  # a long «a» inside a word is written (``farda`` is not «افراد»)
        if not spelling.endswith("?"):
            spelling = f"(?:{spelling})+"  # doubled letters: seyyed, tashdid
        parts.append(spelling)
    return re.compile(_SHORT_VOWEL + _SHORT_VOWEL.join(parts) + _SHORT_VOWEL)


def spelled_as(latin: str, persian: str) -> bool:
    """Whether ``latin`` can be a Finglish spelling of ``persian`` (``peyda``/``پیدا``: yes;
    ``shahr``/``شوهر``: no)."""
    pattern = _spelling_pattern(persian)
    return bool(pattern and pattern.fullmatch(latin.lower()))


def _unwritten(latin: str, persian: str) -> int:
    """Roughly how many letters of ``latin`` the Persian spelling does not write (short vowels):
    of two words that both fit, the one writing more of it is the better reading (``shohar``:
    ``شوهر`` rather than ``شهر``)."""
    written = sum(2 if letter in "خچشغقژ" else 0 if letter in "عءئ" else 1 for letter in persian)
    if persian.endswith("ی") and latin.endswith("e"):
        return abs(len(latin) - written) + 1  # a final «e» is the ezafe (``sabte fote``), not «ی»
    if persian.endswith("ه") and not latin.endswith(("e", "a", "h")):
        written -= 1  # a final heh the Latin does not write is a worse fit, not a better one
        return abs(len(latin) - written) + 1
    return abs(len(latin) - written)


def persian_skeleton(word: str) -> str:
    """Consonant skeleton of a Persian word or phrase (silent final heh dropped)."""
    parts = [
        part[:-1] if part.endswith("ه") and len(part) > 1 else part for part in re.split(r"[ \u200c]", word)
    ]
    return _DOUBLE.sub(r"\1", "".join(parts).translate(_PERSIAN_CLASSES))


def latin_skeleton(word: str) -> str:
    """Consonant skeleton of a Finglish word (vowels and a final ``eh`` dropped)."""
    word = word.lower()
    if word.endswith(("eh", "ah")) and len(word) > 3:
        word = word[:-1]
    for digraph, letter in _LATIN_DIGRAPHS:
        word = word.replace(digraph, letter)
    return _DOUBLE.sub(r"\1", word.translate(_LATIN_CLASSES))


@lru_cache(maxsize=1)
def _package_dictionary() -> Mapping[str, str]:
    """The finglish package's word dictionary (read from its file: importing ``f2p`` costs 90 MB)."""
    from bot.engine.compact_tables import finglish_dictionary

    return finglish_dictionary()


class FinglishReader:
    """Reads Latin-letter words as Persian, preferring the knowledge base's words."""

    def __init__(
        self,
        curated: Mapping[str, str],
        phrases: Iterable[Iterable[str]] = (),
        function_words: Iterable[str] = (),
    ) -> None:
        """``phrases``: the words a Latin word may be read as, and their neighbouring pairs (a glued
        ``kartmeli`` is «کارت ملی»); ``function_words`` may be read alone, but a pair of two of them
        is never a reading (``abie`` is not «با یه»)."""
        self._curated = {key.lower(): value for key, value in curated.items()}
        small = frozenset(function_words)
        counts: Counter[str] = Counter(small)
        for tokens in phrases:
            # a letter alone («ه» of «ه.ش») is no word to read a Latin word as (``hava`` is not «ه و»)
            words = [token for token in tokens if len(token) > 1 or token in small]
            counts.update(words)
            counts.update(f"{a} {b}" for a, b in pairwise(words) if not (a in small and b in small))
        self._all_by_skeleton: dict[str, list[str]] = {}  # each skeleton's words, most used first
        for word, _count in counts.most_common():
            self._all_by_skeleton.setdefault(persian_skeleton(word), []).append(word)
        self._skeletons = [s for s in self._all_by_skeleton if len(s) >= 4]

    @cached_property
    def _dictionary(self) -> Mapping[str, str]:
        return _package_dictionary()

    def is_finglish(self, token: str) -> bool:
        return bool(_LATIN_WORD.match(token))

    @lru_cache(maxsize=4096)  # noqa: B019  (one reader lives as long as its engine)
    def read(self, token: str) -> str:
        """The Persian reading of one Latin word, or '' when it has none (a glued ending is tried
        off when the whole word has no reading)."""
        token = token.lower()
        whole = self._read_whole(token)
        if whole:
            return whole
        for ending in _LATIN_ENDINGS:
            stem = token[: -len(ending)]
            if token.endswith(ending) and len(stem) >= 3:
                found = self._read_whole(stem)
                if found:
                    return found
        return ""

    def _read_whole(self, token: str) -> str:
        if token in self._curated:
            return self._curated[token]
        skeleton = latin_skeleton(token)
        # the word that fits with the fewest letters unwritten (the first of equals): tried in that
        # order, so only the words before it have their spelling pattern built (each one a regular
        # expression compiled, the costly part of reading a Latin word)
        candidates = self._all_by_skeleton.get(skeleton, ())
        for word in sorted(candidates, key=lambda word: _unwritten(token, word)):
            if spelled_as(token, word):
                return word
        if len(skeleton) >= 5 and self._skeletons:
            found = process.extractOne(skeleton, self._skeletons, scorer=Levenshtein.distance, score_cutoff=1)
            if found is not None and found[0][0] == skeleton[0]:
                return self._all_by_skeleton[found[0]][0]
        return self._dictionary.get(token, "")
