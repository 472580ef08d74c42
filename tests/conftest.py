"""Shared fixtures: the costly hazm-backed analyzer and the engine are built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.engine.analyzer import Analyzer
from bot.engine.engine import AnswerEngine, build_engine, new_analyzer
from bot.engine.lexicon import load_lexicon
from bot.locale import Locales, load_locales
from bot.settings import ROOT, Settings

# As `sabtyar run` does (bot/runner.py): PTB's announced RetryAfter behaviour, so in-process
# handler tests don't turn its deprecation warning into an error under filterwarnings=error.
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def base_analyzer(settings: Settings) -> Analyzer:
    lexicon, problems = load_lexicon(settings.knowledge_dir)
    assert not problems
    return new_analyzer(lexicon)


@pytest.fixture(scope="session")
def engine(settings: Settings, base_analyzer: Analyzer) -> AnswerEngine:
    return build_engine(
        settings.knowledge_dir, settings.engine.thresholds, settings.engine.weights, base_analyzer
    )


@pytest.fixture
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``SABTYAR_CONFIG`` for commands run without ``--config`` (in-process or child processes):
    a config of the test's own, so the database and the staff's knowledge copy go to ``tmp_path``,
    never to the checkout's ``data/`` (shared with tests running beside it and a developer's bot),
    and a developer's ``config.toml`` is not read."""
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "data/sabtyar.db"\n', encoding="utf-8")
    monkeypatch.setenv("SABTYAR_CONFIG", str(config))
    return config


@pytest.fixture(scope="session")
def locales() -> Locales:
    return load_locales(ROOT / "locales")
