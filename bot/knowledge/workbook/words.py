"""The knowledge workbook's words: written in one language, read in every language.

The guide sheet, the ``needs_review`` cell words, the headers of the offices and province sheets
(``kb.office_columns.*``; the weekdays are ``offices.day.*``) and the comment header of a new
category file are ``kb.*`` texts in ``locales/``. Export writes one language's; import recognises
the guide sheet, those headers (and the columns' own names) and the yes/no words of every
language, and ``TRUE``/``FALSE``, ``yes``/``no``, ``1``/``0`` (Excel and LibreOffice booleans), so
a workbook exported in one language imports in any::

    words = KbWords.of(load_locales(ROOT / "locales"))        # writes Persian, the default
    export_workbook(knowledge_dir, Path("answers.xlsx"), words)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.directory.offices import WEEKDAYS
from bot.locale import Catalog, Locales

__all__ = ["KbWords"]

#: Booleans as spreadsheets and people type them in any language (compared lowercased).
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


def _words(catalogs: list[Catalog], *keys: str) -> frozenset[str]:
    """The words of ``keys`` (space-separated) in every catalog, lowercased."""
    return frozenset(word.lower() for c in catalogs for key in keys for word in c.text(key).split())


@dataclass(frozen=True)
class KbWords:
    """``catalog`` is the language written; the other fields are what import reads, in any language."""

    catalog: Catalog
    guide_sheets: frozenset[str]
    guide_headers: frozenset[tuple[str, str]]
    true_words: frozenset[str]
    false_words: frozenset[str]
    catalogs: tuple[Catalog, ...] = ()

    @classmethod
    def of(cls, locales: Locales, language: str | None = None) -> KbWords:
        """Writing in ``language`` (default: the locales' default), reading every language."""
        catalogs = list(locales.catalogs.values())
        return cls(
            catalog=locales.get(language),
            guide_sheets=frozenset(catalog.text("kb.guide.sheet") for catalog in catalogs),
            guide_headers=frozenset(
                (catalog.text("kb.guide.column"), catalog.text("kb.guide.text")) for catalog in catalogs
            ),
            true_words=_TRUE | _words(catalogs, "kb.needs_review.yes_word", "kb.needs_review.also_yes"),
            false_words=_FALSE | _words(catalogs, "kb.needs_review.no_word", "kb.needs_review.also_no"),
            catalogs=tuple(catalogs),
        )

    @property
    def yes(self) -> str:
        """The word written for ``needs_review: true`` («بله»)."""
        return self.catalog.text("kb.needs_review.yes_word")

    @property
    def no(self) -> str:
        """The word written for ``needs_review: false`` («خیر»)."""
        return self.catalog.text("kb.needs_review.no_word")

    @property
    def guide_sheet(self) -> str:
        """The title of the guide sheet written («راهنما»)."""
        return self.catalog.text("kb.guide.sheet")

    def header(self, title: str) -> str:
        """The comment header of a new category file: its title, then how to edit it."""
        return f"# {title}\n# {self.catalog.text('kb.yaml_hint')}\n"

    def label(self, column: str, catalog: Catalog | None = None) -> str:
        """The header of an offices or province column («شنبه», «نام اداره»)."""
        catalog = catalog or self.catalog
        key = f"offices.day.{column}" if column in WEEKDAYS else f"kb.office_columns.{column}"
        return catalog.text(key)

    def labels(self, columns: Sequence[str]) -> dict[str, str]:
        """The headers written for ``columns``, by column."""
        return {column: self.label(column) for column in columns}

    def column_names(self, columns: Sequence[str]) -> dict[str, str]:
        """Header text (lowercased) -> column: the headers of every language, and the names."""
        names = {column.lower(): column for column in columns}
        for catalog in (self.catalog, *self.catalogs):
            for column in columns:
                names.setdefault(" ".join(self.label(column, catalog).lower().split()), column)
        return names

    def offices_header(self) -> str:
        """The comment header of a new ``offices.yaml``."""
        return "".join(f"# {line}\n" for line in self.catalog.text("kb.offices_yaml_hint").split("\n"))
