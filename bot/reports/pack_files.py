"""Writing the monthly pack into a folder: the workbook, the charts (PNG) and the PDF page.

::

    files = write_pack(pack, Path("pack-1405-07"))
    # [.../sabtyar-1405-07-01-1405-07-30.xlsx, .../charts/overview.png, ..., .../sabtyar-...pdf]

The folder is created if missing; files of the same names are replaced.
"""

from __future__ import annotations

from pathlib import Path

from bot.reports.pack import Pack, pack_name, pack_workbook
from bot.reports.pack_charts import pack_charts
from bot.reports.pdf_summary import summary_pdf

__all__ = ["write_pack"]


def write_pack(pack: Pack, folder: Path) -> list[Path]:
    """Write the pack into ``folder``; the files written, workbook first, PDF last."""
    charts = pack_charts(pack)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "charts").mkdir(exist_ok=True)
    stem = pack_name(pack.report.period)
    workbook = folder / f"{stem}.xlsx"
    pack_workbook(pack, charts["overview.png"]).save(workbook)
    written = [workbook]
    for name, png in charts.items():
        path = folder / "charts" / name
        path.write_bytes(png)
        written.append(path)
    pdf = folder / f"{stem}.pdf"
    pdf.write_bytes(summary_pdf(pack, charts["daily.png"]))
    written.append(pdf)
    return written
