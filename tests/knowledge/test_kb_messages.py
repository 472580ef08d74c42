"""Every message of ``kb check`` and ``kb import`` caused by what causes it, said in Persian (the
default language) with its place: file and line for the folder, sheet, cell and column for the
workbook.

A small folder (one category of one entry, the official domains) keeps each case to milliseconds;
each case breaks one thing the way a person editing YAML or a workbook does. The messages of the
entries' own fields, the offices sheet and the version column are tested where their behaviour
is (``test_kb_check``, ``test_kb_offices_sheet``, ``test_kb_spreadsheets``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.engine.decision import Outcome
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.workbook.exporter import export_workbook
from bot.knowledge.workbook.words import KbWords
from bot.locale import load_locales
from bot.settings import ROOT
from tests.knowledge.test_kb_check import GOOD_ENTRY, write_folder
from tests.support.cli import run_cli

LOCALES = load_locales(ROOT / "locales")
FA = LOCALES.get("fa")
WORDS = KbWords.of(LOCALES, "fa")
ENTRY = GOOD_ENTRY.format(id="a-one", follow_up="a-one")  # lines 5 (id) to 15 (needs_review)
HEADER = "category:\n  id: demo\n  title: نمونه\n"
OFFICES = """\
province:
  title: استان نمونه
  office: اداره کل ثبت احوال استان نمونه
  site: sabteahval.ir
  cities: [بوشهر]
offices:
  - name: اداره ثبت احوال بوشهر
    city: بوشهر
    address: خیابان یک
"""
PROVINCE = OFFICES[: OFFICES.index("offices:")]
NOT_UTF8 = b"category: \xff\n"


def demo(entries: str = ENTRY, header: str = HEADER) -> str:
    return header + "entries:\n" + entries


def decode_error(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return str(error)
    raise AssertionError("decodes")


def said(name: str, /, **values: str | int) -> str:
    """The Persian text of a message."""
    return FA.text(name, **values)


def opening(name: str, /, **values: str) -> str:
    """The Persian text of a message up to its ``{error}``: the system's own words follow."""
    return FA.text(name, **values, error="\x00").split("\x00")[0]


# kb check: the folder, one problem with its file and line ----------------------------------------

FOLDER_CASES = [
    (
        "category_id",
        {"demo.yaml": demo(header="category:\n  id: Demo X\n  title: نمونه\n")},
        "demo.yaml",
        2,
        {},
    ),
    (
        "category_title",
        {"demo.yaml": demo(header="category:\n  id: demo\n  title: ''\n")},
        "demo.yaml",
        2,
        {},
    ),
    ("no_category", {"demo.yaml": "entries:\n" + ENTRY}, "demo.yaml", 1, {}),
    ("not_mapping", {"demo.yaml": "- demo\n- a-one\n"}, "demo.yaml", 1, {}),
    ("no_entries", {"demo.yaml": HEADER}, "demo.yaml", 1, {}),
    ("entry_not_mapping", {"demo.yaml": demo("  - a-one\n")}, "demo.yaml", 5, {}),
    (
        "wrong_category",
        {"demo.yaml": demo(ENTRY.replace("category: demo", "category: birth"))},
        "demo.yaml",
        6,
        {"entry": "a-one", "category": "birth", "file_category": "demo"},
    ),
    (
        "list_not_texts",
        {"demo.yaml": demo(ENTRY.replace(ENTRY.splitlines()[3], "    questions: [1, 2, 3, 4, 5]"))},
        "demo.yaml",
        8,
        {"entry": "a-one", "field": "questions"},
    ),
    (
        "links_not_list",
        {"demo.yaml": demo(ENTRY.replace("\n      - title: سازمان ثبت احوال کشور\n        url:", ""))},
        "demo.yaml",
        11,
        {"entry": "a-one"},
    ),
    (
        "link_fields",
        {"demo.yaml": demo(ENTRY.replace("        url: https://www.sabteahval.ir\n", ""))},
        "demo.yaml",
        12,
        {"entry": "a-one"},
    ),
    (
        "needs_review_bool",
        {"demo.yaml": demo(ENTRY.replace("needs_review: true", "needs_review: maybe"))},
        "demo.yaml",
        15,
        {"entry": "a-one"},
    ),
    (
        "verified_on_not_date",
        {"demo.yaml": demo(ENTRY + "    verified_on: yesterday\n")},
        "demo.yaml",
        16,
        {"entry": "a-one"},
    ),
    (
        "duplicate_category",
        {"other.yaml": demo(GOOD_ENTRY.format(id="b-two", follow_up="b-two"))},
        "other.yaml",
        1,
        {"category": "demo"},
    ),
    ("empty_file", {"other.yaml": "# the topics of the new category, to come\n"}, "other.yaml", 1, {}),
    ("cannot_read", {"other.yaml": NOT_UTF8}, "other.yaml", 0, {"error": decode_error(NOT_UTF8)}),
    ("no_category_files", {"demo.yaml": None}, ".", 0, {}),
    (
        "domains_not_list",
        {"official_domains.yaml": "domains: sabteahval.ir\n"},
        "official_domains.yaml",
        1,
        {},
    ),
    ("lexicon_mapping", {"synonyms.yaml": "synonyms: [چنده]\n"}, "synonyms.yaml", 1, {"key": "synonyms"}),
    (
        "lexicon_words",
        {"language.yaml": "function_words: از\n"},
        "language.yaml",
        1,
        {"key": "function_words"},
    ),
    ("holidays_expected", {"holidays.yaml": "- 1405-01-25\n"}, "holidays.yaml", 1, {}),
    ("holidays_list", {"holidays.yaml": "extra: 1405-01-25\n"}, "holidays.yaml", 1, {"key": "extra"}),
    (
        "holidays_unknown_keys",
        {"holidays.yaml": "extra: []\nclosed: []\n"},
        "holidays.yaml",
        1,
        {"keys": "closed"},
    ),
    ("offices_expected", {"offices.yaml": "- اداره ثبت احوال بوشهر\n"}, "offices.yaml", 1, {}),
    ("offices_list", {"offices.yaml": PROVINCE + "offices: بوشهر\n"}, "offices.yaml", 6, {}),
    ("offices_unknown_keys", {"offices.yaml": OFFICES + "notes: x\n"}, "offices.yaml", 10, {"keys": "notes"}),
    ("office_mapping", {"offices.yaml": PROVINCE + "offices:\n  - اداره بوشهر\n"}, "offices.yaml", 7, {}),
    (
        "office_list",
        {"offices.yaml": OFFICES + "    phones: {a: b}\n"},
        "offices.yaml",
        10,
        {"key": "phones"},
    ),
    ("office_hours_map", {"offices.yaml": OFFICES + "    hours: 8-14\n"}, "offices.yaml", 10, {}),
    (
        "office_needs_review_bool",
        {"offices.yaml": OFFICES + "    needs_review: بله\n"},
        "offices.yaml",
        10,
        {},
    ),
    (
        "office_url_invalid",
        {"offices.yaml": OFFICES + "    url: sabteahval.ir\n"},
        "offices.yaml",
        10,
        {"url": "sabteahval.ir"},
    ),
    (
        "office_verified_on_not_date",
        {"offices.yaml": OFFICES + "    verified_on: soon\n"},
        "offices.yaml",
        10,
        {},
    ),
    (
        "office_verified_on_too_old",
        {"offices.yaml": OFFICES + "    verified_on: 1900-01-01\n"},
        "offices.yaml",
        10,
        {"date": "1900-01-01"},
    ),
    ("province_mapping", {"offices.yaml": "province: بوشهر\noffices: []\n"}, "offices.yaml", 1, {}),
    (
        "province_text",
        {"offices.yaml": OFFICES.replace("title: استان نمونه", "title: [استان, نمونه]")},
        "offices.yaml",
        2,
        {"key": "title"},
    ),
    (
        "province_list",
        {"offices.yaml": OFFICES.replace("cities: [بوشهر]", "cities: {بوشهر: 1}")},
        "offices.yaml",
        5,
        {"key": "cities"},
    ),
    (
        "province_needs_review_bool",
        {"offices.yaml": OFFICES.replace("  cities:", "  needs_review: maybe\n  cities:")},
        "offices.yaml",
        5,
        {},
    ),
    (
        "province_unknown_keys",
        {"offices.yaml": OFFICES.replace("  cities:", "  notes: x\n  cities:")},
        "offices.yaml",
        5,
        {"keys": "notes"},
    ),
    (
        "province_url_invalid",
        {"offices.yaml": OFFICES.replace("site: sabteahval.ir", "site: 'sabteahval ir'")},
        "offices.yaml",
        4,
        {"url": "sabteahval ir"},
    ),
    (
        "province_url_not_https",
        {"offices.yaml": OFFICES.replace("site: sabteahval.ir", "site: http://sabteahval.ir")},
        "offices.yaml",
        4,
        {"url": "http://sabteahval.ir"},
    ),
]


@pytest.mark.parametrize(
    ("key", "files", "file", "line", "values"), FOLDER_CASES, ids=[case[0] for case in FOLDER_CASES]
)
def test_kb_check_says_each_problem_of_the_folder_in_persian_at_its_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    files: dict[str, str | bytes | None],
    file: str,
    line: int,
    values: dict[str, str],
) -> None:
    folder = write_folder(tmp_path / "kb", ENTRY)
    for name, content in files.items():
        path = folder / name
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    assert run_cli(["kb", "check", "--no-consistency", str(folder)], knowledge_dir=folder) == 1
    err = capsys.readouterr().err
    assert f"  {folder / file}:{line}: {said(f'kb.problem.{key}', **values)}\n" in err, err


def test_kb_check_of_a_folder_that_is_not_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "nowhere"
    assert run_cli(["kb", "check", str(folder)], knowledge_dir=folder) == 1
    assert capsys.readouterr().err == (
        f"{said('cli.knowledge_error', count=1)}\n  {folder}:0: {said('kb.problem.no_folder')}\n"
    )


# kb import: the workbook, each error with its sheet, cell and column -----------------------------


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of one category (``demo``, one entry) and its exported workbook."""
    folder = write_folder(tmp_path / "kb", ENTRY)
    workbook = tmp_path / "kb.xlsx"
    export_workbook(folder, workbook, WORDS)
    return folder, workbook


def import_errors(folder: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run_cli(["kb", "import", "--check", str(source)], knowledge_dir=folder) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{source.name}: ") and "error" not in err.lower(), err
    return err


WORKBOOK_CASES = [
    ("category_twice", ["demo", "نمونه", "", 0], "categories!A3 (id)", {"category": "demo"}),
    ("empty_category_id", ["", "دسته بی‌شناسه", "", 1], "categories!A3 (id)", {}),
    ("sheet_title", ["offices", "ادارات", "", 1], "categories!A3 (id)", {"category": "offices"}),
    ("category_slug", ["Births 2", "ولادت", "", 1], "categories!A3 (id)", {}),
    (
        "category_overwrites",
        ["synonyms", "هم‌معنی‌ها", "", 1],
        "categories!A3 (id)",
        {"category": "synonyms", "file": "synonyms.yaml"},
    ),
]


@pytest.mark.parametrize(
    ("key", "row", "where", "values"), WORKBOOK_CASES, ids=[case[0] for case in WORKBOOK_CASES]
)
def test_kb_import_says_each_problem_of_the_categories_sheet_at_its_cell(
    small: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    key: str,
    row: list[str | int],
    where: str,
    values: dict[str, str],
) -> None:
    folder, workbook = small
    wb = load_workbook(workbook)
    wb["categories"].append(row)
    wb.save(workbook)
    err = import_errors(folder, workbook, capsys)
    assert f"  {where}: {said(f'kb.error.{key}', **values)}\n" in err, err


def test_kb_import_says_what_is_wrong_in_a_category_sheet_at_its_cell(
    small: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, workbook = small
    wb = load_workbook(workbook)
    wb["categories"]["D2"] = "اول"
    wb["demo"]["H2"] = "پیوندی بی‌نشانی |"
    wb.save(workbook)
    err = import_errors(folder, workbook, capsys)
    assert f"  categories!D2 (order): {said('kb.error.order_not_number', value='اول')}\n" in err
    assert f"  demo!H2 (links): {said('kb.error.link_no_url', link='پیوندی بی‌نشانی |')}\n" in err
    # two headers gone: one error for both; no header at all: said so
    wb = load_workbook(workbook)
    wb["demo"]["C1"], wb["demo"]["F1"] = None, None
    wb.save(workbook)
    err = import_errors(folder, workbook, capsys)
    assert err.endswith(f"  demo!1: {said('kb.error.missing_columns', columns='title, keywords')}\n"), err
    wb = load_workbook(workbook)
    for cell in wb["demo"][1]:
        cell.value = f"ستون {cell.column}"
    wb.save(workbook)
    err = import_errors(folder, workbook, capsys)
    expected = said("kb.error.no_header", columns="id, category, title")
    assert err.endswith(f"  demo!1: {expected}\n"), err


def test_kb_import_says_what_to_do_with_a_file_it_cannot_read(
    small: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _workbook = small
    text = tmp_path / "kb.txt"
    text.write_text("id,category\n", encoding="utf-8")
    err = import_errors(folder, text, capsys)
    assert f"  kb.txt: {said('kb.error.file_type', suffix='.txt')}\n" in err
    windows = tmp_path / "windows.csv"  # saved by an old Excel in the Windows Arabic code page
    windows.write_bytes("id,category,title\na-one,demo,پاسخ\n".encode("cp1256"))
    err = import_errors(folder, windows, capsys)
    assert f"  windows.csv: {said('kb.error.not_utf8', file='windows.csv')}\n" in err
    folder_named_csv = tmp_path / "folder.csv"
    folder_named_csv.mkdir()
    err = import_errors(folder, folder_named_csv, capsys)
    assert f"  folder.csv: {opening('kb.error.unreadable', file='folder.csv')}" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a whole workbook")
    err = import_errors(folder, broken, capsys)
    assert f"  broken.xlsx: {opening('kb.error.unreadable_xlsx', file='broken.xlsx')}" in err


def test_kb_import_lists_its_warnings_and_writes_new_offices_under_the_guide_comment(
    small: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, workbook = small
    wb = load_workbook(workbook)
    wb["demo"]["J2"] = 21  # a source typed as 021 into a General cell
    wb["offices"].append(["اداره ثبت احوال بوشهر", "بوشهر", "خیابان یک"])
    wb.save(workbook)
    assert run_cli(["kb", "import", str(workbook)], knowledge_dir=folder) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"{said('kb.import_warnings', file='kb.xlsx', count=1)}\n"
        f"  demo!J2 (source): {said('kb.warning.converted', value='21')}\n"
    )
    assert "offices.yaml" in captured.out
    written = (folder / "offices.yaml").read_text(encoding="utf-8")
    hint = said("kb.offices_yaml_hint").split("\n")
    assert written.startswith("".join(f"# {line}\n" for line in hint)) and "اداره ثبت احوال بوشهر" in written


# kb check: the sample questions asked of the engine ----------------------------------------------


@dataclass(frozen=True)
class ScriptedReply:
    outcome: Outcome
    answer_id: str | None
    offered_ids: list[str]


class ScriptedEngine:
    """The engine's two members ``kb check`` uses: every sample question gets its own entry's answer
    but those scripted."""

    def __init__(self, knowledge: KnowledgeBase, replies: dict[str, ScriptedReply]) -> None:
        self.knowledge, self.replies = knowledge, replies

    def ask(self, text: str) -> ScriptedReply:
        own = next(entry.id for entry in self.knowledge.entries.values() if text in entry.questions)
        return self.replies.get(text, ScriptedReply(Outcome.ANSWER, own, [own]))


def test_kb_check_says_which_sample_questions_do_not_get_their_own_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = ENTRY + GOOD_ENTRY.format(id="b-two", follow_up="b-two")
    folder = write_folder(tmp_path / "kb", entries)
    knowledge = load_knowledge(folder)
    replies = {  # a-one's phrasings one to three on line 8: another answer, choices, nothing
        "پرسش یک a-one": ScriptedReply(Outcome.ANSWER, "b-two", ["b-two"]),
        "پرسش دو a-one": ScriptedReply(Outcome.DID_YOU_MEAN, None, ["b-two", "a-one"]),
        "پرسش سه a-one": ScriptedReply(Outcome.NO_MATCH, None, []),
    }
    engine = ScriptedEngine(knowledge, replies)
    assert run_cli(["kb", "check"], knowledge_dir=folder, engine=engine) == 0  # type: ignore[arg-type]
    captured = capsys.readouterr()
    where = f"  هشدار {folder / 'demo.yaml'}:8: "
    assert captured.err == "".join(
        f"{where}{said(f'cli.kb_stray.{key}', phrasing=f'پرسش {n} a-one', entry='a-one', given='b-two')}\n"
        for key, n in (("answered", "یک"), ("offered", "دو"), ("no_match", "سه"))
    )
    assert said("cli.kb_consistency", answered=7, asked=10) in captured.out
