"""A CI-sized run of the hostile-update fuzz (``benchmarks/fuzz_updates.py`` runs 10,000 on demand)."""

from __future__ import annotations

from pathlib import Path

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from tests.e2e.test_secrets import free_port
from tests.support.fuzz import run_fuzz


def test_hostile_updates_get_a_reply_or_a_deliberate_silence_and_no_traceback(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    report = run_fuzz(tmp_path, engine, locales, 400, seed=1405, webhook_port=free_port())
    assert report.updates == 400 and report.webhook_posts == 40
    assert report.unexpected == [] and report.errors == [], report.summary()
    assert sum(report.replies.values()) > 100 and sum(report.silences.values()) > 100
    assert {"no secret 403", "oversized 413", "not JSON 400"} <= set(report.statuses), report.statuses
