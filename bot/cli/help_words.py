"""``sabtyar --help`` and every command's help and usage in the officer's language.

The parser is built once, with the commands' own (English) words; :func:`localize` then words
every part a reader sees from the locale (``cli.help.*``): each parser's description and the
line that names it in its parent's list, each argument's help, the section titles, ``-h`` and
the usage line's prefix. Commands, option names and metavariables stay as they are (they are
what is typed). An argument's text is ``cli.help.<command>.<dest>`` (``kb.check`` for a
sub-command), else ``cli.help.common.<dest>`` (the options several commands share); a command's
is ``cli.help.<command>.about``. argparse's own error sentences stay in English.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from bot.locale import Catalog

__all__ = ["HELP", "localize", "text_keys"]

HELP = "cli.help"


def localize(parser: argparse.ArgumentParser, texts: Catalog) -> argparse.ArgumentParser:
    """``parser`` (``sabtyar``'s) and all its sub-parsers worded in ``texts``' language."""
    formatter = _formatter(texts.text(f"{HELP}.chrome.usage"))
    for path, each in _parsers(parser, ()):
        name = ".".join(path) or "sabtyar"
        each.formatter_class = formatter
        each.description = texts.text(f"{HELP}.{name}.about")
        each._positionals.title = texts.text(f"{HELP}.chrome.positionals")
        each._optionals.title = texts.text(f"{HELP}.chrome.options")
        for action in each._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = texts.text(f"{HELP}.chrome.help")
            elif isinstance(action, argparse._SubParsersAction):
                for listed in action._choices_actions:
                    listed.help = texts.text(f"{HELP}.{_joined(path, listed.dest)}.about")
            elif (key := _argument_key(texts, name, action.dest)) is not None:
                action.help = texts.text(key)
    return parser


def text_keys(parser: argparse.ArgumentParser) -> list[str]:
    """Every key :func:`localize` words ``parser`` with (``common`` ones named per command)."""
    keys = [f"{HELP}.chrome.{part}" for part in ("usage", "positionals", "options", "help")]
    for path, each in _parsers(parser, ()):
        name = ".".join(path) or "sabtyar"
        keys.append(f"{HELP}.{name}.about")
        keys += [
            f"{HELP}.{name}.{action.dest}"
            for action in each._actions
            if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        ]
    return keys


def _argument_key(texts: Catalog, name: str, dest: str) -> str | None:
    for key in (f"{HELP}.{name}.{dest}", f"{HELP}.common.{dest}"):
        if key in texts:
            return key
    return None


def _joined(path: tuple[str, ...], name: str) -> str:
    return ".".join((*path, name))


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...]
) -> Iterable[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``(path, parser)`` for ``parser`` and every sub-parser under it."""
    children = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    yield path, parser
    for child in children:
        seen: set[int] = set()
        for name, sub in child.choices.items():
            if id(sub) not in seen:  # an alias names the same parser
                seen.add(id(sub))
                yield from _parsers(sub, (*path, name))


def _formatter(usage: str) -> type[argparse.HelpFormatter]:
    """A help formatter whose usage line begins with ``usage`` (``usage: `` in English)."""

    class Worded(argparse.RawDescriptionHelpFormatter):
        def add_usage(
            self,
            usage_text: str | None,
            actions: Iterable[argparse.Action],
            groups: Iterable[argparse._MutuallyExclusiveGroup],
            prefix: str | None = None,
        ) -> None:
            super().add_usage(usage_text, actions, groups, usage if prefix is None else prefix)

    return Worded
