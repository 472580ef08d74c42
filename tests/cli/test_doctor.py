"""``sabtyar doctor`` as an IT officer runs it: a real process against the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT
from tests.support.fakeapi import FakeBotApi


async def doctor(config: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        "--config",
        str(config),
        "doctor",
        *extra,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    noise = [line for line in err.decode().splitlines() if "پوشه دانشنامه کارکنان" not in line]
    assert noise == [], err.decode()
    return int(process.returncode or 0), out.decode().splitlines()


def write_config(tmp_path: Path, api: FakeBotApi, token: str, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[store]\npath = "data/sabtyar.db"\n'
        f'[platforms.telegram]\ntoken = "{token}"\nbase_url = "{api.base_url}"\n'
        f'base_file_url = "{api.base_file_url}"\n[platforms.bale]\nenabled = false\n{extra}',
        encoding="utf-8",
    )
    return config


async def test_doctor_names_a_bad_token_and_a_missing_knowledge_folder(tmp_path: Path) -> None:
    async with FakeBotApi("telegram") as api:
        config = write_config(tmp_path, api, "999:WRONG", '[general]\nknowledge_dir = "nowhere"\n')
        code, lines = await doctor(config)
    assert code == 1
    [knowledge] = [line for line in lines if " knowledge:" in line]
    assert (
        knowledge.startswith("FAIL knowledge: the knowledge folder")
        and str(tmp_path / "nowhere") in knowledge
    )
    assert "-> remove [general] knowledge_dir" in knowledge
    [token] = [line for line in lines if "telegram token" in line]
    assert token == (
        "FAIL telegram token: the Bot API rejected the token -> get the token from @BotFather,"
        " set SABTYAR_TELEGRAM_TOKEN"
    )
    assert lines[0] == f"ok   config: {config} read and valid"
    assert "999:WRONG" not in "\n".join(lines)


@pytest.mark.slow  # two real processes, each loading the app and the knowledge: 4-5 s
async def test_doctor_passes_a_sound_setup_and_checks_the_webhook(tmp_path: Path) -> None:
    async with FakeBotApi("telegram") as api:
        config = write_config(tmp_path, api, api.token)
        code, lines = await doctor(config)
        assert code == 0, lines
        assert [line.split(":")[0] for line in lines] == [
            "ok   config",
            "ok   knowledge",
            "ok   store",
            "ok   telegram token",
        ]
        assert lines[-1] == "ok   telegram token: accepted: @sabtyar_test_bot"
        assert lines[1].endswith(
            f"entries in {tmp_path / 'data' / 'knowledge'}"
        )  # the copy made beside the db
        plain = write_config(
            tmp_path, api, api.token, '[platforms.telegram.webhook]\nurl = "http://bot.example.ir/hook"\n'
        )
        code, lines = await doctor(plain, "--offline")
    assert code == 1
    assert lines[-1] == (
        "FAIL telegram webhook: http://bot.example.ir/hook is not https"
        " -> the Bot API posts only to https URLs"
    )
