"""``sabtyar``: the command line, a thin layer over the engine and the knowledge tools.

Examples::

    sabtyar run                      # the bots; with no token, the terminal chat
    sabtyar chat                     # the terminal chat
    sabtyar ask "شناسنامه‌ام گم شده"
    sabtyar ask --jsonl < questions.txt
    sabtyar eval tests/data/heldout.jsonl
    sabtyar calibrate tests/data/heldout.jsonl
    sabtyar kb check
    sabtyar stats --json --from 1405-07-01 --to 1405-07-30
    sabtyar kb export answers.xlsx   # the knowledge base as a workbook staff edit
    sabtyar kb import answers.xlsx   # validated first; all or nothing
    sabtyar report --from 1405-07-01 --to 1405-09-30 --format xlsx --out indicators.xlsx
    sabtyar chart --out chart.png
    sabtyar purge --older-than 180   # remove raw question texts and comments, keep the figures
    sabtyar backup /var/backups/sabtyar/sabtyar.db   # a consistent copy while the bot runs
    sabtyar restore /var/backups/sabtyar/sabtyar.db  # with the bot stopped
    sabtyar doctor                   # config, knowledge, database, tokens, webhooks: one line each
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from bot.cli import ask, backup, doctor, kb, purge, report, run, stats
from bot.cli.command import CliContext, Register, dispatch
from bot.cli.help_words import localize
from bot.knowledge.working_copy import prepare_working_copy
from bot.locale import LANGUAGES, Catalog, bundled_catalog, load_locales
from bot.settings import CONFIG_VARIABLE, ConfigError, config_path, load_settings

__all__ = ["COMMANDS", "build_parser", "config_language", "main"]

#: Commands that never make or update the knowledge's working copy: they do not read the
#: knowledge, or (``doctor``) only look at it where it is.
_WITHOUT_KNOWLEDGE = frozenset({"backup", "restore", "stats", "purge", "doctor"})

#: Every command module, in the order ``--help`` lists them.
COMMANDS: tuple[Register, ...] = (
    run.register,
    ask.register,
    kb.register,
    stats.register,
    report.register,
    purge.register,
    backup.register,
    doctor.register,
)


def build_parser(texts: Catalog | None = None) -> argparse.ArgumentParser:
    """``sabtyar``'s parser; with ``texts``, its help and usage in their language (``help_words``)."""
    parser = argparse.ArgumentParser(prog="sabtyar", description="sabtyar: civil-registration assistant")
    parser.add_argument("--config", help="TOML config file (default: $SABTYAR_CONFIG or config.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(commands)
    return parser if texts is None else localize(parser, texts)


def _named_config(argv: Sequence[str] | None) -> Path:
    """The configuration file ``argv`` (or the environment) names, before the arguments are parsed."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--config")
    known, _rest = first.parse_known_args(argv)
    return config_path(known.config)


def config_language(path: Path) -> str:
    """The ``[general] language`` the configuration file names, when it can be read and names one
    sabtyar speaks, else Persian: the language to say in that the file is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return LANGUAGES[0]
    general = data.get("general")
    language = general.get("language") if isinstance(general, dict) else None
    return language if language in LANGUAGES else LANGUAGES[0]


def _utf8_stdout() -> None:
    """Write UTF-8 whatever the locale of the terminal (Persian text)."""
    if sys.stdout.encoding and sys.stdout.encoding.lower() != "utf-8":
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]


def main(argv: Sequence[str] | None = None) -> int:
    # the help and usage in the language the configuration names (Persian when it names none)
    args = build_parser(bundled_catalog(config_language(_named_config(argv)))).parse_args(argv)
    path = config_path(args.config)
    named = bool(args.config or os.environ.get(CONFIG_VARIABLE))
    try:
        # doctor holds a file named by SABTYAR_CONFIG to exist, as one named by --config
        settings = load_settings(path, required=bool(args.config) or (named and args.command == "doctor"))
    except ConfigError as error:
        _utf8_stdout()
        said = bundled_catalog(config_language(path))  # the file's own language, if it names one
        if args.command == "doctor":  # said as the check it is, on stdout with the others
            print(doctor.config_failed(error.text(said), path).line(said))
            return 1
        text = said.text("cli.config_error", error=error.text(said))
        print(f"sabtyar: {text} -> {doctor.config_advice(path).text(said)}", file=sys.stderr)
        return 2
    _utf8_stdout()
    locales = load_locales(settings.locales_dir, settings.language)
    catalog, folder = locales.get(None), str(settings.knowledge_dir)
    if named and not path.exists():
        text = catalog.text("doctor.config_named_missing", file=str(path))
        print(f"sabtyar: {text} -> {doctor.config_advice(path).text(catalog)}", file=sys.stderr)
    missing = settings.knowledge_dir_configured and not settings.knowledge_dir.is_dir()
    if args.command not in _WITHOUT_KNOWLEDGE and not missing:  # a configured folder is never made up
        try:
            report = prepare_working_copy(settings.shipped_knowledge_dir, settings.knowledge_dir)
        except OSError as error:
            text = catalog.text("cli.knowledge_unprepared", folder=folder, error=str(error))
            print(f"sabtyar: {text}", file=sys.stderr)
            return 1
        if report.seeded:
            print(f"sabtyar: {catalog.text('cli.knowledge_seeded', folder=folder)}", file=sys.stderr)
        for line in report.said(catalog):
            print(f"sabtyar: {line}", file=sys.stderr)
    return dispatch(args, CliContext.of(settings, locales))


if __name__ == "__main__":
    raise SystemExit(main())
