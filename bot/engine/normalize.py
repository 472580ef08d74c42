"""Character-level normalization of a citizen's message into a matchable form.

Only match keys go through here: answer text and links are never normalized.
The pipeline is hazm's Normalizer (built once) plus the folds hazm misses:
hamza and teh-marbuta letters, ligatures, tatweel, bidi and control marks,
emoji, letters typed three or more times, and one digit alphabet (ASCII).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cached_property, lru_cache

from bot.calendar import LATIN_DIGIT_FOLDS

__all__ = ["MAX_MATCH_CHARS", "TextNormalizer", "Translation"]

#: Longer messages are cut to their head and tail before matching.
MAX_MATCH_CHARS = 1200
#: How many recent texts each normalizer remembers: a phrasing is normalized several times while
#: the engine is built (its words, its written form, its key), a question once per clause.
_REMEMBERED = 8192

_ZWNJ = "\u200c"

# Letters hazm 0.12 leaves alone (see shared/matching-notes.md), folded to the
# plain letter citizens also type.
_LETTER_FOLDS = {
    "ة": "ه",
    "ۀ": "ه",
    "ہ": "ه",
    "ھ": "ه",
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "آ": "ا",
    "ؤ": "و",
    "ئ": "ی",
    "ي": "ی",
    "ى": "ی",
    "ې": "ی",
    "ك": "ک",
    "ڪ": "ک",
    "\u0654": "",  # hamza above
    "\u0655": "",  # hamza below
    "\u0670": "",  # superscript alef
    "ـ": "",  # tatweel
    "ء": "",
}

# Every decimal digit folds to ASCII so that ۱۴۰۳, ١٤٠٣ and 1403 are one key.

_INVISIBLE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u2060\ufeff\u061c\ufe00-\ufe0f]")
_REPEATS = re.compile(r"(\w)\1{2,}")
_NON_WORD = re.compile(r"[^\w\u200c]+")
_SPACES = re.compile(r"\s+")
#: How many distinct characters a normalizer remembers the fate of (kept, or a space).
_REMEMBERED_CHARACTERS = 4096


class Translation:
    """``text.translate(table)``, skipped for a text with no character of ``table``.

    A table of non-ASCII characters costs ``str.translate`` a dictionary lookup per character of
    the text (about 8 µs for a question of a hundred letters), however few it changes; most texts
    hold none of them (Arabic letters to fold, digits written another way), and a search of a
    character class is about 0.3 µs. The text is the one ``translate`` returns either way."""

    __slots__ = ("_present", "_table")

    def __init__(self, table: Mapping[int, str | int | None]) -> None:
        self._table = table
        characters = "".join(re.escape(chr(code)) for code in sorted(table))
        self._present = re.compile(f"[{characters}]") if characters else None

    def __call__(self, text: str) -> str:
        if self._present is None or self._present.search(text) is None:
            return text
        return text.translate(self._table)


class _NoiseTable(dict[int, str]):
    """``str.translate``'s table of :meth:`TextNormalizer.strip_noise`: each character kept (a
    letter, a digit, a mark, ZWNJ) or turned into a space, decided by its Unicode category the
    first time it is seen (at most ``_REMEMBERED_CHARACTERS`` are remembered)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        kept = char if category[0] in "LN" or char == _ZWNJ or category == "Mn" else " "
        if len(self) < _REMEMBERED_CHARACTERS:
            self[code] = kept
        return kept


class TextNormalizer:
    """Turns raw text into a normalized, space-separated string of word tokens.

    hazm's ``Normalizer`` is built lazily, once per instance, on the compact tables of
    :mod:`bot.engine.compact_tables` (hazm's own builds cost about a second and 190 MB);
    share one instance per process.
    """

    def __init__(self, max_chars: int = MAX_MATCH_CHARS) -> None:
        self._max_chars = max_chars
        folds: dict[int, str] = str.maketrans(_LETTER_FOLDS | LATIN_DIGIT_FOLDS)
        self._fold = Translation(folds)
        self._noise = _NoiseTable()
        self.normalize = lru_cache(maxsize=_REMEMBERED)(self._normalize)  # type: ignore[method-assign]

    @cached_property
    def _hazm(self):  # type: ignore[no-untyped-def]
        from bot.engine.compact_tables import compact_normalizer, hazm_tables

        return compact_normalizer(hazm_tables())

    def clip(self, text: str) -> str:
        """Keep the head and tail of an overlong message (the question is usually there)."""
        if len(text) <= self._max_chars:
            return text
        half = self._max_chars // 2
        return f"{text[:half]} {text[-half:]}"

    def strip_noise(self, text: str) -> str:
        """Drop control characters, bidi marks, emoji and symbols; keep letters, digits, ZWNJ."""
        return _INVISIBLE.sub("", text).translate(self._noise)

    def normalize(self, text: str) -> str:
        """Return the normalized form (remembered for recent texts; see :meth:`_normalize`)."""
        return self._normalize(text)

    def _normalize(self, text: str) -> str:
        """Return the normalized form: folded letters, ASCII digits, single spaces.

        ZWNJ is kept between word parts so the lemmatizer can see ``شناسنامه‌ام``;
        callers that want ZWNJ-free keys split on it afterwards.
        """
        text = self.strip_noise(self.clip(text))
        text = self._fold(unicodedata.normalize("NFKC", text))
        text = _REPEATS.sub(r"\1", text)
        if any("\u0600" <= char <= "\u06ff" for char in text):
            text = self._fold(self._hazm.normalize(text))
        text = _NON_WORD.sub(" ", text.lower())
        text = re.sub(r" ?\u200c ?", _ZWNJ, text)
        text = re.sub(r"\u200c{2,}", _ZWNJ, text).strip(_ZWNJ + " ")
        return _SPACES.sub(" ", text).strip()
