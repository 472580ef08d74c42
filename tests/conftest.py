"""Shared fixtures: the costly hazm-backed analyzer and the engine are built once per session."""

from __future__ import annotations

import os

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


@pytest.fixture(scope="session")
def locales() -> Locales:
    return load_locales(ROOT / "locales")
