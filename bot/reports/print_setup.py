"""Print setup for the report's sheets, so a manager can print the monthly pack as it is.

Every sheet prints landscape on A4, one page wide (as many pages down as it needs), with its
heading rows repeated on each page, a header naming the report and the period in the report's
language (Persian: «ثبت‌یار — شاخص‌های دولت الکترونیک، ۱ مهر ۱۴۰۵ تا ۳۰ مهر ۱۴۰۵») and the page
number in the footer::

    print_setup(sheet, header_rows="1:1", heading=labels.text("pack.print_header", period=...))
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["print_setup"]

#: The footer: page N of M (Excel's header codes).
_FOOTER = "&P / &N"


def _escaped(text: str) -> str:
    """Text for a header: ``&`` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def print_setup(sheet: Worksheet, *, header_rows: str | None, heading: str) -> None:
    """Landscape A4, fit to one page wide, ``header_rows`` (``"1:1"``) repeated, ``heading`` on top."""
    setup = sheet.page_setup
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = header_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header.center.text = _escaped(heading)
        header.center.size = 11
    for footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        footer.center.text = _FOOTER
