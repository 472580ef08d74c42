"""The knowledge workbook through real LibreOffice: export, open and save in LibreOffice, import.

Run on demand (needs ``soffice``; not in CI)::

    .venv/bin/python benchmarks/libreoffice_roundtrip.py

Steps, each printed with what was saved and what came back:

1. ``kb export`` the shipped knowledge to XLSX; LibreOffice opens it and saves it as XLSX again
   (headless ``--convert-to xlsx``): the import must change nothing, and the reading order,
   wrapping, row heights, fonts and drop-downs must survive.
2. The same through ODS and back to XLSX.
3. A Jalali date typed the way a person does, into a General cell (a macro-free stand-in: a CSV
   row opened by LibreOffice, which turns ``1405-09-15`` into a date of the Gregorian year 1405),
   saved as XLSX: the import must store 15 Azar 1405.
4. The workbook saved as CSV by LibreOffice (only the sheet on screen, the guide): import must
   say to use ``kb export FILE.csv``.
5. ``kb export answers.csv`` with number-like text (``021``, ``8:00``, ``50%``), opened by
   LibreOffice (General cells) and saved as CSV again: import must flag every value it converted.

Headless ``--convert-to`` has no view, so view settings such as the frozen header row are not
carried over (an interactive save keeps them): step 1 shows ``freeze=None`` for that reason.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.edit import apply_entry_change  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.workbook.exporter import export_csv, export_workbook, import_workbook  # noqa: E402
from bot.knowledge.workbook.rows import ENTRY_COLUMNS  # noqa: E402
from bot.knowledge.workbook.words import KbWords  # noqa: E402
from bot.locale import load_locales  # noqa: E402

WORDS = KbWords.of(load_locales(ROOT / "locales"), "fa")


def soffice(source: Path, target_format: str, out_dir: Path, infilter: str = "") -> Path:
    """LibreOffice headless: open ``source`` (with the ``infilter`` import options, if any) and save
    it as ``target_format`` in ``out_dir``."""
    profile = out_dir / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target_format,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / f"{source.stem}.{target_format.split(':')[0]}"


def describe_answer_cell(path: Path) -> str:
    wb = load_workbook(path)
    ws = wb["birth"]
    column = ENTRY_COLUMNS.index("answer") + 1
    cell = ws.cell(2, column)
    validations = sum(len(sheet.data_validations.dataValidation) for sheet in wb.worksheets)
    return (
        f"birth!answer row 2: readingOrder={cell.alignment.readingOrder} wrap={cell.alignment.wrap_text}"
        f" height={ws.row_dimensions[2].height} font={cell.font.name};"
        f" rightToLeft={ws.sheet_view.rightToLeft}; freeze={ws.freeze_panes}; drop-downs={validations}"
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.yaml"))}


def main() -> int:
    if shutil.which("soffice") is None:
        print("soffice not found: apt-get install libreoffice-calc")
        return 1
    version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
    print(version)
    with tempfile.TemporaryDirectory(prefix="sabtyar-lo-") as scratch:
        work = Path(scratch)
        folder = Path(shutil.copytree(ROOT / "knowledge", work / "knowledge"))
        before = snapshot(folder)
        exported = work / "kb.xlsx"
        export_workbook(folder, exported, WORDS)
        print("1. exported:", describe_answer_cell(exported))
        (work / "lo").mkdir()
        saved = soffice(exported, "xlsx", work / "lo")
        print("   LibreOffice saved:", describe_answer_cell(saved))
        result = import_workbook(saved, folder, WORDS, dry_run=True)
        print(
            f"   import: ok={result.ok} changed={result.changed} errors={len(result.errors)}"
            f" warnings={len(result.warnings)}"
        )
        for error in (*result.errors, *result.warnings)[:5]:
            print("     ", error)

        (work / "ods").mkdir()
        ods = soffice(exported, "ods", work / "ods")
        (work / "back").mkdir()
        back = soffice(ods, "xlsx", work / "back")
        result = import_workbook(back, folder, WORDS, dry_run=True)
        print(
            f"2. xlsx -> ods -> xlsx: ok={result.ok} changed={result.changed} errors={len(result.errors)}"
            f" warnings={len(result.warnings)}"
        )
        for error in (*result.errors, *result.warnings)[:5]:
            print("     ", error)

        # 3. a Jalali date typed into a General cell: LibreOffice reads a CSV cell as a person's typing
        wb = load_workbook(exported)
        ws = wb["birth"]
        rows = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
        verified = ENTRY_COLUMNS.index("verified_on")
        rows[1][verified] = "1405-09-15"
        typed = work / "typed.csv"
        with typed.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        (work / "typed").mkdir()
        as_xlsx = soffice(typed, "xlsx", work / "typed")
        cell = load_workbook(as_xlsx).active.cell(2, verified + 1)
        print(
            f"3. typed 1405-09-15 into a General cell; LibreOffice saved {cell.value!r} ({cell.data_type},"
            f" format {cell.number_format})"
        )
        wb2 = load_workbook(exported)
        wb2["birth"].cell(2, verified + 1).value = cell.value
        wb2.save(exported)
        result = import_workbook(exported, folder, WORDS)
        entry_id = rows[1][0]
        print(
            f"   import: ok={result.ok}; stored verified_on ="
            f" {load_knowledge(folder).entry(entry_id).verified_on} (15 Azar 1405 is 2026-12-06)"
        )

        # 4. the workbook saved as CSV by LibreOffice
        (work / "csv").mkdir()
        export_workbook(ROOT / "knowledge", exported, WORDS)
        as_csv = soffice(exported, "csv:Text - txt - csv (StarCalc):44,34,76", work / "csv")
        result = import_workbook(as_csv, folder, WORDS, dry_run=True)
        print(
            f"4. saved as CSV by LibreOffice ({as_csv.read_text(encoding='utf-8').count(chr(10))} lines):"
            f" {len(result.errors)} error(s)"
        )
        for error in result.errors:
            print("     ", error)

        # 5. the CSV export opened and saved again by LibreOffice, with number-like text
        shutil.copytree(ROOT / "knowledge", folder, dirs_exist_ok=True)
        typed_values = {"birth-registration": "021", "baby-name": "8:00", "birth-late": "50%"}
        for entry_id, value in typed_values.items():
            apply_entry_change(folder, entry_id, lambda record, value=value: {**record, "source": value})
        exported_csv = work / "answers.csv"
        export_csv(folder, exported_csv, WORDS)
        (work / "csv5").mkdir()
        resaved = soffice(
            exported_csv, "csv:Text - txt - csv (StarCalc):44,34,76", work / "csv5", infilter="CSV:44,34,76,1"
        )
        result = import_workbook(resaved, folder, WORDS, dry_run=True)
        print(
            f"5. kb export CSV with sources {list(typed_values.values())}, saved again by LibreOffice:"
            f" ok={result.ok} changed={result.changed} warnings={len(result.warnings)}"
        )
        for warning in result.warnings:
            print("     ", warning)
        shutil.copytree(ROOT / "knowledge", folder, dirs_exist_ok=True)
        print("   knowledge unchanged by the dry runs:", snapshot(folder) == before)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
