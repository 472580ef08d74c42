"""The built wheel carries every module of bot/ and handlers/ (package discovery, not a list), the
shipped knowledge and texts, and installed in a fresh environment it answers with no checkout."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.settings import ROOT
from tests.support.fakeapi import FakeBotApi
from tests.support.live_bot import write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One wheel for the module's tests (a build takes seconds)."""
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_holds_every_module(wheel: Path) -> None:
    inside = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "handlers")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert sources - inside == set()
    assert "bot/store/store.py" in inside and "bot/engine/engine.py" in inside


def test_the_wheel_carries_the_knowledge_and_texts(wheel: Path) -> None:
    inside = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("knowledge", "locales"):
        for path in (ROOT / folder).glob("*.yaml"):
            assert f"bot/_shipped/{folder}/{path.name}" in inside


#: What a wheel is not built from: version control, environments, build output, local data, tests.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "*.egg-info", "data", "tests", "__pycache__", ".*_cache", ".hypothesis"
)


def build_wheel(folder: Path) -> Path:
    """The wheel built from a copy of the checkout's sources in ``folder``: setuptools builds in the
    source tree (``build/``, ``*.egg-info``), which builds running side by side must not share."""
    source = Path(shutil.copytree(ROOT, folder / "source", ignore=NOT_SOURCES))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = folder.glob("sabtyar-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the built wheel installed and no checkout on its path; the
    dependencies come from this environment's site-packages (not its editable sabtyar)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    [site] = (venv / "lib").glob("python3.*/site-packages")
    dependencies = next(p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir())
    (site / "dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    return venv


async def test_an_installed_wheel_answers_with_no_checkout(tmp_path: Path, wheel: Path) -> None:
    venv = fresh_venv(tmp_path, wheel)
    home = tmp_path / "server"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SABTYAR_", "PYTHON"))}
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import bot, bot.shipped; print(bot.__file__, bot.shipped.CHECKOUT)",
        ],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert where.stdout.startswith(str(venv)) and where.stdout.split()[1] == "None", where
    asked = subprocess.run(
        [str(venv / "bin" / "sabtyar"), "ask", "شناسنامه‌ام گم شده"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr
    assert "المثنی" in asked.stdout
    assert (home / "data" / "knowledge" / "birth.yaml").is_file()  # the staff's copy, in the data folder

    async with FakeBotApi("telegram") as api:
        config = write_config(home, api)
        process = await asyncio.create_subprocess_exec(
            str(venv / "bin" / "sabtyar"),
            "--config",
            str(config),
            "run",
            cwd=home,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            citizen = api.create_user("مریم")
            api.user_sends_text(citizen, "شناسنامه‌ام گم شده")
            [answer] = await api.wait_for_messages(citizen.id, 1, timeout=120)
            assert "المثنی" in answer.text
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
