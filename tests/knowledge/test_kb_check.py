"""`sabtyar kb check` and the loader: every problem reported with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.calendar import persian_digits
from bot.cli.main import main
from bot.knowledge import loader
from bot.knowledge.loader import KnowledgeError, check_knowledge, load_knowledge
from bot.settings import ROOT

# `main` makes the staff's working copy from the shipped base: in each test's tmp_path, not in data/
pytestmark = pytest.mark.usefixtures("own_config")

GOOD_ENTRY = """\
  - id: {id}
    category: demo
    title: عنوان {id}
    questions: [پرسش یک {id}, پرسش دو {id}, پرسش سه {id}, پرسش چهار {id}, پرسش پنج {id}]
    answer: |
      پاسخ کوتاه.
    links:
      - title: سازمان ثبت احوال کشور
        url: https://www.sabteahval.ir
    follow_ups: [{follow_up}]
    needs_review: true
"""


def write_folder(folder: Path, entries: str, header: str = "category:\n  id: demo\n  title: نمونه\n") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "official_domains.yaml").write_text("domains: [sabteahval.ir]\n", encoding="utf-8")
    (folder / "demo.yaml").write_text(header + "entries:\n" + entries, encoding="utf-8")
    return folder


def test_shipped_knowledge_is_valid() -> None:
    knowledge, problems = check_knowledge(ROOT / "knowledge")
    assert problems == []
    assert knowledge is not None and len(knowledge) >= 41


def test_the_fast_parser_reads_the_shipped_folder_as_pyyaml_does(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_knowledge(ROOT / "knowledge")
    monkeypatch.setattr(loader, "SAFE_LOADER", yaml.SafeLoader)
    assert load_knowledge(ROOT / "knowledge") == fast  # identical objects, source lines included


def test_a_yaml_error_names_the_offending_character_and_its_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "kb", GOOD_ENTRY.format(id="a-one", follow_up="a-one") + "\t- id: x\n")
    _knowledge, problems = check_knowledge(folder)
    assert [(p.file, p.line) for p in problems] == [("demo.yaml", 16)]
    assert "found character '\\t' that cannot start any token" in problems[0].message, problems


def test_valid_folder_loads(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "kb",
        GOOD_ENTRY.format(id="a-one", follow_up="b-two") + GOOD_ENTRY.format(id="b-two", follow_up="a-one"),
    )
    knowledge = load_knowledge(folder)
    assert list(knowledge.entries) == ["a-one", "b-two"]
    assert knowledge.entry("a-one").source_line == 5


@pytest.mark.parametrize(
    ("entries", "line", "fragment"),
    [
        (GOOD_ENTRY.format(id="a-one", follow_up="ghost"), 5, "unknown follow-up id 'ghost'"),
        (GOOD_ENTRY.format(id="a-one", follow_up="a-one") * 2, 16, "duplicate id 'a-one'"),
        (
            GOOD_ENTRY.format(id="a-one", follow_up="a-one").replace(
                "    answer: |\n      پاسخ کوتاه.\n", ""
            ),
            5,
            "missing field 'answer'",
        ),
        (
            GOOD_ENTRY.format(id="a-one", follow_up="a-one").replace("پاسخ کوتاه.", "الف" * 5000),
            9,
            "more than 4096",
        ),
        (
            GOOD_ENTRY.format(id="a-one", follow_up="a-one").replace(
                "https://www.sabteahval.ir", "https://evil.example"
            ),
            12,
            "not on an official domain",
        ),
        (
            GOOD_ENTRY.format(id="a-one", follow_up="a-one").replace(
                "needs_review: true", "needs_reveiw: true"
            ),
            15,
            "unknown field 'needs_reveiw'",
        ),
        (
            GOOD_ENTRY.format(id="a-one", follow_up="a-one").replace(", پرسش پنج a-one", ""),
            8,
            "4 questions, at least 5",
        ),
        (GOOD_ENTRY.format(id="Bad Id", follow_up="a-one"), 5, "lowercase slug"),
        (GOOD_ENTRY.format(id="a-one", follow_up="a-one") + "  - id: [unclosed\n", 17, "YAML error"),
    ],
)
def test_problems_name_file_and_line(tmp_path: Path, entries: str, line: int, fragment: str) -> None:
    folder = write_folder(tmp_path / "kb", entries)
    knowledge, problems = check_knowledge(folder)
    assert knowledge is None
    assert any(p.file == "demo.yaml" and p.line == line and fragment in p.message for p in problems), problems
    with pytest.raises(KnowledgeError):
        load_knowledge(folder)


def test_kb_check_command_exits_1_and_prints_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_folder(tmp_path / "kb", GOOD_ENTRY.format(id="a-one", follow_up="ghost"))
    assert main(["kb", "check", str(folder)]) == 1
    # in the configured language (Persian by default), with file and line
    assert f"{folder / 'demo.yaml'}:5: پاسخ a-one: پاسخ پیشنهادی ghost وجود ندارد." in capsys.readouterr().err


def test_kb_check_command_passes_on_shipped_base(capsys: pytest.CaptureFixture[str]) -> None:
    # the sample questions are asked in the test below (on a copy of this base)
    assert main(["kb", "check", "--no-consistency"]) == 0
    knowledge = load_knowledge(ROOT / "knowledge")
    out = capsys.readouterr().out
    entries, categories = (persian_digits(len(x)) for x in (knowledge, knowledge.categories))
    assert f"{entries} پاسخ" in out and f"{categories} دسته" in out


def test_broken_synonyms_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", folder)
    (folder / "synonyms.yaml").write_text("synonyms:\n  چنده: [هزینه]\n", encoding="utf-8")
    assert main(["kb", "check", str(folder)]) == 1


def test_kb_check_warns_about_sample_questions_that_do_not_come_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    demo = folder / "bot.yaml"
    text = demo.read_text(encoding="utf-8")
    demo.write_text(
        text.replace("      - سلام\n", "      - سلام\n      - شناسنامه‌ام گم شده\n", 1), encoding="utf-8"
    )
    assert main(["kb", "check", str(folder)]) == 0  # warnings keep exit code 0
    captured = capsys.readouterr()
    # in the configured language (Persian by default), with file and line
    assert f"  هشدار {folder / 'bot.yaml'}:15: «شناسنامه‌ام گم شده» (پرسش نمونه " in captured.err
    assert "WARNING" not in captured.err
    assert "پرسش‌های نمونه: " in captured.out and "self-consistency" not in captured.out


def test_a_broken_language_file_is_said_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """language.yaml holds three word lists: its one syntax error is one problem, not three."""
    folder = write_folder(tmp_path / "kb", GOOD_ENTRY.format(id="a-one", follow_up="a-one"))
    (folder / "language.yaml").write_text("function_words: [از, به\n", encoding="utf-8")
    assert main(["kb", "check", "--no-consistency", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.count("language.yaml:") == 1 and "ایراد نگارش YAML" in err, err


# Issue 14, item 10: hosts read as a browser reads them; addresses in answers checked; no crash ------

BAD_ADDRESSES = [
    ("links", "https://evil.example\\@www.sabteahval.ir/", "not on an official domain"),
    ("links", "https://www.sabteahval.ir\uff0fnobat", "not a valid web address"),
    ("links", "https://sabteahval.ir.evil.example/", "not on an official domain"),
    ("answer", "https://evil.example\\@www.sabteahval.ir/", "not on an official domain"),
    ("answer", "www.evil.example/nobat", "not on an official domain"),
    ("answer", "evil.example/nobat", "not on an official domain"),
    ("answer", "https://sabteahval.ir\uff0fx", "not a valid web address"),
]


@pytest.mark.parametrize(("where", "address", "fragment"), BAD_ADDRESSES)
def test_item10_bad_links_are_problems_with_file_and_line(
    tmp_path: Path, where: str, address: str, fragment: str
) -> None:
    entry = GOOD_ENTRY.format(id="a-one", follow_up="a-one")
    if where == "links":
        entry = entry.replace("https://www.sabteahval.ir", f"'{address}'")
        line = 12
    else:
        entry = entry.replace("      پاسخ کوتاه.\n", f"      پاسخ کوتاه: {address} را ببینید.\n")
        line = 9
    folder = write_folder(tmp_path / "kb", entry)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(folder)
    [problem] = raised.value.problems
    assert (problem.file, problem.line) == ("demo.yaml", line) and fragment in problem.message, problem
    assert main(["kb", "check", str(folder)]) == 1


def test_item10_official_addresses_in_answers_pass(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.format(id="a-one", follow_up="a-one").replace(
        "      پاسخ کوتاه.\n",
        "      پاسخ کوتاه: www.sabteahval.ir و https://sabteahval.ir:443/x?y=1 و نسخه 2.0.1.\n",
    )
    assert list(load_knowledge(write_folder(tmp_path / "kb", entry)).entries) == ["a-one"]
