"""``sabtyar run`` and ``sabtyar chat``: the bots, or the terminal chat on the same engine.

``run`` with no token configured falls back to the terminal chat (said in Persian and English),
but only where there is a terminal: with no token and stdin not a terminal (under systemd, in a
container) it says so and exits with status 2, instead of a chat nobody can use.
"""

from __future__ import annotations

import argparse
import faulthandler
import sys
from typing import Any

from bot.cli.command import CliContext, CommandError
from bot.locale import LANGUAGES

__all__ = ["register"]


def register(commands: Any) -> None:
    commands.add_parser("run", help="run the bots; with no token configured, the terminal chat").set_defaults(
        run=run_bots
    )
    commands.add_parser("chat", help="terminal chat on the answer engine").set_defaults(run=run_terminal_chat)


def run_terminal_chat(args: argparse.Namespace, context: CliContext) -> int:
    from bot.cli.chat import run_chat

    run_chat(context.engine, context.catalog)
    return 0


def run_bots(args: argparse.Namespace, context: CliContext) -> int:
    settings = context.settings
    if settings is None:
        raise CommandError("cli.error.no_settings")
    if not settings.active_platforms:
        terminal = sys.stdin is not None and sys.stdin.isatty()
        key = "run.no_token" if terminal else "run.no_token_no_terminal"
        for language in LANGUAGES:
            print(context.locales.get(language).text(key), file=sys.stderr)
        return run_terminal_chat(args, context) if terminal else 2
    from bot.runner import run_bots as run

    # a fatal signal (SIGBUS from a database file another process cut short, SIGSEGV) is said on
    # stderr, the log, with where it struck, instead of the process vanishing without a line
    faulthandler.enable()
    return run(settings, context.locales, context.engine)
