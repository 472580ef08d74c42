"""`sabtyar kb export` / `kb import`: the knowledge base as a workbook, round trip and all-or-nothing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.knowledge.loader import check_knowledge, load_knowledge
from bot.knowledge.workbook.exporter import (
    BACKUP_DIR,
    export_csv,
    export_workbook,
    import_workbook,
)
from bot.knowledge.workbook.rows import ENTRY_COLUMNS
from bot.knowledge.workbook.words import KbWords
from bot.knowledge.yaml_writer import plain_reads_back, write_category
from bot.locale import load_locales
from bot.settings import ROOT
from tests.support.cli import run_cli

COLUMN = {name: position for position, name in enumerate(ENTRY_COLUMNS, start=1)}
LOCALES = load_locales(ROOT / "locales")
WORDS = KbWords.of(LOCALES, "fa")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge folder."""
    return Path(shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge"))


@pytest.fixture(scope="module")
def shipped_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge exported once; tests edit copies of it."""
    out = tmp_path_factory.mktemp("export") / "kb.xlsx"
    export_workbook(ROOT / "knowledge", out, WORDS)
    return out


@pytest.fixture
def workbook(shipped_workbook: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(shipped_workbook, tmp_path / "kb.xlsx"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def edit_workbook(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    wb = load_workbook(path)
    wb[sheet].cell(row=row, column=COLUMN[column]).value = value
    wb.save(path)


def kb_command(folder: Path, *argv: str, language: str = "fa") -> int:
    return run_cli(["kb", *argv], knowledge_dir=folder, language=language)


def test_export_layout(folder: Path, tmp_path: Path) -> None:
    knowledge = load_knowledge(folder)
    out = tmp_path / "kb.xlsx"
    export_workbook(folder, out, WORDS)
    wb = load_workbook(out)
    category_ids = [category.id for category in knowledge.categories]
    assert wb.sheetnames == [WORDS.guide_sheet, "categories", *category_ids, "offices", "province"]
    assert "questions" in str([cell.value for cell in wb[WORDS.guide_sheet]["A"]])
    for ws in wb.worksheets:
        assert ws.sheet_view.rightToLeft
        assert ws["A1"].font.bold
        assert ws.freeze_panes in ("A2", "B2")
    categories = wb["categories"]
    assert [cell.value for cell in categories[1]] == ["id", "title", "title_en", "order"]
    assert [row[0] for row in categories.iter_rows(min_row=2, values_only=True)] == category_ids
    for category in knowledge.categories:
        ws = wb[category.id]
        assert tuple(cell.value for cell in ws[1]) == ENTRY_COLUMNS
        entries = knowledge.entries_of(category.id)
        assert ws.max_row == len(entries) + 1
        for row, entry in enumerate(entries, start=2):
            assert ws.cell(row, COLUMN["id"]).value == entry.id
            assert ws.cell(row, COLUMN["title"]).value == entry.title
            assert ws.cell(row, COLUMN["questions"]).value == "\n".join(entry.questions)
            assert ws.cell(row, COLUMN["answer"]).value == entry.answer
            review = WORDS.yes if entry.needs_review else WORDS.no
            assert ws.cell(row, COLUMN["needs_review"]).value == review
            assert ws.cell(row, COLUMN["questions"]).alignment.wrap_text
    row = 2 + knowledge.category("smartcard").entry_ids.index("smartcard-lost")
    smartcard_lost = wb["smartcard"].cell(row, COLUMN["title"])
    assert smartcard_lost.value == knowledge.entry("smartcard-lost").title
    assert "کارت ملی" in smartcard_lost.value


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_changes_nothing(folder: Path, tmp_path: Path, suffix: str) -> None:
    before_bytes = snapshot(folder)
    before = load_knowledge(folder)
    out = tmp_path / f"kb{suffix}"
    (export_csv if suffix == ".csv" else export_workbook)(folder, out, WORDS)
    result = import_workbook(out, folder, WORDS)
    assert result.errors == ()
    assert result.changed == ()
    assert result.knowledge == before
    assert load_knowledge(folder) == before  # identical objects, source lines included
    assert snapshot(folder) == before_bytes  # identical YAML bytes
    assert not (folder / BACKUP_DIR).exists()


def test_csv_is_utf8_with_bom_and_persian(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb.csv"
    export_csv(folder, out, WORDS)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    content = raw.decode("utf-8-sig")
    assert content.startswith(",".join(ENTRY_COLUMNS) + "\r\n")
    assert load_knowledge(folder).entry("birth-registration").title in content


def test_import_a_copy_into_another_folder_gives_the_same_knowledge(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb.xlsx"
    export_workbook(folder, out, WORDS)
    target = Path(shutil.copytree(folder, tmp_path / "other"))
    birth = (target / "birth.yaml").read_text(encoding="utf-8")
    (target / "birth.yaml").write_text(birth.replace("verified_on: null", "verified_on: 2024-01-01"), "utf-8")
    # without versions (cleared, as for a workbook meant for another installation) the rows win
    wb = load_workbook(out)
    for ws in wb.worksheets[2:]:
        for row in range(2, ws.max_row + 1):
            ws.cell(row, COLUMN["version"]).value = None
    wb.save(out)
    result = import_workbook(out, target, WORDS)
    assert result.ok and result.changed == ("birth.yaml",)
    assert load_knowledge(target) == load_knowledge(folder)
    assert (target / "birth.yaml").read_bytes() == (folder / "birth.yaml").read_bytes()


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("follow_ups", "birth-late\nghost-entry", "unknown follow-up id 'ghost-entry'"),
        ("answer", "الف" * 5000, "more than 4096"),
        ("id", None, "id is empty"),
        ("id", "Birth-Late", "lowercase slug"),
        ("verified_on", "2025-13-40", "is not a date"),
        ("needs_review", "شاید", f"is not {WORDS.yes} or {WORDS.no}"),
        ("links", "سایت | https://evil.example/x", "not on an official domain"),
        ("links", "سایت | http://www.sabteahval.ir", "not https"),
        ("questions", "یک\nدو", "2 questions, at least 5"),
        ("questions", "فهرست نام‌های مجاز ثبت احوال\na\nb\nc\nd", "is also a question of baby-name"),
        ("category", "smartcard", "is not this sheet's 'birth'"),
        ("id", "baby-name", "duplicate id 'baby-name' (first at birth!3)"),
        ("title", "  ", "'title' must be non-empty text"),
    ],
)
def test_one_bad_row_changes_nothing_and_names_the_cell(
    folder: Path, workbook: Path, column: str, value: object, fragment: str
) -> None:
    renamed = column == "id"
    out = workbook
    before = snapshot(folder)
    edit_workbook(out, "birth", 4, column, value)
    result = import_workbook(out, folder, WORDS)
    assert not result.ok
    assert snapshot(folder) == before
    assert not (folder / BACKUP_DIR).exists()
    named = [(e.sheet, e.row, e.column) for e in result.errors if fragment in e.message]
    assert named == [("birth", 4, column)], result.errors
    error = next(e for e in result.errors if e.row == 4)
    letter = get_column_letter(COLUMN[column])
    assert str(error).startswith(f"birth!{letter}4 ({column}): ")  # the cell as the spreadsheet shows it
    # a row whose id changed leaves the other entries' follow-ups to 'birth-late' dangling: said too
    others = {e.message.split(": ", 1)[1] for e in result.errors if e is not error}
    assert others == ({"unknown follow-up id 'birth-late'"} if renamed else set()), result.errors


def test_edited_answer_takes_effect_with_a_backup(folder: Path, workbook: Path) -> None:
    out = workbook
    knowledge = load_knowledge(folder)
    row = 2 + knowledge.category("smartcard").entry_ids.index("smartcard-lost")
    before = snapshot(folder)
    new_answer = "پاسخ تازه برای کارت ملی گم‌شده.\n\n۱. مرحله اول\n۲. مرحله دوم: «نکته»"
    edit_workbook(out, "smartcard", row, "answer", new_answer)
    result = import_workbook(out, folder, WORDS)
    assert result.ok and result.changed == ("smartcard.yaml",)
    reloaded = load_knowledge(folder)
    assert reloaded.entry("smartcard-lost").answer == new_answer
    assert reloaded.entry("smartcard-lost").short_answer == "پاسخ تازه برای کارت ملی گم‌شده."
    assert "    answer: |\n      پاسخ تازه برای کارت ملی گم‌شده.\n\n      ۱. مرحله اول\n" in (
        folder / "smartcard.yaml"
    ).read_text(encoding="utf-8")
    after = snapshot(folder)
    assert {name for name in before if before[name] != after[name]} == {"smartcard.yaml"}
    others = [entry_id for entry_id in knowledge.entries if entry_id != "smartcard-lost"]
    assert all(reloaded.entry(i).answer == knowledge.entry(i).answer for i in others)
    # the replaced file is kept in .backup/<timestamp>/, which the loader does not read
    assert result.backup is not None and result.backup.parent == folder / BACKUP_DIR
    assert (result.backup / "smartcard.yaml").read_bytes() == before["smartcard.yaml"]
    assert check_knowledge(folder)[1] == []
    assert not list(folder.glob(".*.tmp"))


def test_workbook_edits_in_other_formats_are_read(folder: Path, workbook: Path) -> None:
    out = workbook
    wb = load_workbook(out)
    ws = wb["birth"]
    ws.cell(2, COLUMN["verified_on"], "1404-05-01")  # Jalali
    ws.cell(3, COLUMN["verified_on"], date(2025, 3, 1))  # a date cell
    ws.cell(2, COLUMN["needs_review"], False)
    ws.cell(3, COLUMN["needs_review"], "TRUE")
    ws.cell(2, COLUMN["follow_ups"], "baby-name, birth-late\r\nnational-code")
    wb.save(out)
    result = import_workbook(out, folder, WORDS)
    assert result.ok, result.errors
    knowledge = load_knowledge(folder)
    first, second = knowledge.entries_of("birth")[:2]
    assert (first.verified_on, first.needs_review) == (date(2025, 7, 23), False)
    assert (second.verified_on, second.needs_review) == (date(2025, 3, 1), True)
    assert first.follow_ups == ("baby-name", "birth-late", "national-code")
    written = (folder / "birth.yaml").read_text(encoding="utf-8")
    assert "verified_on: 2025-07-23\n    needs_review: false\n" in written


def test_a_new_category_sheet_makes_a_new_file(folder: Path, workbook: Path) -> None:
    out = workbook
    wb = load_workbook(out)
    wb["categories"].append(["demo", "نمونه", "Demo", 10])
    ws = wb.copy_worksheet(wb["bot"])
    ws.title = "demo"
    for row in range(2, ws.max_row + 1):
        ws.cell(row, COLUMN["id"], f"demo-{row}")
        ws.cell(row, COLUMN["category"], "demo")
        ws.cell(row, COLUMN["questions"], "\n".join(f"پرسش نمونه {row} شماره {n}" for n in range(5)))
        ws.cell(row, COLUMN["follow_ups"], None)
    wb.save(out)
    result = import_workbook(out, folder, WORDS)
    assert result.ok, result.errors
    assert result.changed == ("demo.yaml",)
    assert (folder / "demo.yaml").read_text(encoding="utf-8").startswith(WORDS.header("نمونه"))
    assert load_knowledge(folder).category("demo").title == "نمونه"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda wb: wb["birth"].cell(1, COLUMN["answer"], "پاسخ"), ("birth", 1, "answer", "is not 'answer'")),
        (lambda wb: wb.create_sheet("typo").append(["x"]), ("typo", 1, "", "is not a category")),
        (lambda wb: wb.remove(wb["bot"]), ("categories", 10, "id", "no sheet named 'bot'")),
        (lambda wb: wb.remove(wb["categories"]), ("categories", 1, "", "no 'categories' sheet")),
        (lambda wb: wb["bot"].delete_rows(2, 20), ("categories", 10, "id", "'bot' has no entries")),
    ],
)
def test_workbook_structure_errors(folder: Path, workbook: Path, change, expected) -> None:  # type: ignore[no-untyped-def]
    out = workbook
    wb = load_workbook(out)
    change(wb)
    wb.save(out)
    before = snapshot(folder)
    result = import_workbook(out, folder, WORDS)
    assert snapshot(folder) == before
    found = [(e.sheet, e.row, e.column) for e in result.errors if expected[3] in e.message]
    assert found == [expected[:3]], result.errors


def test_csv_errors_name_the_row(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb.csv"
    export_csv(folder, out, WORDS)
    content = out.read_text(encoding="utf-8-sig").replace(",birth,", ",nowhere,", 1)
    out.write_text(content, encoding="utf-8-sig")
    before = snapshot(folder)
    result = import_workbook(out, folder, WORDS)
    assert snapshot(folder) == before
    assert any(
        e.sheet == "kb.csv" and e.column == "category" and "unknown category 'nowhere'" in e.message
        for e in result.errors
    ), result.errors


def test_cli_export_and_import(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kb.xlsx"
    assert kb_command(folder, "export", str(out)) == 0
    assert kb_command(folder, "import", str(out), language="en") == 0
    assert "nothing changed" in capsys.readouterr().out
    edit_workbook(out, "birth", 2, "follow_ups", "ghost-entry")
    edit_workbook(out, "smartcard", 3, "answer", "پاسخ تازه")
    before = snapshot(folder)
    assert kb_command(folder, "import", str(out), language="en") == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[1:] == [
        "  birth!I2 (follow_ups): entry birth-registration: unknown follow-up id 'ghost-entry'"
    ]
    assert kb_command(folder, "import", str(out)) == 1  # Persian by default: one language per message
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "kb.xlsx: ۱ ایراد؛ هیچ پرونده‌ای تغییر نکرد:",
        "  birth!I2 (follow_ups): پاسخ birth-registration: پاسخ پیشنهادی ghost-entry وجود ندارد.",
    ]
    assert snapshot(folder) == before
    edit_workbook(out, "birth", 2, "follow_ups", "baby-name")
    assert kb_command(folder, "import", "--check", str(out), language="en") == 0
    assert "would change: birth.yaml, smartcard.yaml" in capsys.readouterr().out
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "12",
        "null",
        "- a list?",
        "a: b",
        "#tag",
        "x #y",
        "[x]",
        "a, b",
        '"quoted"',
        "'single'",
        "تاریخ: ۱۴۰",
    ],
)
def test_writer_quotes_what_yaml_would_misread(value: str) -> None:
    entry = {
        "id": "demo-one",
        "category": "demo",
        "title": value,
        "title_en": value,
        "questions": [value, f"{value} دو"],
        "keywords": [value, "ساده"],
        "answer": f"{value}\n\n  تورفته\nپایان  ",
        "links": [{"title": value, "url": "https://www.sabteahval.ir"}],
        "follow_ups": [value],
        "source": value,
        "verified_on": None,
        "needs_review": False,
    }
    category = {"id": "demo", "title": value, "title_en": "", "order": 0}
    content, _ = write_category("# demo\n", category, [entry])
    assert yaml.safe_load(content) == {"category": category, "entries": [entry]}


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab1 .-:#,'\"[]{}!&*|>%@`~=<?\t\\سلام۱٬،«»\u200c\x85\u2028"), max_size=8)
)
def test_the_plain_fast_path_agrees_with_yaml(value: str) -> None:
    for flow in (False, True):
        if plain_reads_back(value, flow=flow):
            wrapped = f"[{value}]" if flow else f"k: {value}\n"
            assert yaml.safe_load(wrapped) == ([value] if flow else {"k": value})


def test_a_workbook_exported_in_english_imports_unchanged(folder: Path, tmp_path: Path) -> None:
    before = snapshot(folder)
    out = tmp_path / "kb.xlsx"
    export_workbook(folder, out, KbWords.of(LOCALES, "en"))
    wb = load_workbook(out)
    assert wb.sheetnames[0] == LOCALES.get("en").text("kb.guide.sheet")
    rows = wb["birth"].iter_rows(min_row=2, values_only=True)
    assert {row[COLUMN["needs_review"] - 1] for row in rows} <= {"yes", "no"}
    result = import_workbook(out, folder, WORDS)  # read by a Persian deployment
    assert result.errors == () and result.changed == ()
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("answer", "پاسخ کوتاه. نوبت: https://www.sabteahval.ir\uff0fnobat"),
        ("answer", "پاسخ کوتاه. نوبت در evil.example/nobat"),
        ("links", "نوبت | https://evil.example\\@www.sabteahval.ir/"),
        ("links", "نوبت | https://www.sabteahval.ir\uff0fnobat"),
    ],
)
def test_item10_a_bad_link_in_a_workbook_is_an_error_not_a_crash(
    folder: Path, workbook: Path, column: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(folder)
    edit_workbook(workbook, "birth", 4, column, value)
    assert kb_command(folder, "import", str(workbook)) == 1
    assert snapshot(folder) == before
    assert f"birth!{get_column_letter(COLUMN[column])}4 ({column})" in capsys.readouterr().err
