"""The offices and province sheets of the knowledge workbook: export, import all or nothing, round trip.

Every test writes a real XLSX with ``export_workbook``, opens it again with openpyxl, changes it
the way staff would in Excel, and imports it into a copy of the shipped knowledge folder (whose
``offices.yaml`` lists the province and no office yet), or into one with two offices filled in.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.knowledge.directory.live import LiveOffices
from bot.knowledge.directory.offices import OfficeBook, load_offices, nearest_offices
from bot.knowledge.loader import load_knowledge
from bot.knowledge.workbook.exporter import BACKUP_DIR, export_csv, export_workbook, import_workbook
from bot.knowledge.workbook.office_rows import OFFICE_COLUMNS, PROVINCE_COLUMNS
from bot.knowledge.workbook.rows import ENTRY_COLUMNS
from bot.knowledge.workbook.words import KbWords
from bot.locale import load_locales
from bot.settings import ROOT
from tests.support.cli import run_cli

LOCALES = load_locales(ROOT / "locales")
WORDS = KbWords.of(LOCALES, "fa")
FA = LOCALES.get("fa")
OFFICE = {name: position for position, name in enumerate(OFFICE_COLUMNS, start=1)}
PROVINCE = {name: position for position, name in enumerate(PROVINCE_COLUMNS, start=1)}
SAT, SUN, THU = 5, 6, 3
#: Two offices with every field, in the canonical format (sample names and addresses, not real ones).
TWO_OFFICES = """offices:
  - name: اداره ثبت احوال شهرستان دشتستان
    city: برازجان
    address: برازجان، خیابان نمونه، پلاک ۱
    phones: ["07733420000", 077-33421111]
    hours:
      saturday: "07:30-14:00"
      sunday: "07:30-14:00"
      monday: "07:30-14:00"
      tuesday: "07:30-14:00"
      wednesday: "07:30-14:00"
      thursday: "08:00-12:00"
    services: [کارت ملی هوشمند, شناسنامه, ثبت ولادت]
    latitude: 29.2667
    longitude: 51.2167
    url: https://bocr.ir/offices/dashtestan
    verified_on: 2025-07-23
    needs_review: false

  - name: اداره ثبت احوال شهرستان بوشهر
    city: بوشهر
    address: بوشهر، خیابان نمونه
    phones: [077-33330000]
    hours:
      saturday: "07:00-13:30"
      wednesday: "07:00-13:30"
    services: [شناسنامه]
    latitude: 28.9234
    longitude: 50.8203
    url: https://www.bocr.ir/
    needs_review: true
"""


def shipped_offices() -> str:
    return (ROOT / "knowledge" / "offices.yaml").read_text(encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge folder: the province, no office."""
    return Path(shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge"))


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A copy of the shipped folder whose offices.yaml lists two offices (every field)."""
    target = Path(shutil.copytree(ROOT / "knowledge", tmp_path / "filled"))
    text = shipped_offices().replace("offices: []\n", TWO_OFFICES)
    (target / "offices.yaml").write_text(text, encoding="utf-8")
    assert load_offices(target)[1] == [] and len(load_offices(target)[0]) == 2
    return target


def exported(folder: Path, tmp_path: Path, name: str = "kb.xlsx", words: KbWords = WORDS) -> Path:
    out = tmp_path / name
    export_workbook(folder, out, words)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def set_cells(path: Path, sheet: str, row: int, **cells: object) -> None:
    columns = OFFICE if sheet == "offices" else PROVINCE
    wb = load_workbook(path)
    for column, value in cells.items():
        wb[sheet].cell(row, columns[column]).value = value
    wb.save(path)


def cell_of(column: str, row: int) -> str:
    """``offices!E2 (شنبه)``: the cell as the spreadsheet shows it, with the column's header."""
    return f"offices!{get_column_letter(OFFICE[column])}{row} ({WORDS.label(column)})"


def test_the_offices_sheet_is_there_with_headers_when_no_office_is_listed(
    folder: Path, tmp_path: Path
) -> None:
    wb = load_workbook(exported(folder, tmp_path))
    assert wb.sheetnames[-2:] == ["offices", "province"]
    offices, province = wb["offices"], wb["province"]
    headers = [cell.value for cell in offices[1]]
    assert headers == [WORDS.label(column) for column in OFFICE_COLUMNS]
    assert headers[:5] == ["نام اداره", "شهر", "نشانی", "تلفن‌ها", "شنبه"] and headers[10] == "جمعه"
    assert offices.max_row == 1  # the header row only: no office yet
    assert [cell.value for cell in province[1]] == [
        "استان",
        "اداره کل",
        "سایت رسمی",
        "شهرها",
        "نیاز به بررسی",
    ]
    title, office, site, cities, review = (cell.value for cell in province[2])
    assert (title, office, site, review) == (
        "استان بوشهر",
        "اداره کل ثبت احوال استان بوشهر",
        "bocr.ir",
        WORDS.yes,
    )
    assert cities.split("\n")[:2] == ["بوشهر", "برازجان"]
    for ws in (offices, province):
        assert ws.sheet_view.rightToLeft and ws["A1"].font.bold and ws.freeze_panes == "B2"
    assert offices.column_dimensions[get_column_letter(OFFICE["address"])].width >= 40  # room to type
    # an empty sheet still helps: yes/no and the province's cities to choose from, how to write hours
    rules = {
        str(cell_range).split(":")[0]: rule
        for rule in offices.data_validations.dataValidation
        for cell_range in rule.sqref.ranges
    }
    review_letter = get_column_letter(OFFICE["needs_review"])
    assert rules[f"{review_letter}2"].formula1 == f'"{WORDS.yes},{WORDS.no}"'
    assert "برازجان" in rules["B2"].formula1 and not rules["B2"].showErrorMessage
    assert "07:30-14:00" in rules["E2"].prompt
    guide = [row[0] for row in wb[WORDS.guide_sheet].iter_rows(values_only=True)]
    assert "offices" in guide and "province" in guide and "نام اداره" in guide


def test_two_offices_with_every_field_are_one_row_each(filled: Path, tmp_path: Path) -> None:
    ws = load_workbook(exported(filled, tmp_path))["offices"]
    first = {column: ws.cell(2, OFFICE[column]).value for column in OFFICE_COLUMNS}
    assert first["name"] == "اداره ثبت احوال شهرستان دشتستان" and first["city"] == "برازجان"
    assert first["phones"] == "07733420000\n077-33421111"
    assert (first["saturday"], first["thursday"], first["friday"]) == ("07:30-14:00", "08:00-12:00", None)
    assert first["services"] == "کارت ملی هوشمند\nشناسنامه\nثبت ولادت"
    assert (first["latitude"], first["longitude"]) == (29.2667, 51.2167)  # numbers, not text
    assert (first["verified_on"], first["needs_review"]) == ("2025-07-23", WORDS.no)
    assert ws.cell(3, OFFICE["needs_review"]).value == WORDS.yes and ws.max_row == 3
    assert ws.cell(2, OFFICE["saturday"]).alignment.readingOrder == 1  # times read left to right
    assert ws.cell(2, OFFICE["address"]).alignment.readingOrder == 2


@pytest.mark.parametrize("source", ["folder", "filled"])
def test_export_then_import_changes_nothing(
    source: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    knowledge = request.getfixturevalue(source)
    before = snapshot(knowledge)
    result = import_workbook(exported(knowledge, tmp_path), knowledge, WORDS)
    assert result.errors == () and result.changed == ()
    assert result.offices == load_offices(knowledge)[0]
    assert snapshot(knowledge) == before and not (knowledge / BACKUP_DIR).exists()
    assert kb_import(knowledge, exported(knowledge, tmp_path, "again.xlsx")) == 0


def kb_import(folder: Path, workbook: Path, *flags: str, language: str = "en") -> int:
    return run_cli(["kb", "import", *flags, str(workbook)], knowledge_dir=folder, language=language)


@pytest.mark.parametrize("count", [0, 2])
def test_offices_round_trip_through_xlsx_into_another_folder(
    count: int, folder: Path, filled: Path, tmp_path: Path
) -> None:
    """Exported from one folder and imported into another, offices.yaml comes back byte for byte."""
    source, target = (filled, folder) if count else (folder, filled)
    result = import_workbook(exported(source, tmp_path), target, WORDS)
    assert result.ok, result.errors
    assert result.changed == ("offices.yaml",)
    assert (target / "offices.yaml").read_bytes() == (source / "offices.yaml").read_bytes()
    assert len(load_offices(target)[0]) == count
    assert (result.backup / "offices.yaml").exists()  # type: ignore[operator]


def test_an_edited_hour_lands_and_the_top_comment_stays(filled: Path, tmp_path: Path) -> None:
    workbook = exported(filled, tmp_path)
    before = snapshot(filled)
    set_cells(workbook, "offices", 2, saturday="۰۸:۰۰ - ۱۳:۳۰", friday="8:00-11:00")  # Persian digits too
    result = import_workbook(workbook, filled, WORDS)
    assert result.ok, result.errors
    assert result.changed == ("offices.yaml",)
    after = snapshot(filled)
    assert {name for name in before if before[name] != after[name]} == {"offices.yaml"}
    [office, _other] = load_offices(filled)[0]
    assert office.hours[SAT] == (time(8), time(13, 30)) and office.hours[4] == (time(8), time(11))
    assert office.hours[SUN] == (time(7, 30), time(14))
    text = (filled / "offices.yaml").read_text(encoding="utf-8")
    assert '      saturday: "08:00-13:30"\n' in text and '      friday: "08:00-11:00"\n' in text
    assert text.startswith(shipped_offices().split("province:")[0])  # the header comment, as it was


def test_a_closed_day_and_a_removed_office(filled: Path, tmp_path: Path) -> None:
    workbook = exported(filled, tmp_path)
    wb = load_workbook(workbook)
    wb["offices"].cell(2, OFFICE["thursday"]).value = None
    wb["offices"].delete_rows(3)
    wb.save(workbook)
    result = import_workbook(workbook, filled, WORDS)
    assert result.ok, result.errors
    [office] = load_offices(filled)[0]
    assert THU not in office.hours and SAT in office.hours


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"saturday": "14:00-07:30"}, "saturday", "must open before they close"),
        ({"sunday": "8 تا 14"}, "sunday", "a time like 07:30-14:00"),
        ({"monday": "25:00-26:00"}, "monday", "must open before they close"),
        ({"city": "تهران"}, "city", "«تهران» is not one of the province's cities"),
        ({"longitude": None}, "longitude", "has a latitude but no longitude"),
        ({"latitude": None}, "latitude", "has a longitude but no latitude"),
        ({"latitude": 51.2167, "longitude": 29.2667}, "latitude", "from 24 to 40"),
        ({"latitude": "بیست و نه"}, "latitude", "must be a number"),
        ({"url": "https://evil.example/bocr.ir"}, "url", "not on an official domain"),
        ({"url": "http://bocr.ir/x"}, "url", "is not https"),
        ({"name": None}, "name", "office needs a text 'name'"),
        ({"name": "اداره ثبت احوال شهرستان دشتستان", "row": 3}, "name", "is the name of another office too"),
        ({"needs_review": "شاید"}, "needs_review", "is not بله or خیر"),
        ({"verified_on": "1405-13-40"}, "verified_on", "is not a date"),
        ({"phones": "=A1"}, "phones", "a formula"),
    ],
)
def test_a_bad_office_cell_writes_nothing_and_names_the_cell(
    filled: Path, tmp_path: Path, cells: dict[str, object], column: str, fragment: str
) -> None:
    workbook = exported(filled, tmp_path)
    wb = load_workbook(workbook)
    answer = ENTRY_COLUMNS.index("answer") + 1
    wb["smartcard"].cell(2, answer).value = "پاسخ تازه و درست کارت ملی."  # a valid edit, not written either
    row = int(cells.pop("row", 2))  # type: ignore[call-overload]
    for name, value in cells.items():
        wb["offices"].cell(row, OFFICE[name]).value = value
    wb.save(workbook)
    before = snapshot(filled)
    result = import_workbook(workbook, filled, WORDS)
    assert not result.ok
    assert snapshot(filled) == before  # the answers and offices.yaml: byte for byte
    assert not (filled / BACKUP_DIR).exists()
    [error] = [e for e in result.errors if fragment in e.message]
    assert (error.sheet, error.row, error.column) == ("offices", row, column), result.errors
    assert str(error).startswith(cell_of(column, row) + ": ")
    assert error.text(FA).startswith(cell_of(column, row) + ": ")  # named the same in Persian


def test_errors_are_worded_in_persian_on_the_command_line(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = exported(filled, tmp_path)
    set_cells(workbook, "offices", 3, saturday="14:00-07:30", city="تهران")
    before = snapshot(filled)
    assert kb_import(filled, workbook, language="fa") == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "kb.xlsx: ۲ ایراد؛ هیچ پرونده‌ای تغییر نکرد:"
    assert lines[1].startswith(f"  {cell_of('city', 3)}: شهر «تهران» از شهرهای استان نیست")
    assert (
        lines[2]
        == f"  {cell_of('saturday', 3)}: ساعت کاری «saturday: 14:00-07:30»: ساعت شروع باید پیش از پایان باشد."
    )
    assert snapshot(filled) == before


def test_a_new_city_on_the_province_sheet_takes_an_office_at_once(folder: Path, tmp_path: Path) -> None:
    workbook = exported(folder, tmp_path)
    cities = load_offices(folder)[0].province.cities
    set_cells(workbook, "province", 2, cities="\n".join([*cities, "شهر نمونه"]))
    set_cells(
        workbook,
        "offices",
        2,
        name="اداره نمونه",
        city="شهر نمونه",
        address="خیابان نمونه",
        latitude="۲۸٫۹۲",  # typed as text, Persian digits and decimal separator
        longitude="50.82",
        needs_review=WORDS.yes,
    )
    result = import_workbook(workbook, folder, WORDS)
    assert result.ok, result.errors
    book = load_offices(folder)[0]
    assert book.province.cities[-1] == "شهر نمونه"
    [office] = book
    assert (office.city, office.latitude, office.longitude, office.hours) == ("شهر نمونه", 28.92, 50.82, {})


def test_the_province_sheet_has_one_row_and_an_official_site(folder: Path, tmp_path: Path) -> None:
    workbook = exported(folder, tmp_path)
    set_cells(workbook, "province", 3, title="استان دیگر")
    set_cells(workbook, "province", 2, site="evil.example")
    before = snapshot(folder)
    result = import_workbook(workbook, folder, WORDS)
    assert snapshot(folder) == before
    assert [(e.sheet, e.row, e.column, e.key) for e in result.errors] == [
        ("province", 2, "site", "province_url_unofficial"),
        ("province", 3, "", "province_rows"),
    ]
    assert str(result.errors[0]).startswith("province!C2 (سایت رسمی): ")


def test_a_renamed_header_is_named_in_the_sheets_words(folder: Path, tmp_path: Path) -> None:
    workbook = exported(folder, tmp_path)
    wb = load_workbook(workbook)
    wb["offices"].cell(1, OFFICE["saturday"]).value = "شنبه‌ها"
    wb.save(workbook)
    result = import_workbook(workbook, folder, WORDS)
    [error] = result.errors
    assert error.key == "renamed_column" and str(error).startswith("offices!E1 (شنبه): the header 'شنبه‌ها'")


def test_a_workbook_of_the_previous_version_imports_and_keeps_the_offices(
    filled: Path, tmp_path: Path
) -> None:
    """No offices or province sheet (exported before they existed): the offices stay as they are."""
    workbook = exported(filled, tmp_path)
    wb = load_workbook(workbook)
    wb.remove(wb["offices"])
    wb.remove(wb["province"])
    wb["smartcard"].cell(2, ENTRY_COLUMNS.index("answer") + 1).value = "پاسخ تازه و درست کارت ملی."
    wb.save(workbook)
    offices = (filled / "offices.yaml").read_bytes()
    result = import_workbook(workbook, filled, WORDS)
    assert result.ok, result.errors
    assert result.changed == ("smartcard.yaml",) and result.offices is None
    assert (filled / "offices.yaml").read_bytes() == offices
    assert load_knowledge(filled).entries_of("smartcard")[0].answer == "پاسخ تازه و درست کارت ملی."


def test_only_one_of_the_two_sheets_keeps_the_other_part(filled: Path, tmp_path: Path) -> None:
    workbook = exported(filled, tmp_path)
    wb = load_workbook(workbook)
    wb.remove(wb["province"])
    wb["offices"].cell(3, OFFICE["address"]).value = "بوشهر، خیابان نمونه دوم"
    wb.save(workbook)
    province = load_offices(filled)[0].province
    result = import_workbook(workbook, filled, WORDS)
    assert result.ok and result.changed == ("offices.yaml",), result.errors
    book = load_offices(filled)[0]
    assert book.province == province and book.offices[1].address == "بوشهر، خیابان نمونه دوم"


def test_the_imported_offices_are_the_ones_the_location_feature_finds(
    folder: Path, filled: Path, tmp_path: Path
) -> None:
    running = LiveOffices(folder, load_offices(folder)[0])  # a bot started before the import
    assert not running.current()
    result = import_workbook(exported(filled, tmp_path), folder, WORDS)
    assert result.ok and result.changed == ("offices.yaml",), result.errors
    book = load_offices(folder)[0]
    [(nearest, km), (second, _)] = nearest_offices(book, 29.25, 51.20, count=2)  # just outside Borazjan
    assert nearest.name == "اداره ثبت احوال شهرستان دشتستان" and km < 3
    assert second.city == "بوشهر"
    assert nearest.verified_on == date(2025, 7, 23) and not nearest.needs_review
    assert running.current() == book  # the running bot reads the new file on the next question


def test_a_broken_offices_file_is_not_exported(folder: Path, tmp_path: Path) -> None:
    """An office the loader rejects would be missing from the workbook, and importing it would delete it."""
    text = shipped_offices().replace(
        "offices: []\n", "offices:\n  - name: الف\n    address: خیابان\n    city: تهران\n"
    )
    (folder / "offices.yaml").write_text(text, encoding="utf-8")
    from bot.knowledge.loader import KnowledgeError

    with pytest.raises(KnowledgeError, match="not one of the province's cities"):
        exported(folder, tmp_path)


def test_csv_keeps_the_offices_and_refuses_the_offices_sheet_saved_as_csv(
    filled: Path, tmp_path: Path
) -> None:
    before = snapshot(filled)
    out = tmp_path / "kb.csv"
    export_csv(filled, out, WORDS)
    result = import_workbook(out, filled, WORDS)
    assert result.ok and result.changed == () and result.offices is None
    saved = tmp_path / "offices.csv"  # what a spreadsheet saves when the offices sheet is on screen
    rows = load_workbook(exported(filled, tmp_path))["offices"].iter_rows(values_only=True)
    saved.write_text(
        "\n".join(",".join(str(v or "").replace("\n", " ") for v in row) for row in rows), "utf-8"
    )
    result = import_workbook(saved, filled, WORDS)
    assert [e.key for e in result.errors] == ["offices_as_csv"]
    assert snapshot(filled) == before


def test_a_workbook_exported_in_english_imports_unchanged(filled: Path, tmp_path: Path) -> None:
    english = KbWords.of(LOCALES, "en")
    workbook = exported(filled, tmp_path, words=english)
    ws = load_workbook(workbook)["offices"]
    assert [ws.cell(1, OFFICE[c]).value for c in ("name", "saturday")] == ["Office name", "Saturday"]
    before = snapshot(filled)
    result = import_workbook(workbook, filled, WORDS)  # read by a Persian deployment
    assert result.errors == () and result.changed == ()
    assert snapshot(filled) == before


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_saved_again_by_libreoffice_changes_nothing(filled: Path, tmp_path: Path) -> None:
    workbook = exported(filled, tmp_path)
    saved = tmp_path / "saved"
    saved.mkdir()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    before = snapshot(filled)
    result = import_workbook(saved / "kb.xlsx", filled, WORDS)
    assert result.errors == () and result.changed == (), result.errors
    assert result.offices == load_offices(filled)[0] != OfficeBook()
    assert snapshot(filled) == before
