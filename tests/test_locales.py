"""Every text the code looks up exists in Persian and English, with the same placeholders."""

from __future__ import annotations

import re
import string

from bot.locale import Locales
from bot.settings import ROOT
from handlers.citizen.media import _KINDS

#: ``catalog.text("key")``, and a key handed to ``menu_command("key")``.
_LOOKUP = re.compile(r"""(?:\.text|menu_command)\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders(locales: Locales) -> None:
    fa, en = locales.get("fa"), locales.get("en")
    assert set(fa.strings) == set(en.strings)
    for key, template in fa.strings.items():
        assert placeholders(template) == placeholders(en.strings[key]), key


def test_every_key_the_code_uses_exists(locales: Locales) -> None:
    fa = locales.get("fa")
    used = {
        key
        for folder in ("bot", "handlers")
        for path in (ROOT / folder).rglob("*.py")
        for key in _LOOKUP.findall(path.read_text(encoding="utf-8"))
    }
    used |= {f"rating.{kind}_{score}" for kind in ("label", "name") for score in range(1, 6)}
    used |= {f"media.{kind}" for _, kind in _KINDS} | {"media.other"}
    assert "bot.welcome" in used and "rating.thanks" in used
    assert sorted(used - set(fa.strings)) == []


def test_button_texts_fit(locales: Locales) -> None:
    for catalog in locales.catalogs.values():
        for key in ("bot.refused", "bot.error", "rating.skipped"):
            assert len(catalog.text(key)) <= 200, key  # answerCallbackQuery's limit
        for score in range(1, 6):
            thanks = catalog.text("rating.thanks", rating=catalog.text(f"rating.name_{score}"))
            assert len(thanks) <= 200, score


def test_numbers_are_written_in_the_catalogs_digits() -> None:
    from bot.locale import Catalog

    fa = Catalog("fa", {"k": "{count} از {total} ({name})"})
    assert fa.text("k", count=3, total=12.5, name="A1") == "۳ از ۱۲.۵ (A1)"
    assert Catalog("en", fa.strings).text("k", count=3, total=12, name="A1") == "3 از 12 (A1)"
    assert fa.text("k", count=True, total=0, name="x") == "True از ۰ (x)"
