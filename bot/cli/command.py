"""The contract every ``sabtyar`` command follows, and the one place errors become exit codes.

A command module has ``register(commands)``: it adds its parser(s) to the sub-parsers and sets
``run`` as the parser's default, a function ``(args, context) -> int``. A command raises instead
of printing its own errors; :func:`dispatch` turns them into one line on stderr and an exit code:

==========================================  ====  ==========================================
error                                       code  meaning
==========================================  ====  ==========================================
``ValueError``                              2     bad arguments (a date, an option, a format)
:class:`CommandError`                       its   a failure the command words itself
``KnowledgeError``                          1     the knowledge folder has problems (listed)
``FileNotFoundError``, ``StoreError``,      1     no database, an unreadable store or file
``OSError``
==========================================  ====  ==========================================

Every message is said in the configured language: a :class:`~bot.messages.MessageError` (a
``ValueError``) or a :class:`CommandError` carries a locale key, a knowledge problem its
``kb.problem.*`` key; a missing file, a store error and an ``OSError`` are introduced by a
``cli.error.*`` text with the system's own words after it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.calendar import Period
from bot.knowledge.loader import KnowledgeError
from bot.locale import Catalog, Locales
from bot.messages import Message, MessageError
from bot.store import NoDatabase, StoreError

if TYPE_CHECKING:
    from bot.engine.engine import AnswerEngine
    from bot.settings import Settings

__all__ = ["CliContext", "CommandError", "Register", "Run", "add_period_options", "dispatch", "last_days"]

Run = Callable[[argparse.Namespace, "CliContext"], int]


class Register(Protocol):
    def __call__(self, commands: Any) -> None: ...


class CommandError(Exception):
    """A failure a command describes itself, as a locale key and values; ``code`` is the exit
    code (1 by default)."""

    def __init__(self, key: str, /, code: int = 1, **values: str | int | float) -> None:
        self.note = Message.of(key, **values)
        super().__init__(str(self.note))
        self.code = code


@dataclass
class CliContext:
    """What a command may use: the settings' paths, the texts, and the engine built on demand."""

    locales: Locales
    knowledge_dir: Path
    store_path: Path
    settings: Settings | None = None
    _engine_factory: Callable[[], AnswerEngine] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, settings: Settings, locales: Locales) -> CliContext:
        def build() -> AnswerEngine:
            from bot.engine.engine import build_engine

            return build_engine(settings.knowledge_dir, settings.engine.thresholds, settings.engine.weights)

        return cls(locales, settings.knowledge_dir, settings.store.path, settings, build)

    @property
    def catalog(self) -> Catalog:
        return self.locales.get(None)

    @cached_property
    def engine(self) -> AnswerEngine:
        if self._engine_factory is None:
            from bot.engine.engine import build_engine

            return build_engine(self.knowledge_dir)
        return self._engine_factory()


def add_period_options(parser: argparse.ArgumentParser) -> None:
    """``--from``, ``--to`` (a Jalali or Gregorian day, a Jalali month or year), ``--last`` (``30d``:
    the last 30 Iran days, today included) and ``--db``."""
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first day, month or year")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day, month or year, included")
    parser.add_argument("--last", metavar="DAYS", help="the last DAYS Iran days, today included: 30d")
    parser.add_argument("--db", type=Path, help="database file (default: the configured store)")


def last_days(args: argparse.Namespace) -> Period | None:
    """The period of ``--last`` (``None`` without it); a ``MessageError`` with ``--from`` or ``--to``."""
    if args.last is None:
        return None
    if args.date_from or args.date_to:
        raise MessageError("period.error.last_with_dates")
    return Period.last(args.last)


def dispatch(args: argparse.Namespace, context: CliContext) -> int:
    """Run the parsed command; every error it raises becomes a message and an exit code."""
    name = " ".join(part for part in (args.command, getattr(args, "kb_command", None)) if part)
    catalog = context.catalog
    try:
        return int(args.run(args, context))
    except CommandError as error:
        _say(name, error.note.text(catalog))
        return error.code
    except KnowledgeError as error:
        print(catalog.text("cli.knowledge_error", count=len(error.problems)), file=sys.stderr)
        for problem in error.problems:
            where = f"{context.knowledge_dir / problem.file}:{problem.line}"
            print(f"  {where}: {problem.note.text(catalog)}", file=sys.stderr)
        return 1
    except MessageError as error:
        _say(name, error.note.text(catalog))
        return 2
    except ValueError as error:
        _say(name, catalog.text("cli.error.bad_value", error=str(error)))
        return 2
    except NoDatabase as error:
        _say(name, catalog.text("cli.error.no_database", file=str(error.filename)))
        return 1
    except FileNotFoundError as error:
        _say(name, catalog.text("cli.error.no_file", file=str(error.filename or error)))
        return 1
    except StoreError as error:
        _say(name, catalog.text("cli.error.store", error=str(error)))
        return 1
    except OSError as error:
        _say(name, catalog.text("cli.error.os", error=str(error)))
        return 1


def _say(name: str, message: str) -> None:
    print(f"sabtyar {name}: {message}", file=sys.stderr)
