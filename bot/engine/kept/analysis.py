"""The analysis of the knowledge base's texts, kept in the cache folder between starts.

Building an engine analyzes every phrasing and answer (hazm's normalizer and lemmatizer, about
half a second for the shipped knowledge): what the analyzer learns from them
(:class:`~bot.engine.analyzer.VocabularyParts`) and the phrasings' match keys. Both depend only on
the texts, the language data and the analysis code, so they are kept in the cache folder
(:func:`bot.engine.compact_tables.cache_dir`) under a digest of all of them (the texts, the
lexicon, the source of the analysis modules, the versions of hazm, finglish, rapidfuzz, Python
and its Unicode tables): a restart on unchanged knowledge reads them back, any change is
another digest. Only analyzers on the compact tables keep their analysis
(``Analyzer.keeps_analysis``); an unreadable file is analyzed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType

from bot import calendar
from bot.engine import analyzer as analyzer_module
from bot.engine import compact_tables, normalize
from bot.engine.analyzer import Analyzer, MatchKey, VocabularyParts
from bot.engine.reading import finglish, spoken_verbs

__all__ = ["analyzed"]

#: The modules whose code decides a text's analysis.
_CODE: tuple[ModuleType, ...] = (analyzer_module, normalize, finglish, compact_tables, calendar, spoken_verbs)
_PACKAGES = ("hazm", "finglish", "rapidfuzz")
#: Bumped whenever what a file holds changes.
_FORMAT = 1
_FOLDER = "analysis"
_KEPT = 4


def analyzed(
    analyzer: Analyzer, texts: Sequence[str], background: Sequence[str]
) -> tuple[Analyzer, list[MatchKey]]:
    """``analyzer`` with the vocabulary of ``texts`` and ``background`` (see
    :meth:`~bot.engine.analyzer.Analyzer.with_vocabulary`) and the match keys of ``texts``: read
    back from the cache folder when these texts were analyzed before, else analyzed (and kept)."""
    if not analyzer.keeps_analysis:
        vocabulary = analyzer.with_vocabulary(texts, background)
        return vocabulary, [vocabulary.analyze(text) for text in texts]
    path = _cache_file(analyzer, texts, background)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        parts, keys = _read(path, len(texts))
        os.utime(path)  # in use: the newest, kept by the pruning below
        return analyzer.with_parts(parts), keys
    parts = analyzer.vocabulary_parts(texts, background)
    vocabulary = analyzer.with_parts(parts)
    keys = [vocabulary.analyze(text) for text in texts]
    with contextlib.suppress(OSError):
        _write(path, parts, keys)
        _prune(path.parent)
    return vocabulary, keys


def _read(path: Path, count: int) -> tuple[VocabularyParts, list[MatchKey]]:
    record = json.loads(path.read_text(encoding="utf-8"))
    parts = VocabularyParts(
        [(str(word), int(number)) for word, number in record["counts"]],
        [(str(first), str(second)) for first, second in record["bigrams"]],
        [str(word) for word in record["protected"]],
        [str(word) for word in record["familiar"]],
        [[str(word) for word in phrase] for phrase in record["finglish"]],
    )
    keys = [
        MatchKey(tuple(tokens), frozenset(unknown), frozenset(foreign))
        for tokens, unknown, foreign in record["keys"]
    ]
    if len(keys) != count:
        raise ValueError(f"{path} holds {len(keys)} keys, not {count}")
    return parts, keys


def _write(path: Path, parts: VocabularyParts, keys: list[MatchKey]) -> None:
    """Write atomically (a partial file moved into place)."""
    record = {
        "counts": parts.counts,
        "bigrams": parts.bigrams,
        "protected": parts.protected,
        "familiar": parts.familiar,
        "finglish": parts.finglish,
        "keys": [[list(key.tokens), sorted(key.unknown), sorted(key.foreign)] for key in keys],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    partial.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _prune(folder: Path) -> None:
    """Keep the most recently used analyses (each knowledge edit makes a new one)."""
    kept = sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in kept[_KEPT:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _cache_file(analyzer: Analyzer, texts: Sequence[str], background: Sequence[str]) -> Path:
    """Named by a digest of everything the analysis reads (any change means another file)."""
    digest = hashlib.sha256()
    versions = [metadata.version(name) for name in _PACKAGES]
    digest.update(repr((_FORMAT, versions, sys.version, unicodedata.unidata_version)).encode())
    for module in _CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(repr(analyzer.lexicon).encode())
    for group in (texts, background):
        digest.update(repr(len(group)).encode())
        digest.update("\x00".join(group).encode())
    return compact_tables.cache_dir() / _FOLDER / f"{digest.hexdigest()[:32]}.json"
