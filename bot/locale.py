"""User-facing text by key, from ``locales/<language>.yaml`` (Persian first, English too)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "Catalog", "Locales", "load_locales"]

LANGUAGES = ("fa", "en")


@dataclass(frozen=True)
class Catalog:
    """The strings of one language; ``text(key, **values)`` fills ``{placeholders}``."""

    language: str
    strings: dict[str, str]

    def text(self, key: str, /, **values: object) -> str:
        template = self.strings[key]
        return template.format(**values) if values else template

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
        data = yaml.safe_load((folder / f"{language}.yaml").read_text(encoding="utf-8")) or {}
        catalogs[language] = Catalog(language, _flatten(data))
    return Locales(catalogs, default)
