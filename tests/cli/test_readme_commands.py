"""The README's command table lists every command and option of ``sabtyar``, and each example in it
is one the parser takes: the table cannot fall behind the code (issue 15, item 7)."""

from __future__ import annotations

import argparse
import re
import shlex

from bot.cli.main import build_parser
from bot.settings import ROOT

_ROW = re.compile(r"^\| `(sabtyar [^`]*)` \|(.*)\|$", re.MULTILINE)
#: An option named in a row's description (``--db FILE``, ``--format xlsx|csv|json``).
_OPTION = re.compile(r"`(--[a-z0-9-]+)")


def readme_rows() -> list[tuple[list[str], set[str]]]:
    """Every row of the README's ``## Commands`` table: its example as an argument list (a shell
    redirection left out) and the options its description names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Commands\n") :]
    section = section[: section.index("\n### ")]
    rows = []
    for found in _ROW.finditer(section):
        words = shlex.split(found.group(1).replace("\\|", "|"))[1:]
        rows.append(
            (words[: words.index("<")] if "<" in words else words, set(_OPTION.findall(found.group(2))))
        )
    return rows


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], set[str]]:
    """Every command the parser runs (``("kb", "check")``), with its options' names (an option
    with two names, such as ``--min-top3``/``--min-in-reply``, by its first)."""
    found: dict[tuple[str, ...], set[str]] = {}
    children = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    if path and not children:
        found[path] = {
            action.option_strings[0]
            for action in parser._actions
            if action.option_strings and not isinstance(action, argparse._HelpAction)
        }
    for child in children:
        for name, subparser in child.choices.items():
            found |= commands(subparser, (*path, name))
    return found


def command_of(words: list[str], known: dict[tuple[str, ...], set[str]]) -> tuple[str, ...]:
    rest = words[2:] if words[:1] == ["--config"] else words
    return next(path for path in known if tuple(rest[: len(path)]) == path)


def test_every_example_in_the_readme_table_is_one_sabtyar_takes() -> None:
    parser = build_parser()
    rows = readme_rows()
    assert len(rows) >= 20
    for words, _named in rows:
        try:
            parser.parse_args(words)
        except SystemExit:
            raise AssertionError(f"README: sabtyar {shlex.join(words)} is refused by the parser") from None


def test_the_readme_table_lists_every_command_and_option() -> None:
    known = commands(build_parser())
    aliases = {
        option: action.option_strings[0]
        for action in _every_action(build_parser())
        for option in action.option_strings
    }
    listed: dict[tuple[str, ...], set[str]] = {}
    config_shown = False
    for words, named in readme_rows():
        path = command_of(words, known)
        config_shown = config_shown or words[:1] == ["--config"]
        rest = words[2:] if words[:1] == ["--config"] else words
        shown = {aliases.get(word, word) for word in [*rest, *named] if word.startswith("--")}
        stale = shown - known[path] - {"--config"}
        assert not stale, f"README: sabtyar {' '.join(path)} has no option {sorted(stale)}"
        listed.setdefault(path, set()).update(shown)
    assert config_shown, "the README has no example of --config"
    assert sorted(set(known) - set(listed)) == [], "commands the README's command table does not show"
    missing = {
        path: sorted(options - listed[path]) for path, options in known.items() if options - listed[path]
    }
    assert missing == {}, f"options the README's command table does not show: {missing}"


def _every_action(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                actions += _every_action(subparser)
    return actions
