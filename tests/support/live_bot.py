"""``sabtyar run`` as a real subprocess pointed at a FakeBotApi in the test process (e2e tests)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import ROOT
from tests.support.fakeapi import FakeBotApi

__all__ = ["LiveBot", "live_bot", "sabtyar"]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SABTYAR_")}
    return {**env, "PYTHONUNBUFFERED": "1"}


def write_config(
    folder: Path, api: FakeBotApi, *, flood: tuple[int, float] = (4, 3.0), extra: str = ""
) -> Path:
    """A config for ``api``'s profile only, with the store in ``folder``; no hash secret (it is generated).

    ``extra`` is appended TOML (other sections: ``[general]``, ``[staff.*]``, ``[handoff.*]``).
    """
    profile = api.profile.name
    other = "bale" if profile == "telegram" else "telegram"
    config = folder / "config.toml"
    config.write_text(
        f"[platforms.{profile}]\n"
        f'token = "{api.token}"\n'
        f'base_url = "{api.base_url}"\n'
        f'base_file_url = "{api.base_file_url}"\n'
        f"[platforms.{other}]\nenabled = false\n"
        '[store]\npath = "sabtyar.db"\n'
        f"[flood]\nmessages = {flood[0]}\nwindow_seconds = {flood[1]}\n{extra}",
        encoding="utf-8",
    )
    return config


async def sabtyar(*args: str, config: Path) -> tuple[int, str, str]:
    """Run a ``sabtyar`` command without blocking the fake server's loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        "--config",
        str(config),
        *args,
        cwd=ROOT,
        env=_environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


@dataclass
class LiveBot:
    api: FakeBotApi
    process: subprocess.Popen[bytes]
    config: Path
    db: Path
    log: Path
    #: What the tests made happen, for the final ``sabtyar stats`` check.
    expected: Counter[str] = field(default_factory=Counter)

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=10)) as connection:
            return connection.execute(sql, parameters).fetchall()

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def stats(self) -> dict[str, Any]:
        code, out, err = await sabtyar("stats", "--json", config=self.config)
        assert code == 0, err
        return json.loads(out)

    async def wait_exit(self, timeout: float = 20.0) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.process.poll() is None:
            if loop.time() > deadline:
                self.process.kill()
                raise TimeoutError("sabtyar run did not stop")
            await asyncio.sleep(0.05)
        return self.process.returncode


@contextlib.asynccontextmanager
async def live_bot(
    folder: Path, api: FakeBotApi, *, started: str = "getUpdates", **config: Any
) -> AsyncIterator[LiveBot]:
    """Start ``sabtyar run``, wait for its first ``started`` call (a long poll; ``setWebhook`` in
    webhook mode) made after this start; SIGTERM and a clean exit at the end."""
    path = write_config(folder, api, **config)
    before = len(api.calls(started))
    log = folder / "sabtyar.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "--config", str(path), "run"],
            cwd=ROOT,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    bot = LiveBot(api, process, path, folder / "sabtyar.db", log)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while len(api.calls(started)) <= before:
            if process.poll() is not None:
                raise RuntimeError(f"sabtyar run exited ({process.returncode}):\n{bot.stderr()}")
            if loop.time() > deadline:
                raise TimeoutError(f"sabtyar run made no {started} call:\n{bot.stderr()}")
            await asyncio.sleep(0.05)
        yield bot
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            await bot.wait_exit()
