"""``sabtyar report --pack DIR``: the printable workbook, the PNG charts and a one-page PDF whose
Persian text is shaped, from a real SQLite store (the report tests' hand-made data set)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from arabic_reshaper import reshape
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.reports.charts import visual_order
from bot.store import Store
from bot.store.curation import record_change
from tests.reports.test_report import ALI, FA, KNOWLEDGE_DIR, PERIOD_TITLE, REZA, seed, utc
from tests.support.cli import run_cli

PHONE = "09121234567"
#: Arabic presentation forms: what shaped Persian text is made of.
SHAPED = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture
async def db(tmp_path: Path) -> Path:
    path = tmp_path / "sabtyar.db"
    async with await Store.open(path) as store:
        await seed(store)
        [[event_id]] = await store.rows(
            "SELECT answer_event_id FROM ratings WHERE user_hash = ? AND score = 2", (ALI,)
        )
        await store.record_comment(event_id, ALI, f"پاسخ ناقص بود، با من تماس بگیرید {PHONE}")
        await record_change(
            store,
            staff_hash=REZA,
            platform="telegram",
            entry_id="smartcard-lost",
            field="answer",
            before="old",
            after="new",
            at=utc("2026-10-22T12:00:00"),  # in the period (a change made now is not)
        )
    return path


def shaped(text: str, extracted: str) -> bool:
    """``text`` is in the PDF's text in its joined letter forms. The page holds it in display order;
    pypdf may give it back in that order or turn right-to-left runs around, so either counts."""
    plain = extracted.replace("\u200c", "")
    return any(form.replace("\u200c", "") in plain for form in (visual_order(text), reshape(text)))


def pack(db: Path, folder: Path, *extra: str) -> int:
    argv = ["report", "--from", "1405-07-30", "--to", "1405-08-01", "--db", str(db), "--pack", str(folder)]
    return run_cli([*argv, *extra], knowledge_dir=KNOWLEDGE_DIR, store_path=db)


def test_the_pack_writes_a_printable_workbook_png_charts_and_a_one_page_pdf(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    assert pack(db, folder) == 0
    stem = "sabtyar-1405-07-30-1405-08-01"
    charts = sorted(path.name for path in (folder / "charts").iterdir())
    assert charts == ["daily.png", "handoffs.png", "overview.png", "topics.png"]
    assert all((folder / "charts" / name).read_bytes()[:4] == b"\x89PNG" for name in charts)

    book = load_workbook(folder / f"{stem}.xlsx")
    text = FA.text
    assert book.sheetnames == [
        text("report.workbook.summary_sheet"),
        text("report.workbook.data_sheet"),
        text("report.workbook.chart_sheet"),
        text("pack.daily_sheet"),
        text("pack.topics_sheet"),
        text("pack.handoffs_sheet"),
        text("pack.unanswered_sheet"),
        text("pack.comments_sheet"),
    ]
    for sheet in book.worksheets:  # every sheet prints landscape, one page wide, headings repeated
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == ("$4:$4" if sheet is book.worksheets[0] else "$1:$1"), sheet.title
        assert PERIOD_TITLE in sheet.oddHeader.center.text, sheet.title
        assert sheet.sheet_view.rightToLeft, sheet.title
    for title in (
        "report.workbook.summary_sheet",
        "pack.daily_sheet",
        "pack.topics_sheet",
        "pack.handoffs_sheet",
    ):
        assert book[text(title)]._charts, title  # a chart on each figure sheet

    daily = book[text("pack.daily_sheet")]
    assert [daily.cell(row, 1).value for row in (2, 3, 4)] == ["۳۰ مهر ۱۴۰۵", "۱ آبان ۱۴۰۵", None]
    assert daily.cell(2, 2).value == 7 and daily.cell(3, 2).value == 7  # questions per Iran day

    topics = book[text("pack.topics_sheet")]
    rows = {row[0]: row for row in topics.iter_rows(min_row=2, values_only=True)}
    assert rows["smartcard-lost"][3:6] == (3, 2, 1)  # shown = 2 direct + 1 chosen
    assert rows["smartcard-lost"][10] == 1  # one staff change in the period
    assert topics.max_column == 12 and rows["smartcard-lost"][11] == 0  # no alternative was pressed

    comments = book[text("pack.comments_sheet")]
    [comment] = [row for row in comments.iter_rows(min_row=2, values_only=True)]
    assert comment[2] == 2 and "[تلفن]" in comment[3] and PHONE not in comment[3]
    unanswered = [
        row[0] for row in book[text("pack.unanswered_sheet")].iter_rows(min_row=2, values_only=True)
    ]
    assert unanswered and all(PHONE not in str(question) for question in unanswered)
    handoffs = [row for row in book[text("pack.handoffs_sheet")].iter_rows(min_row=2, values_only=True)]
    assert handoffs == [("مهر ۱۴۰۵", 2, 2, 1.0, 45.0), ("آبان ۱۴۰۵", 3, 2, pytest.approx(2 / 3), 15.0)]

    reader = PdfReader(folder / f"{stem}.pdf")
    assert len(reader.pages) == 1
    extracted = reader.pages[0].extract_text()
    assert SHAPED.search(extracted), "Persian letters are written in their joined forms"
    for line in ("pack.pdf_figures", "pack.pdf_categories", "report.figure.questions.title"):
        assert shaped(text(line), extracted), line
    assert "پرسش" not in extracted  # no unshaped Persian (isolated letters) is left


def test_corrections_per_entry_appear_where_the_database_records_them(db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(db) as connection:  # one alternative pressed, one other part opened
        connection.executemany(
            "INSERT INTO corrections (question_id, from_entry, to_entry, kind, at) VALUES (?, ?, ?, ?, ?)",
            [
                (1, "national-code", "birth-registration", "alternative", "2026-10-22T21:00:00.000000Z"),
                (2, "national-code", "smartcard-lost", "part", "2026-10-22T21:00:00.000000Z"),
            ],
        )
    folder = tmp_path / "pack"
    assert pack(db, folder) == 0
    [workbook] = folder.glob("*.xlsx")
    topics = load_workbook(workbook)[FA.text("pack.topics_sheet")]
    assert topics.cell(1, 12).value == FA.text("pack.corrections")
    rows = {row[0]: row for row in topics.iter_rows(min_row=2, values_only=True)}
    assert rows["national-code"][11] == 1 and rows["smartcard-lost"][11] == 0


def test_pack_refuses_out_and_format(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "pack"
    for extra in (["--out", str(tmp_path / "x.xlsx")], ["--format", "csv"]):
        assert pack(db, folder, *extra) == 2
        said = FA.text("report.error.pack_alone", folder=str(folder))
        assert capsys.readouterr().err == f"sabtyar report: {said}\n"  # in the configured language
    assert not folder.exists()
