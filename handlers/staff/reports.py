"""``/stats [period]`` and ``/export [period]`` (viewers and editors): the indicator figures in the chat.

``/stats`` sends the period's figures as text and the chart (questions and satisfaction per day,
questions per category; Persian labels shaped, Jalali dates) as a photo; ``/export`` sends the
monthly pack (:mod:`bot.reports.pack`): the printable indicator workbook and the one-page PDF.
The period is a Jalali month (``1405-07``), two days (``1405-07-01 1405-07-30``), or by default
the current Jalali month up to today.
"""

from __future__ import annotations

import asyncio
import io

from telegram import InputFile, Update
from telegram.ext import BaseHandler

from bot.calendar import Period
from bot.messenger.staff_settings import Role
from bot.reports.figures import Figures, Report, build_report
from bot.reports.labels import FIGURES, ReportLabels, period_title
from handlers.common import sender
from handlers.context import BotContext
from handlers.sending import send_text
from handlers.staff.auth import staff_command

__all__ = ["command_period", "figures_text", "handlers"]


def _value(figures: Figures, key: str, fmt: str, labels: ReportLabels) -> str:
    value = getattr(figures, key)
    if value is None:
        return "—"
    if fmt.endswith("%"):
        return labels.percent(f"{value * 100:.1f}")
    if isinstance(value, float):
        return labels.digits(f"{value:.{len(fmt.partition('.')[2])}f}")
    return labels.digits(value)


def figures_text(report: Report) -> str:
    """One line per figure of the whole period, with its name in the report's language."""
    labels = report.labels
    return "\n".join(
        f"• {labels.title(figure)}: {_value(report.summary, figure.key, figure.number_format, labels)}"
        for figure in FIGURES
    )


async def command_period(update: Update, context: BotContext) -> Period | None:
    _message, _user, chat = sender(update)
    try:
        return Period.of_words(context.args or [])
    except ValueError as error:
        await send_text(context, chat.id, context.catalog.text("staff.bad_period", error=error))
        return None


async def requested_report(update: Update, context: BotContext) -> tuple[int, Period, Report] | None:
    """The chat, the period the command names and its report; ``None`` after a bad period (said)."""
    _message, _user, chat = sender(update)
    period = await command_period(update, context)
    if period is None:
        return None
    return chat.id, period, await build_report(context.store, context.knowledge, period, context.catalog)


async def stats(update: Update, context: BotContext) -> None:
    """The period's figures as text, then the chart as a photo."""
    requested = await requested_report(update, context)
    if requested is None:
        return
    chat_id, period, report = requested
    catalog = context.catalog
    title = catalog.text("staff.stats_title", period=period_title(period, catalog))
    await send_text(context, chat_id, f"{title}\n\n{figures_text(report)}")
    from bot.reports.charts import chart_png  # matplotlib loads on the first /stats, not at start

    png = await asyncio.to_thread(chart_png, report)
    await context.bot.send_photo(chat_id, InputFile(io.BytesIO(png), filename="sabtyar-chart.png"))


async def export(update: Update, context: BotContext) -> None:
    """The period's monthly pack as documents: the printable workbook, then the one-page PDF."""
    _message, _user, chat = sender(update)
    period = await command_period(update, context)
    if period is None:
        return
    from bot.reports.pack import build_pack, pack_name  # openpyxl: on the first /export

    catalog = context.catalog
    pack = await build_pack(context.store, context.knowledge, period, catalog)

    def files() -> tuple[bytes, bytes]:
        from bot.reports.charts import chart_png  # matplotlib and openpyxl: on the first /export
        from bot.reports.pack import pack_workbook
        from bot.reports.pack_charts import daily_png
        from bot.reports.pdf_summary import summary_pdf

        buffer = io.BytesIO()
        pack_workbook(pack, chart_png(pack.report)).save(buffer)
        return buffer.getvalue(), summary_pdf(pack, daily_png(pack))

    workbook, pdf = await asyncio.to_thread(files)
    name = pack_name(period)
    caption = catalog.text("staff.export_caption", period=period_title(period, catalog))
    await context.bot.send_document(
        chat.id, InputFile(io.BytesIO(workbook), filename=f"{name}.xlsx"), caption=caption
    )
    await context.bot.send_document(chat.id, InputFile(io.BytesIO(pdf), filename=f"{name}.pdf"))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [staff_command("stats", Role.VIEWER, stats), staff_command("export", Role.VIEWER, export)]
