"""Finglish (Persian typed in Latin letters) to Persian words of the knowledge base.

Persian script writes few vowels, and Finglish writes them all, so both sides are
reduced to a consonant skeleton (``shenasname`` and ``شناسنامه`` both become
``Snsnm``) and a Latin word is read as the knowledge-base word or word pair
with the same skeleton. Words the curated map names come first; words the
knowledge base does not know fall back to the ``finglish`` package's
dictionary, never to its exhaustive search (seconds on a long word).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property, lru_cache
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

__all__ = ["FinglishReader", "latin_skeleton", "persian_skeleton"]

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

    def __init__(self, curated: Mapping[str, str], phrases: Iterable[Iterable[str]] = ()) -> None:
        self._curated = {key.lower(): value for key, value in curated.items()}
        counts: Counter[str] = Counter()
        for tokens in phrases:
            words = [token for token in tokens if token]
            counts.update(words)
            counts.update(f"{a} {b}" for a, b in pairwise(words))
        self._by_skeleton: dict[str, str] = {}
        for word, _count in counts.most_common():
            skeleton = persian_skeleton(word)
            if len(skeleton) >= 2:
                self._by_skeleton.setdefault(skeleton, word)
        self._skeletons = [s for s in self._by_skeleton if len(s) >= 4]

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
                found = self._read_whole(stem, min_skeleton=2)
                if found:
                    return found
        return ""

    def _read_whole(self, token: str, min_skeleton: int = 3) -> str:
        if token in self._curated:
            return self._curated[token]
        skeleton = latin_skeleton(token)
        if len(skeleton) >= min_skeleton and skeleton in self._by_skeleton:
            return self._by_skeleton[skeleton]
        if len(skeleton) >= 5 and self._skeletons:
            found = process.extractOne(skeleton, self._skeletons, scorer=Levenshtein.distance, score_cutoff=1)
            if found is not None and found[0][0] == skeleton[0]:
                return self._by_skeleton[found[0]]
        return self._dictionary.get(token, "")
