"""The load benchmark's baseline: a bare python-telegram-bot bot with sabtyar's transport.

Same Bot API transport (aiohttp), event loop (uvloop) and concurrent updates as ``sabtyar run``,
but no engine, store, flood control or texts: it answers a text with a fixed reply (buttons to
choose from for a one-word question, rating buttons otherwise), a choice with the answer edited
in, and a rating with a toast; just what ``benchmarks/load_benchmark.py``'s citizens need.

    python benchmarks/bare_bot.py TOKEN BASE_URL
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.messenger.http_client import AiohttpRequest

RATINGS = InlineKeyboardMarkup([[InlineKeyboardButton(str(s), callback_data=f"r:1:{s}") for s in (5, 4)]])
CHOICES = InlineKeyboardMarkup([[InlineKeyboardButton(str(i), callback_data=f"c:1:{i}") for i in (0, 1)]])


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    doubtful = " " not in update.message.text.strip()
    await update.message.reply_text("answer", reply_markup=CHOICES if doubtful else RATINGS)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data.startswith("c:"):
        await query.answer()
        await query.edit_message_text("answer", reply_markup=RATINGS)
    else:
        await query.answer("thanks")


def main() -> None:
    token, base_url = sys.argv[1], sys.argv[2]
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(pool_size=1))
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    application.add_handler(CallbackQueryHandler(button))
    with contextlib.suppress(ImportError):  # as sabtyar run: uvloop where it is installed
        import uvloop

        asyncio.set_event_loop(uvloop.new_event_loop())
    application.run_polling(timeout=20, allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
