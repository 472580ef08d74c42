"""``sabtyar --help`` and every command's help and usage in the officer's language: Persian unless
the configuration names English; commands and option names stay as they are typed."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli.help_words import text_keys
from bot.cli.main import build_parser, main
from bot.locale import LANGUAGES, bundled_catalog

_PERSIAN = re.compile(r"[\u0600-\u06FF]")


def helps(parser: argparse.ArgumentParser) -> list[str]:
    """Every text a reader sees in ``parser``'s help and its sub-parsers' (not the names typed)."""
    found = [parser.description or ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found += [listed.help or "" for listed in action._choices_actions]
            for sub in action.choices.values():
                found += helps(sub)
        elif action.help is not None:
            found.append(action.help)
    return found


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main([*argv, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_help_text_has_its_words_in_both_languages(language: str) -> None:
    catalog = bundled_catalog(language)
    for key in text_keys(build_parser()):
        shared = re.sub(r"^cli\.help\.[\w.]+\.(\w+)$", r"cli.help.common.\1", key)
        assert key in catalog or shared in catalog, key


def test_in_persian_every_help_is_persian(tmp_path: Path) -> None:
    texts = helps(build_parser(bundled_catalog("fa")))
    assert len(texts) > 50
    assert [text for text in texts if not _PERSIAN.search(text)] == []


def test_sabtyar_help_speaks_persian_by_default_and_keeps_the_names_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\nname = "x"\n', encoding="utf-8")
    said = help_of(capsys, "--config", str(config))
    assert said.startswith("کاربرد: sabtyar [-h] [--config CONFIG]")
    assert "گزینه‌ها:" in said and "نمایش این راهنما و خروج" in said and "show this help" not in said
    assert "پاک کردن متن پرسش‌ها و نظرها" in said
    said = help_of(capsys, "--config", str(config), "purge")
    assert said.startswith("کاربرد: sabtyar purge [-h] --older-than DAYS [--db DB]")
    assert "پاک کردن متن‌های قدیمی‌تر از DAYS روز" in said


def test_sabtyar_help_speaks_english_when_the_config_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\nlanguage = "en"\n', encoding="utf-8")
    said = help_of(capsys, "--config", str(config), "kb", "import")
    assert said.startswith("usage: sabtyar kb import [-h] [--check] file")
    assert "validate only; change no file" in said and not _PERSIAN.search(said)
