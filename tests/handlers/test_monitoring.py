"""``[monitoring]``: ``/healthz`` and ``/metrics`` scraped over HTTP while the bot answers over the
fake Bot API; the figures move with what the bot does."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Rate, encode
from bot.messenger.monitoring import MonitoringSettings
from tests.support.bot_harness import running_bot
from tests.support.fakeapi import Fault

QUESTION = "شناسنامه‌ام گم شده"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_healthz_and_metrics_follow_the_bot(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    changes = {"monitoring": MonitoringSettings(enabled=True, port=port)}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        status, _ = await get(f"{base}/metrics")
        assert status == 200
        citizen = bot.api.create_user("مریم")
        [answer] = await bot.say(citizen, QUESTION)
        status, health = await get(f"{base}/healthz")
        assert status == 200, health
        assert health.splitlines() == ["ok engine", "ok store telegram", "ok updates telegram"]

        status, text = await get(f"{base}/metrics")
        before = samples(text)
        telegram = (("platform", "telegram"),)
        assert before[("sabtyar_updates_total", telegram)] == 1
        assert before[("sabtyar_answers_total", (("outcome", "answer"), *telegram))] == 1
        assert before[("sabtyar_reply_seconds_count", telegram)] == 1
        assert before[("sabtyar_store_backlog", telegram)] == 0
        assert before[("sabtyar_unconfirmed_replies", telegram)] == 0  # the answer's place given back
        assert before[("sabtyar_last_poll_timestamp_seconds", telegram)] > 0

        [[event_id]] = bot.rows("SELECT id FROM answer_events")
        await bot.press(citizen, answer, encode(Rate(event_id, 5)), edits="editMessageReplyMarkup")
        bot.api.inject(Fault.retry_after(1), "sendMessage")
        await bot.say(citizen, "هوای تهران چطوره")
        after = samples((await get(f"{base}/metrics"))[1])
        assert after[("sabtyar_updates_total", telegram)] == 3
        assert after[("sabtyar_ratings_total", (*telegram, ("score", "5")))] == 1
        assert after[("sabtyar_answers_total", (("outcome", "no_match"), *telegram))] == 1
        assert after[("sabtyar_reply_seconds_count", telegram)] == 2
        assert after[("sabtyar_bot_api_errors_total", (("kind", "throttled"), *telegram))] == 1
        assert after[("sabtyar_bot_api_retries_total", telegram)] == 1

        # A database another writer holds past the probe's 2 s: not ready, and it says why.
        with contextlib.closing(sqlite3.connect(bot.db, isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")
            status, health = await get(f"{base}/healthz")
            holder.execute("ROLLBACK")
        assert status == 503 and "fail store telegram: the database does not take writes" in health
        assert (await get(f"{base}/healthz"))[0] == 200


async def test_not_ready_before_the_first_poll_answers(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    port = free_port()
    changes = {"monitoring": MonitoringSettings(enabled=True, port=port)}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes):
        status, health = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503 and "fail updates telegram: getUpdates never answered" in health
        assert "ok engine" in health and "ok store telegram" in health


async def test_monitoring_is_off_by_default(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> None:
    assert MonitoringSettings().enabled is False and MonitoringSettings().listen == "127.0.0.1"
    async with running_bot(tmp_path, engine, locales):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", MonitoringSettings().port)) != 0


def test_the_unconfirmed_replies_gauge_reads_the_window_at_each_scrape() -> None:
    from prometheus_client import generate_latest

    from bot.messenger.monitoring import Metrics
    from bot.messenger.updates.window import SendWindow

    metrics, window = Metrics(), SendWindow(10)
    metrics.watch_unconfirmed("bale", lambda: window.held)
    window.held = 3  # three replies sent, their updates not yet marked done
    assert (
        samples(generate_latest(metrics.registry).decode())[
            ("sabtyar_unconfirmed_replies", (("platform", "bale"),))
        ]
        == 3
    )
    window.held = 0
    assert (
        samples(generate_latest(metrics.registry).decode())[
            ("sabtyar_unconfirmed_replies", (("platform", "bale"),))
        ]
        == 0
    )
