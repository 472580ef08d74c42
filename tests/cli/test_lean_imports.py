"""Heavy libraries load only in the commands that use them: `run` and `ask` never import matplotlib
or openpyxl (the charts and workbooks of `report`, `chart`, `kb export/import`, `/stats`, `/export`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT

PROBE = """
import json, sys
from bot.cli.main import main
import bot.app, bot.runner  # what `sabtyar run` imports before the first update
code = main(["ask", "کارت ملی گم شده"])
heavy = [name for name in ("matplotlib", "openpyxl") if name in sys.modules]
print(json.dumps({"code": code, "heavy": heavy}))
"""


@pytest.mark.slow  # a real process (a fresh sys.modules) that builds the engine: 4-5 s
def test_run_and_ask_never_import_matplotlib_or_openpyxl(own_config: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout.splitlines()[-1])
    assert result == {"code": 0, "heavy": []}
