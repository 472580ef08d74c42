"""The real `sabtyar` commands, run as a citizen or another tool would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import ROOT

SABTYAR = [sys.executable, "-m", "bot.cli.main"]


def run(
    args: list[str], stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        SABTYAR + args,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "SABTYAR_CONFIG": "/nonexistent/none.toml", **(env or {})},
    )


def test_ask_jsonl_contract() -> None:
    questions = ["شناسنامه‌ام گم شده", "هوای فردا تهران چطوره", "", "كارت ملي"]
    result = run(["ask", "--jsonl"], "\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == questions
    for record in records:
        assert set(record) == {"question", "answer_id", "score", "candidates"}
        assert isinstance(record["score"], float)
        assert record["answer_id"] is None or record["candidates"][0] == record["answer_id"]
    assert records[0]["answer_id"] == "birthcert-duplicate"
    assert records[1]["answer_id"] is None
    assert records[2] == {"question": "", "answer_id": None, "score": 0.0, "candidates": []}


def test_ask_prints_the_answer() -> None:
    result = run(["ask", "کد ملی بچه‌ام رو از کجا بفهمم"])
    assert result.returncode == 0, result.stderr
    assert "کد ملی" in result.stdout


def test_chat_answers_lost_birth_certificate_then_quits() -> None:
    result = run(["chat"], "شناسنامه‌ام گم شده\nخروج\n")
    assert result.returncode == 0, result.stderr
    assert "المثنی" in result.stdout
    assert "خدانگهدار" in result.stdout


def test_run_without_token_falls_back_to_chat() -> None:
    result = run(["run"], "شناسنامه‌ام گم شده\n")
    assert result.returncode == 0, result.stderr
    assert "توکن" in result.stderr and "token" in result.stderr
    assert "المثنی" in result.stdout


def test_eval_reports_figures(tmp_path: Path) -> None:
    sample = tmp_path / "set.jsonl"
    sample.write_text(
        '{"q": "شناسنامه‌ام گم شده", "expect": ["birthcert-duplicate"]}\n{"q": "قیمت دلار", "expect": []}\n',
        encoding="utf-8",
    )
    result = run(["eval", str(sample), "--json"])
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["in_scope"] == 1 and figures["out_of_scope"] == 1
    assert figures["top1"] == 1.0 and figures["oos_direct"] == 0.0


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[engine]\nanswer = 'high'\n", encoding="utf-8")
    result = run(["--config", str(config), "ask", "سلام"])
    assert result.returncode == 2
    assert "answer" in result.stderr


def test_missing_explicit_config(tmp_path: Path) -> None:
    result = run(["--config", str(tmp_path / "none.toml"), "ask", "سلام"])
    assert result.returncode == 2 and "not found" in result.stderr
