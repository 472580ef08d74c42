"""The built wheel carries every module of bot/ and handlers/ (package discovery, not a list)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.slow


def test_the_wheel_holds_every_module(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("sabtyar-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "handlers")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert sources - inside == set()
    assert "bot/store/store.py" in inside and "bot/engine/engine.py" in inside
