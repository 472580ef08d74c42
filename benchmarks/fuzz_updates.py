"""Hostile updates on demand (issue 14): 10,000 by default through the real handlers, and a tenth as many
forged posts to the real webhook server; prints replies and silences per kind, webhook statuses,
anything unexpected and every error or traceback in the log. Exit status 1 if there is any.

    .venv/bin/python benchmarks/fuzz_updates.py [--count 10000] [--seed 14]

Not run in CI (``tests/e2e/test_fuzz.py`` runs a few hundred of the same in the suite).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.engine.engine import build_engine
from bot.locale import load_locales
from bot.settings import ROOT, Settings
from tests.support.fuzz import run_fuzz


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000, help="updates through the handlers")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    settings = Settings()
    engine = build_engine(settings.knowledge_dir, settings.engine.thresholds, settings.engine.weights)
    locales = load_locales(ROOT / "locales")
    with tempfile.TemporaryDirectory() as folder:
        report = run_fuzz(
            Path(folder),
            engine,
            locales,
            args.count,
            seed=args.seed,
            webhook_port=free_port(),
            progress=lambda done: print(f"… {done}", file=sys.stderr),
        )
    print(report.summary())
    return 1 if report.unexpected or report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
