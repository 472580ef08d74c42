"""The knowledge workbook as Excel and LibreOffice show it, and what import makes of what they save.

Each test opens a real exported XLSX (or CSV) again with openpyxl, changes it the way a person or
a spreadsheet program does, and imports it into a copy of the shipped knowledge folder.
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.engine.engine import AnswerEngine
from bot.engine.live import LiveEngine
from bot.knowledge.edit import apply_entry_change
from bot.knowledge.loader import FIRST_VERIFIED_ON, check_knowledge, load_knowledge
from bot.knowledge.workbook.conversions import looks_converted
from bot.knowledge.workbook.exporter import export_csv, export_workbook, import_workbook
from bot.knowledge.workbook.rows import ENTRY_COLUMNS, shown_date
from bot.knowledge.workbook.sheets import FONT_NAME, LINE_HEIGHT
from bot.knowledge.workbook.words import KbWords
from bot.locale import load_locales
from bot.settings import ROOT, Settings
from tests.support.cli import run_cli

COLUMN = {name: position for position, name in enumerate(ENTRY_COLUMNS, start=1)}
LOCALES = load_locales(ROOT / "locales")
WORDS = KbWords.of(LOCALES, "fa")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge"))


@pytest.fixture(scope="module")
def shipped_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge exported once (versions are content fingerprints, so it is the export
    of every fresh ``folder``); tests edit copies of it."""
    out = tmp_path_factory.mktemp("export") / "kb.xlsx"
    export_workbook(ROOT / "knowledge", out, WORDS)
    return out


@pytest.fixture
def workbook(folder: Path, shipped_workbook: Path, tmp_path: Path) -> Path:
    """The export of ``folder`` as it was copied."""
    return Path(shutil.copy(shipped_workbook, tmp_path / "kb.xlsx"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.yaml"))}


def row_of(folder: Path, entry_id: str) -> tuple[str, int]:
    knowledge = load_knowledge(folder)
    entry = knowledge.entry(entry_id)
    return entry.category, 2 + knowledge.category(entry.category).entry_ids.index(entry_id)


def set_cell(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    wb = load_workbook(path)
    wb[sheet].cell(row, COLUMN[column]).value = value
    wb.save(path)


def keys(errors: tuple[object, ...]) -> list[tuple[str, int, str, str]]:
    return [(e.sheet, e.row, e.column, e.key) for e in errors]  # type: ignore[attr-defined]


def test_answer_cells_read_right_to_left_wrapped_and_tall_enough(folder: Path, workbook: Path) -> None:
    wb = load_workbook(workbook)
    knowledge = load_knowledge(folder)
    longest = max(knowledge.entries.values(), key=lambda entry: len(entry.answer))
    sheet, row = row_of(folder, longest.id)
    ws = wb[sheet]
    answer = ws.cell(row, COLUMN["answer"])
    assert answer.value == longest.answer
    assert answer.alignment.readingOrder == 2  # right to left: a wrapped Persian cell lays out right
    assert answer.alignment.wrap_text and answer.alignment.vertical == "top"
    assert answer.font.name == FONT_NAME
    width = ws.column_dimensions[get_column_letter(COLUMN["answer"])].width
    lines = sum(max(1, -(-len(line) // int(width))) for line in longest.answer.split("\n"))
    height = ws.row_dimensions[row].height
    assert height is not None and height >= min(409, lines * LINE_HEIGHT)  # every line shows
    for category in knowledge.categories:  # every answer cell of every sheet
        sheet_rows = wb[category.id]
        for number in range(2, sheet_rows.max_row + 1):
            cell = sheet_rows.cell(number, COLUMN["answer"])
            assert cell.alignment.readingOrder == 2 and cell.alignment.wrap_text
            assert (sheet_rows.row_dimensions[number].height or 0) >= LINE_HEIGHT * cell.value.count("\n")
    # codes read left to right, and no column is narrower than its widest id
    id_cell = ws.cell(row, COLUMN["id"])
    assert id_cell.alignment.readingOrder == 1 and id_cell.alignment.wrap_text
    id_width = ws.column_dimensions["A"].width
    assert id_width >= max(len(e.id) for e in knowledge.entries_of(sheet)) + 1
    # the header is frozen, the columns are text below the data, and the fixed choices are lists
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions[get_column_letter(COLUMN["verified_on"])].number_format == "@"
    lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in ws.data_validations.dataValidation}
    assert lists[get_column_letter(COLUMN["needs_review"])] == f'"{WORDS.yes},{WORDS.no}"'
    assert lists[get_column_letter(COLUMN["category"])].startswith("categories!$A$2:")
    # a date cell, selected, says how to write a Jalali date, in the data rows and the rows below them
    dates = get_column_letter(COLUMN["verified_on"])
    [prompt] = [v for v in ws.data_validations.dataValidation if str(v.sqref).startswith(f"{dates}2:")]
    assert prompt.showInputMessage and prompt.prompt == WORDS.catalog.text("kb.guide.prompt.verified_on")
    assert int(str(prompt.sqref).split(":")[1][1:]) > ws.max_row
    guide = "\n".join(str(cell.value) for cell in wb[WORDS.guide_sheet]["B"] if cell.value)
    assert "ترتیب ردیف‌ها همان ترتیب موضوع‌ها" in guide and "۱۴۰۵/۰۹/۱۵" in guide


def test_a_date_cell_in_year_1405_is_the_jalali_date_typed(folder: Path, workbook: Path) -> None:
    sheet, row = row_of(folder, "birth-registration")
    # LibreOffice turns 1405-09-15 typed into a General cell into a date of the year 1405, shown in
    # its Julian calendar: saved, it reads back (proleptic Gregorian) as 24 September 1405
    # (benchmarks/libreoffice_roundtrip.py, LibreOffice 7.4)
    set_cell(workbook, sheet, row, "verified_on", datetime(1405, 9, 24))
    result = import_workbook(workbook, folder, WORDS)
    assert result.ok, result.errors
    assert load_knowledge(folder).entry("birth-registration").verified_on == date(2026, 12, 6)  # 15 Azar 1405
    # as text, Jalali or Gregorian, Persian digits too; a real (Gregorian) date cell as it is
    for value, expected in [
        ("۱۴۰۴/۰۵/۰۱", date(2025, 7, 23)),
        ("2025-03-01", date(2025, 3, 1)),
        (date(2025, 3, 1), date(2025, 3, 1)),
    ]:
        export_workbook(folder, workbook, WORDS)
        set_cell(workbook, sheet, row, "verified_on", value)
        assert import_workbook(workbook, folder, WORDS).ok
        assert load_knowledge(folder).entry("birth-registration").verified_on == expected, value


def test_shown_date_is_the_julian_calendar_before_the_reform() -> None:
    assert shown_date(date(1405, 9, 24)) == (1405, 9, 15)
    assert shown_date(date(1582, 10, 15)) == (1582, 10, 15)  # the first Gregorian day
    assert shown_date(date(1582, 10, 14)) == (1582, 10, 4)  # the last Julian day
    assert shown_date(date(1300, 1, 8)) == (1300, 1, 1)  # 7 days apart before 29 February 1300 (Julian)


def test_kb_check_refuses_dates_in_the_future_or_before_1300(folder: Path) -> None:
    text = (folder / "birth.yaml").read_text(encoding="utf-8")
    first = text.index("verified_on:")
    end = text.index("\n", first)
    for value, key in [("2999-01-01", "verified_on_future"), ("1405-09-15", "verified_on_too_old")]:
        (folder / "birth.yaml").write_text(text[:first] + f"verified_on: {value}" + text[end:], "utf-8")
        _, problems = check_knowledge(folder)
        assert [(p.file, p.key) for p in problems] == [("birth.yaml", key)]
        assert text[:first].count("\n") + 1 == problems[0].line
    assert date(1921, 3, 21) == FIRST_VERIFIED_ON


def test_a_future_date_is_said_as_the_jalali_date_staff_wrote(folder: Path) -> None:
    text = (folder / "birth.yaml").read_text(encoding="utf-8")
    first = text.index("verified_on:")
    end = text.index("\n", first)
    (folder / "birth.yaml").write_text(text[:first] + "verified_on: 2999-01-01" + text[end:], "utf-8")
    [problem] = check_knowledge(folder)[1]
    assert dict(problem.note.values)["date"] == "2377/10/12"


def test_an_old_export_never_overwrites_an_edit_made_in_the_bot(folder: Path, workbook: Path) -> None:
    sheet, row = row_of(folder, "smartcard-lost")
    edited = "پاسخ ویرایش‌شده در ربات."
    apply_entry_change(folder, "smartcard-lost", lambda record: {**record, "answer": edited})
    after_edit = snapshot(folder)
    # the row was not touched: the bot's newer version stays, and import says so
    result = import_workbook(workbook, folder, WORDS)
    assert result.ok, result.errors
    assert load_knowledge(folder).entry("smartcard-lost").answer == edited
    assert snapshot(folder) == after_edit
    assert keys(result.warnings) == [(sheet, row, "version", "kept_newer")]
    # the row was edited too: refused for that entry, with its cell, and nothing changes
    set_cell(workbook, sheet, row, "answer", "پاسخ کهنه‌ای که در کارنامه ویرایش شد.")
    result = import_workbook(workbook, folder, WORDS)
    assert keys(result.errors) == [(sheet, row, "version", "changed_since_export")]
    assert result.errors[0].cell == f"{get_column_letter(COLUMN['version'])}{row}"
    assert snapshot(folder) == after_edit
    # another row of the same old workbook still imports, around the newer entry
    other_sheet, other_row = row_of(folder, "birth-registration")
    set_cell(
        workbook, sheet, row, "answer", load_knowledge(ROOT / "knowledge").entry("smartcard-lost").answer
    )
    set_cell(workbook, other_sheet, other_row, "title", "ثبت ولادت نوزاد")
    result = import_workbook(workbook, folder, WORDS)
    assert result.ok, result.errors
    knowledge = load_knowledge(folder)
    assert knowledge.entry("smartcard-lost").answer == edited
    assert knowledge.entry("birth-registration").title == "ثبت ولادت نوزاد"


def test_formulas_unknown_columns_and_extra_sheets_are_refused_with_their_cell(
    folder: Path, workbook: Path
) -> None:
    before = snapshot(folder)
    sheet, row = row_of(folder, "birth-registration")
    wb = load_workbook(workbook)
    wb[sheet].cell(row, COLUMN["source"]).value = '=CONCAT("a","b")'  # a formula in an optional cell
    wb[sheet].cell(1, len(ENTRY_COLUMNS) + 1).value = "notes"
    wb.create_sheet("Sheet1")  # empty: ignored
    wb.create_sheet("draft").append(["id"])  # not empty: refused
    wb.save(workbook)
    result = import_workbook(workbook, folder, WORDS)
    notes = get_column_letter(len(ENTRY_COLUMNS) + 1)
    assert [(e.sheet, e.cell, e.key) for e in result.errors] == [
        (sheet, f"{notes}1", "unknown_column"),
        ("draft", "", "unknown_sheet"),
    ]
    assert snapshot(folder) == before
    wb = load_workbook(workbook)
    wb[sheet].delete_cols(len(ENTRY_COLUMNS) + 1)
    wb.remove(wb["draft"])
    wb.save(workbook)
    result = import_workbook(workbook, folder, WORDS)
    source = get_column_letter(COLUMN["source"])
    assert [(e.sheet, e.cell, e.key) for e in result.errors] == [(sheet, f"{source}{row}", "formula")]
    assert str(result.errors[0]).startswith(f"{sheet}!{source}{row} (source): a formula (=CONCAT")
    assert snapshot(folder) == before


def test_converted_numbers_are_said_with_their_cell(folder: Path, workbook: Path) -> None:
    sheet, row = row_of(folder, "birth-registration")
    wb = load_workbook(workbook)
    ws = wb[sheet]
    ws.cell(row, COLUMN["source"]).value = 21  # "021" typed into a General cell
    ws.cell(row, COLUMN["keywords"]).value = time(8, 0)  # "8:00"
    wb.save(workbook)
    result = import_workbook(workbook, folder, WORDS)
    assert result.ok, result.errors
    assert keys(result.warnings) == [
        (sheet, row, "keywords", "converted"),
        (sheet, row, "source", "converted"),
    ]
    entry = load_knowledge(folder).entry("birth-registration")
    assert (entry.source, entry.keywords) == ("21", ("08:00:00",))


def test_number_like_text_a_spreadsheet_changed_in_a_csv_is_said_with_its_cell(
    folder: Path, tmp_path: Path
) -> None:
    def shipped(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "source": "021", "keywords": [*record["keywords"], "8:00", "50%", "1405"]}

    apply_entry_change(folder, "birth-registration", shipped)
    out = tmp_path / "kb.csv"
    export_csv(folder, out, WORDS)
    # the CSV opened in a spreadsheet (General cells) and saved again; 1405 -> 1406 is an edit
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    number, row = next((n, r) for n, r in enumerate(rows, start=1) if r[0] == "birth-registration")
    saved = {"021": "21", "8:00": "08:00:00", "50%": "0.5", "1405": "1406"}
    row[COLUMN["source"] - 1] = saved["021"]
    keywords = row[COLUMN["keywords"] - 1].split("\n")
    row[COLUMN["keywords"] - 1] = "\n".join(saved.get(keyword, keyword) for keyword in keywords)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = import_workbook(out, folder, WORDS)
    assert result.ok, result.errors
    assert [(e.row, e.column, e.key, dict(e.note.values)) for e in result.warnings] == [
        (number, "keywords", "converted_from", {"value": "0.5", "was": "50%"}),
        (number, "keywords", "converted_from", {"value": "08:00:00", "was": "8:00"}),
        (number, "source", "converted_from", {"value": "21", "was": "021"}),
    ]
    assert str(result.warnings[-1]).startswith("kb.csv!J") and "«21» was «021»" in str(result.warnings[-1])


@pytest.mark.parametrize(
    ("before", "after", "converted"),
    [
        ("021", "21", True),
        ("۰۲۱", "21", True),
        ("8:00", "08:00:00", True),
        ("50%", "0.5", True),
        ("1,250", "1250", True),
        ("09121234567", "9121234567", True),
        ("21", "021", False),  # a spreadsheet never adds a zero: an edit
        ("021", "022", False),
        ("8:00", "9:00", False),
        ("ساعت 8", "8", False),
    ],
)
def test_what_a_spreadsheet_makes_of_number_like_text(before: str, after: str, converted: bool) -> None:
    assert looks_converted(before, after) is converted


def test_control_characters_from_a_csv_are_removed_and_said(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb.csv"
    export_csv(folder, out, WORDS)
    title = load_knowledge(folder).entry("birth-registration").title
    content = out.read_text(encoding="utf-8-sig")
    out.write_text(content.replace(title, title.replace(" ", "\x07 ", 1), 1), encoding="utf-8-sig")
    result = import_workbook(out, folder, WORDS)
    assert result.ok, result.errors
    assert [(e.column, e.key) for e in result.warnings] == [("title", "control_characters")]
    assert load_knowledge(folder).entry("birth-registration").title == title
    export_workbook(folder, tmp_path / "kb.xlsx", WORDS)  # the next XLSX export works


def test_a_duplicate_phrasing_is_blamed_on_the_row_where_it_is_new(folder: Path, workbook: Path) -> None:
    knowledge = load_knowledge(folder)
    taken = knowledge.entry("smartcard-lost").questions[0]
    sheet, row = row_of(folder, "birth-registration")  # birth comes after smartcard in the menu ...
    assert knowledge.categories[0].id == "smartcard"
    questions = "\n".join((*knowledge.entry("birth-registration").questions, taken))
    set_cell(workbook, sheet, row, "questions", questions)
    result = import_workbook(workbook, folder, WORDS)
    # ... but the phrasing is new on birth's row: that is the one to fix, once
    assert [(e.sheet, e.row, e.column, e.key) for e in result.errors] == [
        (sheet, row, "questions", "duplicate_question")
    ]
    assert f"({row_of(folder, 'smartcard-lost')[0]}!" in result.errors[0].message


def test_a_renamed_header_is_one_error_on_its_cell(folder: Path, workbook: Path) -> None:
    set_cell(workbook, "contact", 1, "answer", "پاسخ")
    result = import_workbook(workbook, folder, WORDS)
    answer = get_column_letter(COLUMN["answer"])
    assert [(e.sheet, e.cell, e.column, e.key) for e in result.errors] == [
        ("contact", f"{answer}1", "answer", "renamed_column")
    ]


def test_sorting_a_sheet_is_said_because_it_reorders_the_menu(folder: Path, workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb["birth"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            ws.cell(number, column).value = value
    wb.save(workbook)
    result = import_workbook(workbook, folder, WORDS)
    assert result.ok and keys(result.warnings) == [("birth", 0, "", "new_order")]
    assert load_knowledge(folder).category("birth").entry_ids[0] == rows[-1][0]


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_other_spreadsheet_files_say_to_save_as_xlsx(folder: Path, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"kb{suffix}"
    path.write_bytes(b"not read")
    result = import_workbook(path, folder, WORDS)
    assert keys(result.errors) == [(path.name, 0, "", "other_spreadsheet")]
    assert "save it as .xlsx" in result.errors[0].message


def test_a_workbook_saved_as_csv_says_to_use_kb_export(folder: Path, workbook: Path, tmp_path: Path) -> None:
    """A spreadsheet saves only the sheet on screen, the guide, as CSV: one error that says what to do."""
    wb = load_workbook(workbook)
    guide = wb[WORDS.guide_sheet]
    saved = tmp_path / "kb.csv"
    lines = [",".join(f'"{cell.value or ""}"' for cell in row) for row in guide.iter_rows()]
    saved.write_text("\n".join(lines), encoding="utf-8-sig")
    result = import_workbook(saved, folder, WORDS)
    assert keys(result.errors) == [("kb.csv", 0, "", "guide_as_csv")]
    assert "sabtyar kb export answers.csv" in result.errors[0].message


def test_csv_cells_that_look_like_formulas_are_escaped_and_come_back(folder: Path, tmp_path: Path) -> None:
    apply_entry_change(folder, "birth-registration", lambda record: {**record, "source": "=HYPERLINK(1)"})
    out = tmp_path / "kb.csv"
    export_csv(folder, out, WORDS)
    assert ",'=HYPERLINK(1)," in out.read_text(encoding="utf-8-sig")
    before = snapshot(folder)
    result = import_workbook(out, folder, WORDS)
    assert result.ok and result.changed == () and snapshot(folder) == before


def test_the_import_command_speaks_the_configured_language(
    folder: Path, workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet, row = row_of(folder, "birth-registration")
    set_cell(workbook, sheet, row, "verified_on", "1405-13-01")
    assert run_cli(["kb", "import", str(workbook)], knowledge_dir=folder) == 1
    err = capsys.readouterr().err
    verified = get_column_letter(COLUMN["verified_on"])
    assert f"  {sheet}!{verified}{row} (verified_on): «1405-13-01» تاریخ نیست" in err
    assert "error" not in err.lower()
    set_cell(workbook, sheet, row, "verified_on", "1405-09-15")
    assert run_cli(["kb", "import", str(workbook)], knowledge_dir=folder) == 0
    assert "در چند ثانیه" in capsys.readouterr().out  # the running bot follows the files


@pytest.mark.slow  # the new engine is indexed in full (about 7 s here)
async def test_an_import_is_live_in_the_running_bot_within_seconds(
    folder: Path, workbook: Path, engine: AnswerEngine, settings: Settings
) -> None:
    """The running bot follows the knowledge files (as ``kb import`` says): no ``/reload`` needed."""
    live = LiveEngine(engine, folder, settings.engine.thresholds, settings.engine.weights)
    following = asyncio.create_task(live.follow(every=0.05))
    try:
        sheet, row = row_of(folder, "smartcard-lost")
        edited = "پاسخ تازه از کارنامه: به دفتر پیشخوان بروید."
        set_cell(workbook, sheet, row, "answer", edited)
        argv = ["kb", "import", str(workbook)]
        assert await asyncio.to_thread(lambda: run_cli(argv, knowledge_dir=folder)) == 0
        for _ in range(400):
            if live.engine.knowledge.entry("smartcard-lost").answer == edited:
                break
            await asyncio.sleep(0.05)
        assert live.engine.knowledge.entry("smartcard-lost").answer == edited
    finally:
        following.cancel()
