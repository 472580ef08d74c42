"""The CLI in-process: parse, then dispatch with a context of the test's own paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.cli.command import CliContext, dispatch
from bot.cli.main import build_parser
from bot.engine.engine import AnswerEngine
from bot.locale import load_locales
from bot.settings import ROOT


def run_cli(
    argv: Sequence[str],
    *,
    knowledge_dir: Path = ROOT / "knowledge",
    store_path: Path = Path("unused.db"),
    language: str = "fa",
    engine: AnswerEngine | None = None,
) -> int:
    """The exit code of ``sabtyar ARGV`` against ``knowledge_dir`` and ``store_path`` (and an
    already built ``engine``, to spare the tests the engine's start-up)."""
    locales = load_locales(ROOT / "locales", language)
    context = CliContext(locales, knowledge_dir, store_path, None, (lambda: engine) if engine else None)
    return dispatch(build_parser().parse_args(list(argv)), context)
