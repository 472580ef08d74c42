"""hazm's normalizer and lemmatizer, and finglish's dictionary, on compact tables built once.

hazm stays the source of truth: its ``Normalizer.normalize``, ``Lemmatizer.lemmatize`` and
``Stemmer`` run as they are. What changes is the data they look words up in. hazm builds its
word list (193k words with frequencies and tags) and every conjugation of every verb (502k forms)
as Python dicts and sets, twice (the normalizer builds a lemmatizer of its own): about 220 MB
and 3 s per process. Here the same data is extracted from hazm once, written to a cache file
(``$SABTYAR_CACHE_DIR``, else ``$XDG_CACHE_HOME/sabtyar`` or ``~/.cache/sabtyar``; keyed by
hazm's version) and read back as sorted byte blobs searched by bisection: about 20 MB, loaded
in a fraction of a second. The tables answer exactly the questions hazm's code asks of its own
(``word in words``, ``words[word][0] > 0``, ``form in verbs``, ``verbs[form]``), so the match
keys are the same (``tests/engine/test_compact_tables.py`` compares them on every test set).

finglish's ``f2p`` module loads a 90 MB word-frequency list at import that the engine never
uses; :func:`finglish_dictionary` reads only its small dictionary file, as ``f2p`` parses it.

``import hazm`` runs a package ``__init__`` that imports every part of hazm, and through them nltk,
whose own ``__init__`` imports scipy.stats and scikit-learn: about 1.3 s of every start, for code
the engine never runs. :func:`hazm_modules` loads only the four modules the engine runs (the
normalizer, lemmatizer, stemmer and word tokenizer, with the two small nltk base classes they
derive from), unchanged, from hazm's own files; building the tables still imports hazm whole.
"""

from __future__ import annotations

import bisect
import contextlib
import importlib
import os
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, lru_cache
from importlib import metadata
from importlib.util import find_spec, module_from_spec
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "CACHE_VARIABLE",
    "TOKEN_PATTERN",
    "HazmTables",
    "SortedKeys",
    "cache_dir",
    "compact_lemmatizer",
    "compact_normalizer",
    "finglish_dictionary",
    "hazm_modules",
    "hazm_tables",
    "package_folder",
]

CACHE_VARIABLE = "SABTYAR_CACHE_DIR"
#: Bumped whenever the file layout changes.
_FORMAT = 1
_SEPARATOR = b"\n"


def cache_dir() -> Path:
    """Where the built tables are kept between runs."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sabtyar"


#: Every this many keys one is kept as a ``bytes`` in a list: a lookup bisects that list in C, then
#: at most this many keys of the blob (a bisection of the whole blob called ``__getitem__`` in
#: Python about 20 times, about 10 µs a word the normalizer or the lemmatizer had not asked yet).
_SAMPLE_EVERY = 16


class SortedKeys:
    """An immutable sorted set of strings kept as one UTF-8 blob and an array of offsets.

    UTF-8 byte order is code point order, so the blob is searched with :mod:`bisect` on bytes.
    ``index`` is the key's position (for values stored in parallel arrays), or -1.
    """

    __slots__ = ("_blob", "_offsets", "_sample")

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self._blob = blob
        self._offsets = offsets
        self._sample = [self[i] for i in range(0, len(self), _SAMPLE_EVERY)]

    @classmethod
    def of(cls, keys: Iterable[str]) -> SortedKeys:
        encoded = sorted({key.encode() for key in keys})
        offsets = array("I", [0])
        for key in encoded:
            offsets.append(offsets[-1] + len(key))
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> bytes:
        return self._blob[self._offsets[index] : self._offsets[index + 1]]

    def index(self, key: str) -> int:
        encoded = key.encode()
        # the block of keys between the last sampled key <= ``encoded`` and the next one
        start = (bisect.bisect_right(self._sample, encoded) - 1) * _SAMPLE_EVERY
        if start < 0:
            return -1  # before the first key
        end = min(start + _SAMPLE_EVERY, len(self))
        found = bisect.bisect_left(self, encoded, start, end)
        return found if found < end and self[found] == encoded else -1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.index(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return (self[i].decode() for i in range(len(self)))

    def parts(self) -> tuple[bytes, bytes]:
        return self._blob, self._offsets.tobytes()

    @classmethod
    def from_parts(cls, blob: bytes, offsets: bytes) -> SortedKeys:
        table = array("I")
        table.frombytes(offsets)
        return cls(blob, table)


class WordTable:
    """hazm's word list as its normalizer and lemmatizer use it: membership, and whether the word
    has a positive frequency (``words[word][0] > 0``)."""

    def __init__(self, keys: SortedKeys, positive: bytes) -> None:
        self.keys = keys
        self.positive = positive
        self._index = lru_cache(maxsize=1 << 16)(keys.index)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._index(word) >= 0

    def __getitem__(self, word: str) -> tuple[int]:
        found = self._index(word)
        if found < 0:
            raise KeyError(word)
        return (self.positive[found],)

    def __len__(self) -> int:
        return len(self.keys)

    def __bool__(self) -> bool:
        return True


class VerbTable(Mapping[str, str]):
    """Every conjugated form hazm's lemmatizer knows, with its lemma (``رفت#رو``)."""

    def __init__(self, forms: SortedKeys, lemma_of: array[int], lemmas: tuple[str, ...]) -> None:
        self.forms = forms
        self.lemma_of = lemma_of
        self.lemmas = lemmas
        self._index = lru_cache(maxsize=1 << 16)(forms.index)

    def __contains__(self, form: object) -> bool:
        return isinstance(form, str) and self._index(form) >= 0

    def __getitem__(self, form: str) -> str:
        found = self._index(form)
        if found < 0:
            raise KeyError(form)
        return self.lemmas[self.lemma_of[found]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)


class SpacingVerbs:
    """The normalizer's verb set: hazm builds it from a lemmatizer without joined verb parts, which
    is every form of the full table that has no ``_`` (checked when the tables are built)."""

    def __init__(self, verbs: VerbTable) -> None:
        self._verbs = verbs

    def __contains__(self, form: object) -> bool:
        return isinstance(form, str) and "_" not in form and form in self._verbs

    def __bool__(self) -> bool:
        return True


class HazmTables:
    """The word list and the verb forms of hazm, compact; :func:`hazm_tables` loads or builds them."""

    def __init__(self, words: WordTable, verbs: VerbTable) -> None:
        self.words = words
        self.verbs = verbs

    @classmethod
    def from_hazm(cls) -> HazmTables:
        """Extract the tables from hazm itself (seconds, and hazm's full memory, once)."""
        from hazm import Lemmatizer, Normalizer

        normalizer, lemmatizer = Normalizer(), Lemmatizer()
        hazm_words: dict[str, tuple[int, Any]] = normalizer._words
        if set(hazm_words) != set(lemmatizer.words):
            raise RuntimeError("hazm's normalizer and lemmatizer disagree on the word list")
        if normalizer._verbs != {form for form in lemmatizer.verbs if "_" not in form}:
            raise RuntimeError("hazm's normalizer verbs are not the lemmatizer's unjoined forms")
        word_keys = SortedKeys.of(hazm_words)
        positive = bytes(1 if hazm_words[word][0] > 0 else 0 for word in word_keys)
        verb_keys = SortedKeys.of(lemmatizer.verbs)
        lemmas = tuple(sorted(set(lemmatizer.verbs.values())))
        number = {lemma: i for i, lemma in enumerate(lemmas)}
        lemma_of = array("I", (number[lemmatizer.verbs[form]] for form in verb_keys))
        return cls(WordTable(word_keys, positive), VerbTable(verb_keys, lemma_of, lemmas))

    def save(self, path: Path) -> None:
        """Write the tables atomically (a temporary file moved into place)."""
        words_blob, words_offsets = self.words.keys.parts()
        verbs_blob, verbs_offsets = self.verbs.forms.parts()
        lemmas = "\n".join(self.verbs.lemmas).encode()
        sections = [
            words_blob,
            words_offsets,
            self.words.positive,
            verbs_blob,
            verbs_offsets,
            self.verbs.lemma_of.tobytes(),
            lemmas,
        ]
        header = f"sabtyar-hazm-tables {_FORMAT} {' '.join(str(len(s)) for s in sections)}\n".encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(header)
                for section in sections:
                    handle.write(section)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    @classmethod
    def load(cls, path: Path) -> HazmTables:
        """Read tables written by :meth:`save`; ``ValueError`` for anything else."""
        data = path.read_bytes()
        head, _, body = data.partition(b"\n")
        fields = head.decode("ascii", "replace").split()
        if len(fields) != 9 or fields[:2] != ["sabtyar-hazm-tables", str(_FORMAT)]:
            raise ValueError(f"{path} is not a sabtyar hazm table file")
        sizes = [int(size) for size in fields[2:]]
        if sum(sizes) != len(body):
            raise ValueError(f"{path} is truncated")
        sections, start = [], 0
        for size in sizes:
            sections.append(body[start : start + size])
            start += size
        words_blob, words_offsets, positive, verbs_blob, verbs_offsets, lemma_of, lemmas = sections
        words = WordTable(SortedKeys.from_parts(words_blob, words_offsets), positive)
        numbers = array("I")
        numbers.frombytes(lemma_of)
        verbs = VerbTable(
            SortedKeys.from_parts(verbs_blob, verbs_offsets), numbers, tuple(lemmas.decode().split("\n"))
        )
        if len(words.positive) != len(words) or len(numbers) != len(verbs):
            raise ValueError(f"{path} is inconsistent")
        return cls(words, verbs)


def _cache_file() -> Path:
    return cache_dir() / f"hazm-{metadata.version('hazm')}-tables-{_FORMAT}.bin"


@cache
def hazm_tables() -> HazmTables:
    """The cached tables, or built from hazm and cached (when the cache folder can be written).

    One immutable copy per process, shared by the normalizer and the lemmatizer."""
    path = _cache_file()
    with contextlib.suppress(OSError, ValueError):
        return HazmTables.load(path)
    tables = HazmTables.from_hazm()
    with contextlib.suppress(OSError):
        tables.save(path)
    return tables


#: The packages whose ``__init__`` :func:`hazm_modules` skips, parents first.
_SKIPPED_INITS = ("hazm", "nltk", "nltk.stem", "nltk.tokenize")
#: The modules the engine runs.
_HAZM_MODULES = ("constants", "utils", "stemmer", "word_tokenizer", "lemmatizer", "normalizer")


@cache
def hazm_modules() -> dict[str, ModuleType]:
    """hazm's modules that the engine runs (``"normalizer"``: ``hazm.normalizer``, ...).

    When hazm is not imported yet, they are loaded without running the ``__init__`` of hazm, nltk
    and the two nltk packages they import a base class from: each of those packages is put in
    ``sys.modules`` unexecuted (its spec, so its submodules and data files are found as usual)
    while the modules load, then taken out, so a later ``import hazm`` or ``import nltk`` runs
    the real ``__init__`` (which reuses the modules already loaded)."""
    if "hazm" not in sys.modules:
        placed: list[str] = []
        try:
            for name in _SKIPPED_INITS:
                if name not in sys.modules:
                    spec = find_spec(name)
                    if spec is None:
                        raise ModuleNotFoundError(name)
                    sys.modules[name] = module_from_spec(spec)
                    placed.append(name)
            for name in _HAZM_MODULES:
                importlib.import_module(f"hazm.{name}")
        finally:
            for name in reversed(placed):
                del sys.modules[name]
    return {name: sys.modules[f"hazm.{name}"] for name in _HAZM_MODULES}


def compact_normalizer(tables: HazmTables) -> Any:
    """hazm's ``Normalizer`` with its default settings, looking words up in ``tables``.

    It is constructed with the table-loading steps off, then given the tables and the same
    settings and patterns its constructor sets when they are on.
    """
    import re

    normalizer = _normalizer_class()(correct_spacing=False, decrease_repeated_chars=False, seperate_mi=False)
    normalizer._correct_spacing = normalizer._decrease_repeated_chars = normalizer._seperate_mi = True
    normalizer._tokenizer = _plain_tokenizer()
    normalizer._words = tables.words
    normalizer._verbs = SpacingVerbs(tables.verbs)
    letters = _HAZM_LETTERS
    normalizer.more_than_two_repeat_pattern = re.compile(rf"([{letters}])\1{{2,}}")
    normalizer.repeated_chars_pattern = re.compile(rf"[{letters}]*([{letters}])\1{{2,}}[{letters}]*")
    return normalizer


def _normalizer_class() -> type:
    """hazm's ``Normalizer`` with its two character tables built once, not on every call (hazm
    0.12 rebuilds them in ``normalize`` and ``persian_number``: a third of its time on short texts).
    ``normalize`` runs hazm's own steps, in hazm's order."""
    import re

    from bot.engine.normalize import Translation

    hazm = hazm_modules()
    constants, maketrans = hazm["constants"], hazm["utils"].maketrans
    Normalizer = hazm["normalizer"].Normalizer
    regex_replace = hazm["utils"].regex_replace

    # skipped for a text with none of their characters (most texts): normalize.Translation
    translations = Translation(maketrans(constants.TRANSLATION_SRC, constants.TRANSLATION_DST))
    numbers = Translation(maketrans(constants.NUMBERS_SRC, constants.NUMBERS_DST))
    # hazm's pattern lists compiled once: ``re.sub`` with a pattern's text looks it up in the
    # module's cache on every call (about half the time of the spacing patterns)
    compiled = {
        name: [(re.compile(pattern), replacement) for pattern, replacement in getattr(constants, name)]
        for name in (
            "EXTRA_SPACE_PATTERNS",
            "AFFIX_SPACING_PATTERNS",
            "PUNCTUATION_SPACING_PATTERNS",
            "DIACRITICS_PATTERNS",
            "SPECIAL_CHARS_PATTERNS",
            "PERSIAN_STYLE_PATTERNS",
        )
    }

    class TablesOnceNormalizer(Normalizer):  # type: ignore[misc,valid-type]
        def normalize(self, text: str) -> str:
            text = translations(text)
            steps = (
                (self._persian_style, self.persian_style),
                (self._persian_number, self.persian_number),
                (self._remove_diacritics, self.remove_diacritics),
                (self._correct_spacing, self.correct_spacing),
                (self._unicodes_replacement, self.unicodes_replacement),
                (self._remove_specials_chars, self.remove_specials_chars),
                (self._decrease_repeated_chars, self.decrease_repeated_chars),
                (self._seperate_mi, self.seperate_mi),
            )
            for wanted, step in steps:
                if wanted:
                    text = step(text)
            return str(text)

        def persian_number(self, text: str) -> str:
            return numbers(text)

        def persian_style(self, text: str) -> str:
            return str(regex_replace(compiled["PERSIAN_STYLE_PATTERNS"], text))

        def remove_diacritics(self, text: str) -> str:
            return str(regex_replace(compiled["DIACRITICS_PATTERNS"], text))

        def remove_specials_chars(self, text: str) -> str:
            return str(regex_replace(compiled["SPECIAL_CHARS_PATTERNS"], text))

        def correct_spacing(self, text: str) -> str:
            """hazm 0.12's ``correct_spacing``, step for step, on the compiled patterns."""
            text = regex_replace(compiled["EXTRA_SPACE_PATTERNS"], text)
            lines = []
            for line in text.split("\n"):
                if line.strip() and self._tokenizer:
                    line = " ".join(self.token_spacing(self._tokenizer.tokenize(line)))
                lines.append(line)
            text = regex_replace(compiled["AFFIX_SPACING_PATTERNS"], "\n".join(lines))
            return str(regex_replace(compiled["PUNCTUATION_SPACING_PATTERNS"], text))

    return TablesOnceNormalizer


#: hazm 0.12's ``WordTokenizer.pattern`` (compared with hazm's own in the tests), its Persian
#: punctuation written as escapes: ؟ (U+061F), ، (U+060C), ؛ (U+061B), « and ».
TOKEN_PATTERN = '([{}!?]+|[\\d.:]+|[:.{}{}{}\\])}}"{}\\[({{/\\\\])'.format(
    *map(chr, (0x61F, 0x60C, 0x61B, 0xBB, 0xAB))
)
#: The letters of hazm's repeated-letter patterns (آ ا ب پ ... ه ی), as code points.
_HAZM_LETTERS = (
    "".join(
        map(chr, (0x622, 0x627, 0x628, 0x67E, 0x62A, 0x62B, 0x62C, 0x686, 0x62D, 0x62E, 0x62F, 0x630, 0x631))
    )
    + "".join(
        map(chr, (0x632, 0x698, 0x633, 0x634, 0x635, 0x636, 0x637, 0x638, 0x639, 0x63A, 0x641, 0x642, 0x6A9))
    )
    + "".join(map(chr, (0x6AF, 0x644, 0x645, 0x646, 0x648, 0x647, 0x6CC)))
)


def _plain_tokenizer() -> Any:
    """hazm's ``WordTokenizer(join_verb_parts=False)`` as the normalizer builds it, without its
    word list, which ``tokenize`` never reads with these settings."""
    import re

    WordTokenizer = hazm_modules()["word_tokenizer"].WordTokenizer

    tokenizer = WordTokenizer.__new__(WordTokenizer)
    tokenizer._join_verb_parts = tokenizer._join_abbreviation = tokenizer.separate_emoji = False
    tokenizer.replace_links = tokenizer.replace_ids = tokenizer.replace_emails = False
    tokenizer.replace_numbers = tokenizer.replace_hashtags = False
    tokenizer.pattern = re.compile(TOKEN_PATTERN)
    tokenizer.words = {}
    return tokenizer


def compact_lemmatizer(tables: HazmTables) -> Any:
    """hazm's ``Lemmatizer`` (joined verb parts, as by default) looking words up in ``tables``."""
    hazm = hazm_modules()
    lemmatizer = hazm["lemmatizer"].Lemmatizer.__new__(hazm["lemmatizer"].Lemmatizer)
    lemmatizer.words = tables.words
    lemmatizer.verbs = tables.verbs
    lemmatizer.stemmer = hazm["stemmer"].Stemmer()
    return lemmatizer


def package_folder(name: str) -> Path | None:
    """The folder of the installed package ``name``, found without importing it (finglish's
    ``__init__`` loads a 90 MB list, hazm's all of hazm and nltk), or ``None`` when it is missing."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def finglish_dictionary() -> dict[str, str]:
    """finglish's ``f2p.dictionary`` read from its data file as ``f2p`` reads it, without the
    module's 90 MB word-frequency list."""
    folder = package_folder("finglish")  # not imported: its __init__ imports f2p
    if folder is None:
        raise ModuleNotFoundError("finglish is not installed")
    text = (folder / "f2p-dict.txt").read_text(encoding="utf-8")
    pairs = [line.strip().split(" ", 1) for line in text.split("\n") if line.strip()]
    return {key.strip(): value.strip() for key, value in pairs}
