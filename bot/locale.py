"""User-facing text by key, from ``locales/<language>.yaml`` (Persian first, English too)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from bot.calendar import persian_digits
from bot.shipped import shipped_dir
from bot.yaml_text import safe_load

__all__ = ["LANGUAGES", "Catalog", "Locales", "bundled_catalog", "load_locales"]

LANGUAGES = ("fa", "en")


@dataclass(frozen=True)
class Catalog:
    """The strings of one language; ``text(key, **values)`` fills ``{placeholders}``.

    In Persian, a number passed as a value is written in Persian digits (``count=3`` -> «۳»), so
    no caller has to remember it; text values are left as they are."""

    language: str
    strings: dict[str, str]

    def text(self, key: str, /, **values: object) -> str:
        template = self.strings[key]
        if not values:
            return template
        return template.format(**{name: self.shown(value) for name, value in values.items()})

    def shown_digits(self, text: str) -> str:
        """``text`` with its digits in this language's (times such as ``7:30``, distances)."""
        return persian_digits(text) if self.language == "fa" else text

    def shown(self, value: object) -> object:
        """A number in this language's digits; anything else unchanged."""
        if self.language == "fa" and isinstance(value, int | float) and not isinstance(value, bool):
            return persian_digits(value)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self.strings


@dataclass(frozen=True)
class Locales:
    catalogs: dict[str, Catalog]
    default: str = "fa"

    def get(self, language: str | None) -> Catalog:
        return self.catalogs.get(language or self.default) or self.catalogs[self.default]


def _flatten(data: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value).strip("\n") if isinstance(value, str) else str(value)
    return flat


def load_locales(folder: Path, default: str = "fa") -> Locales:
    """Read every language's file; nested keys become dotted (``chat.welcome``)."""
    catalogs = {}
    for language in LANGUAGES:
        data = safe_load((folder / f"{language}.yaml").read_text(encoding="utf-8")) or {}
        catalogs[language] = Catalog(language, _flatten(data))
    return Locales(catalogs, default)


@functools.cache
def bundled_catalog(language: str) -> Catalog:
    """The shipped texts of ``language`` (read once): for logs and exception texts, which have no
    configured catalog at hand."""
    return load_locales(shipped_dir("locales")).get(language)  # in the wheel or the checkout
