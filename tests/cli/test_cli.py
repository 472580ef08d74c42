"""The `sabtyar` commands as a citizen or another tool runs them: in-process where a real process
adds nothing, as a real process for the console entry point, the configuration and `run`."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.engine import AnswerEngine
from bot.locale import bundled_catalog
from bot.settings import ROOT
from tests.support.cli import run_cli

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
        env={**os.environ, **(env or {})},
    )


def test_ask_jsonl_contract(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = ["شناسنامه‌ام گم شده", "هوای تهران چطوره", "", "كارت ملي"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n"))
    assert run_cli(["ask", "--jsonl"], engine=engine) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in records] == questions
    outcomes = {"answer", "answer_alternatives", "did_you_mean", "no_match"}
    for record in records:
        # The original four fields keep their names and meaning; fields are only ever added.
        assert {"question", "answer_id", "score", "candidates"} <= set(record)
        assert set(record) - {"question", "answer_id", "score", "candidates"} <= {"outcome", "parts"}
        assert isinstance(record["score"], float)
        assert record["answer_id"] is None or record["candidates"][0] == record["answer_id"]
        assert record["outcome"] in outcomes
        assert (record["answer_id"] is not None) == (record["outcome"] in ("answer", "answer_alternatives"))
        assert record["outcome"] != "no_match" or record["candidates"] == []
    assert records[0]["answer_id"] == "birthcert-duplicate"
    assert records[1]["answer_id"] is None
    assert records[2] == {
        "question": "",
        "answer_id": None,
        "score": 0.0,
        "candidates": [],
        "outcome": "no_match",
    }


def test_ask_jsonl_reports_the_parts_of_a_two_part_question(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("کارت ملیم گم شده، شناسنامه‌ام هم پاره شده\n"))
    assert run_cli(["ask", "--jsonl"], engine=engine) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["outcome"] == "answer_alternatives"
    assert record["parts"] == ["smartcard-lost", "birthcert-replace"]
    assert record["answer_id"] == "smartcard-lost" and record["candidates"][:2] == record["parts"]


def test_ask_prints_the_answer(engine: AnswerEngine, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["ask", "کد ملی بچه‌ام رو از کجا بفهمم"], engine=engine) == 0
    assert "کد ملی" in capsys.readouterr().out


def test_chat_answers_lost_birth_certificate_then_quits(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("شناسنامه‌ام گم شده\nخروج\n"))
    assert run_cli(["chat"], engine=engine) == 0
    out = capsys.readouterr().out
    assert "المثنی" in out
    assert "خدانگهدار" in out


@pytest.mark.slow
@pytest.mark.usefixtures("own_config")
def test_run_without_token_falls_back_to_chat_on_a_terminal() -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [*SABTYAR, "run"],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=dict(os.environ),
        )
        os.close(terminal)
        os.write(controller, "شناسنامه‌ام گم شده\nخروج\n".encode())
        out, err = process.communicate(timeout=120)
    finally:
        os.close(controller)
    assert process.returncode == 0, err
    assert "توکن" in err and "token" in err
    assert "المثنی" in out


@pytest.mark.slow
@pytest.mark.usefixtures("own_config")
def test_item14_run_without_token_and_without_a_terminal_says_so_and_fails() -> None:
    """Issue 14, item 14: under systemd (stdin not a terminal) no silent exit 0."""
    result = run(["run"], "")
    assert result.returncode == 2
    assert "SABTYAR_BALE_TOKEN" in result.stderr and "no terminal" in result.stderr
    assert "ترمینالی" in result.stderr and result.stdout == ""


def test_eval_reports_figures(
    engine: AnswerEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "set.jsonl"
    sample.write_text(
        '{"q": "شناسنامه‌ام گم شده", "expect": ["birthcert-duplicate"]}\n{"q": "قیمت دلار", "expect": []}\n',
        encoding="utf-8",
    )
    assert run_cli(["eval", str(sample), "--json"], engine=engine) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["in_scope"] == 1 and figures["out_of_scope"] == 1
    assert figures["top1"] == 1.0 and figures["oos_direct"] == 0.0
    assert figures["right_first_reply"] == 1.0 and figures["in_first_reply_or_buttons"] == 1.0
    assert sum(o["share"] for o in figures["overall"]["outcomes"].values()) == pytest.approx(1.0)


def test_eval_skips_a_header_and_reports_styles(
    engine: AnswerEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "set.jsonl"
    lines = [
        {"header": "written blind"},
        {"q": "شناسنامه‌ام گم شده", "expect": ["birthcert-duplicate"], "style": "colloquial"},
        {
            "q": "کارت ملیم گم شده، شناسنامه‌ام هم پاره شده",
            "expect": ["smartcard-lost"],
            "style": "two_part",
            "parts": ["smartcard-lost", "birthcert-replace"],
        },
    ]
    sample.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    assert run_cli(["eval", str(sample), "--json"], engine=engine) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["in_scope"] == 2
    assert set(figures["styles"]) == {"colloquial", "two_part"}
    assert figures["styles"]["colloquial"]["right_first_reply"] == 1.0
    assert figures["long_questions"]["questions"] == 0
    assert figures["two_part"]["questions"] == 1
    assert run_cli(["eval", str(sample)], engine=engine) == 0
    assert "right answer in first reply" in capsys.readouterr().out


def test_a_command_error_is_one_line_and_an_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["stats", "--json"], store_path=tmp_path / "none.db", language="en") == 1
    assert capsys.readouterr().err.startswith(
        f"sabtyar stats: no sabtyar database at {tmp_path / 'none.db'}: "
    )
    assert run_cli(["report", "--from", "1405-13"], store_path=tmp_path / "none.db") == 2
    assert "1405-13" in capsys.readouterr().err
    assert run_cli(["kb", "export", str(tmp_path / "kb.pdf")], language="en") == 2
    assert capsys.readouterr().err == (
        "sabtyar kb export: a .pdf file cannot be written: name the file .xlsx (the workbook) or .csv\n"
    )


@pytest.mark.slow
def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[engine]\nanswer = 'high'\n", encoding="utf-8")
    result = run(["--config", str(config), "ask", "سلام"])
    assert result.returncode == 2
    assert "answer" in result.stderr


@pytest.mark.slow
def test_missing_explicit_config(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    result = run(["--config", str(missing), "ask", "سلام"])
    said = bundled_catalog("fa").text("doctor.config.not_found", file=str(missing))  # the default language
    assert result.returncode == 2 and said in result.stderr


def test_the_staffs_knowledge_folder_is_announced_in_the_configured_language(
    own_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main
    from bot.locale import load_locales

    fa = load_locales(ROOT / "locales").get("fa")
    folder = own_config.parent / "data" / "knowledge"
    assert main(["kb", "export", str(own_config.parent / "kb.csv")]) == 0
    assert capsys.readouterr().err == f"sabtyar: {fa.text('cli.knowledge_seeded', folder=str(folder))}\n"
    assert main(["kb", "export", str(own_config.parent / "kb.csv")]) == 0
    assert capsys.readouterr().err == ""  # said once
    shutil.rmtree(folder.parent)
    folder.parent.write_text("not a folder", encoding="utf-8")  # the folder cannot be made
    assert main(["kb", "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"sabtyar: پوشه دانشنامه {folder} آماده نشد: "), err


def test_any_other_bad_value_is_still_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from bot.cli.command import CliContext, dispatch
    from bot.locale import load_locales

    def run(args: argparse.Namespace, context: CliContext) -> int:
        raise ValueError("not a number: 'ده'")

    locales = load_locales(ROOT / "locales", "fa")
    args = argparse.Namespace(command="stats", run=run)
    assert dispatch(args, CliContext(locales, ROOT / "knowledge", Path("unused.db"))) == 2
    said = locales.get(None).text("cli.error.bad_value", error="not a number: 'ده'")
    assert capsys.readouterr().err == f"sabtyar stats: {said}\n"
