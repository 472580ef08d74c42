"""Spoken verb forms read as their written forms, for hazm's lemmatizer.

hazm's lemmatizer knows the written conjugations («بنویسند», «نمی‌توانند», «نمی‌دهند»), not the
spoken ones citizens type («بنویسن», «نمیتونن», «نمیدن»): those stayed unknown words, and a
question's unknown words keep it from a direct answer. hazm's own informal normalizer reads them,
but builds every informal conjugation of every verb (about 4 s and 400 MB at start). Here only its
small table of spoken present stems (``iverbs.dat``: «تون» is «توان», «د» is «ده») is read, and a
spoken form is rewritten with the written stem and ending, then lemmatized by hazm as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.engine.compact_tables import package_folder

__all__ = ["SpokenVerbs", "hazm_spoken_stems"]

_ZWNJ = "\u200c"
_PREFIXES = ("نمی", "می", "ب", "ن")
#: Spoken person endings and their written forms, longest first: «میرن» is «می‌روند», «میره» «می‌رود».
_ENDINGS = (
    ("ین", "ید"),
    ("یم", "یم"),
    ("ید", "ید"),
    ("ند", "ند"),
    ("ن", "ند"),
    ("م", "م"),
    ("ی", "ی"),
    ("ه", "د"),
    ("د", "د"),
    ("", ""),
)


def hazm_spoken_stems() -> dict[str, str]:
    """hazm's spoken present stems and their written forms (``iverbs.dat``: «تون»: «توان»), read
    from hazm's data folder without importing hazm."""
    folder = package_folder("hazm")
    path = folder / "data" / "iverbs.dat" if folder is not None else None
    if path is None or not path.exists():
        return {}
    return dict(_stems(path.read_text(encoding="utf-8").splitlines()))


def _stems(lines: Iterable[str]) -> Iterable[tuple[str, str]]:
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and "#" in fields[0]:
            spoken, written = fields[1], fields[0].split("#")[1]
            if spoken != written:
                yield spoken, written


class SpokenVerbs:
    """Rewrites a spoken verb form as the written form hazm's lemmatizer reads as a verb."""

    def __init__(self, lemmatize: Callable[[str], str], stems: dict[str, str]) -> None:
        self._lemmatize = lemmatize
        self._stems = stems

    def written(self, word: str) -> str | None:
        """The written form of the spoken verb ``word`` («بنویسن»: «بنویسند», «نمیتونن»:
        «نمی‌توانند»), or ``None`` when no rewrite reads as a verb. A word without a verb prefix is
        read only as a spoken third-person plural («کردن»: «کردند»), so that «خونه» (a house) is
        not «خواند»."""
        plain = word.replace(_ZWNJ, "")
        for prefix in (*_PREFIXES, ""):
            if not plain.startswith(prefix):
                continue
            rest = plain[len(prefix) :]
            for spoken, ending in _ENDINGS if prefix else (("ن", "ند"),):
                stem = rest[: len(rest) - len(spoken)]
                if not rest.endswith(spoken) or len(stem) < 1:
                    continue
                start = prefix + _ZWNJ if prefix.endswith("می") else prefix
                candidate = start + self._stems.get(stem, stem) + ending
                if candidate != word and "#" in self._lemmatize(candidate):
                    return candidate
        return None
