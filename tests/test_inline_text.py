"""Persian text is data: no Persian string literal in bot/ or handlers/ outside a few data tables.

User-facing text lives in ``locales/`` and is looked up by key. This test parses every module
with ``ast`` and lists, as ``file:line``, each string constant (f-string parts included) holding an
Arabic-script letter. Documentation strings are not values and are left out, as are Persian and
Arabic-Indic digits and the punctuation ``، ؛ ٪ ٫`` (digit tables, separators). A module may keep
Persian literals only if it is in :data:`ALLOWED`, with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.settings import ROOT

FOLDERS = ("bot", "handlers")

#: Modules whose Persian literals are data, not text shown to anyone, and why.
ALLOWED: dict[str, str] = {
    "bot/engine/normalize.py": "letter-folding table: Arabic letter forms to the Persian ones",
    "bot/engine/analyzer.py": "colloquial endings, homophone letters and the silent heh of the analyzer",
    "bot/engine/reading/finglish.py": "transliteration table: Persian letters to Latin consonants",
    "bot/engine/reading/spoken_verbs.py": "verb prefixes and person endings of spoken and written Persian",
    "bot/engine/clauses.py": "clause splitter's word tables: connectives, question words, courtesy phrases",
    "bot/cli/chat.py": "QUIT_WORDS: what a user may type to leave the terminal chat (input vocabulary)",
    "bot/cli/ask.py": "the --help example of sabtyar ask (a citizen's question)",
    "bot/store/privacy.py": (
        "masks written into the database as stored markers, and the words masking looks for before"
        " a national code or a tracking code; never shown as text"
    ),
}

#: Arabic-script letters: U+0600-U+06FF except the digits and the punctuation ، ؛ ٪ ٫.
LETTER = re.compile(r"[\u0600-\u060b\u060d-\u061a\u061c-\u065f\u066c-\u06ef\u06fa-\u06ff]")


def documentation(tree: ast.Module) -> set[int]:
    """The ids of string constants that are statements of their own: docstrings (the first
    statement of a module, class or function) and attribute docstrings, never values."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def persian_literals(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of each string constant in ``path`` holding an Arabic-script letter."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = documentation(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and LETTER.search(node.value)
    )


def modules() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))


def found() -> dict[str, list[tuple[int, str]]]:
    hits = {path.relative_to(ROOT).as_posix(): persian_literals(path) for path in modules()}
    return {name: lines for name, lines in hits.items() if lines}


def test_no_persian_literal_outside_the_locales() -> None:
    inline = [
        f"{name}:{line}: «{text.replace(chr(10), '⏎')}»"
        for name, lines in found().items()
        if name not in ALLOWED
        for line, text in lines
    ]
    assert inline == [], "Persian text inline; move it to locales/*.yaml:\n" + "\n".join(inline)


def test_the_allowlist_is_current() -> None:
    """Every allowed module exists and still holds Persian literals (else drop it from the list)."""
    hits = found()
    assert sorted(name for name in ALLOWED if name not in hits) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('x = "سلام"', [1]),
        ('x = f"{n} تا {m}"', [1]),
        ('"""سند."""\n\ndef f():\n    """سند."""\n    return "بله"\n', [5]),
        ('class A:\n    x = 1\n    """سند."""\n    y = {"a": "خیر"}\n', [4]),
        ('x = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"\ny = "، "\nz = "{value}٪"\n', []),
    ],
)
def test_what_counts_as_a_persian_literal(tmp_path: Path, source: str, expected: list[int]) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert [line for line, _ in persian_literals(path)] == expected
