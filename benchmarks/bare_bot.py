"""The load benchmark's baselines: a bare python-telegram-bot bot with sabtyar's transport.

Same Bot API transport (aiohttp), event loop (uvloop) and concurrent updates as ``sabtyar run``,
but no engine, store, flood control or texts; just what ``benchmarks/load_benchmark.py``'s
citizens need. Two kinds:

- minimal (the default): it answers a text with a fixed one-word reply (two buttons to choose
  from for a one-word question, two rating buttons otherwise), a choice with the answer edited
  in, and a rating with a toast;
- ``--equivalent``: the same Bot API work a bot of sabtyar's kind does for the citizen, with
  replies shaped as sabtyar's are (measured on the benchmark's questions): an answer of about
  450 characters in HTML with its title in bold, under it "more details", four related topics
  and the five-point rating row; a "did you mean" of three choices and "none of these"; a choice
  answered (a silent acknowledgement) and the answer edited in; a rating thanked in the toast
  and the chosen face marked in the rating row (an edit of the keyboard, read from the pressed
  message). Written as a plain PTB bot is: every reply's message parsed back by PTB.

Both send the parameters as sabtyar sends Telegram's by default (``[platforms.*] request_body``):
a JSON body; ``--form`` sends PTB's form body instead.

    python benchmarks/bare_bot.py TOKEN BASE_URL [--equivalent] [--form]
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.messenger.http_client import AiohttpRequest

RATINGS = InlineKeyboardMarkup([[InlineKeyboardButton(str(s), callback_data=f"r:1:{s}") for s in (5, 4)]])
CHOICES = InlineKeyboardMarkup([[InlineKeyboardButton(str(i), callback_data=f"c:1:{i}") for i in (0, 1)]])

# The equivalent bot's replies ---------------------------------------------------------------------

TITLE = "شناسنامه المثنی"
ANSWER = (
    f"<b>{TITLE}</b>\n\n"
    + "برای گرفتن المثنی شناسنامه به یکی از دفاتر پیشخوان دولت یا اداره ثبت احوال محل سکونت بروید. " * 4
    + "\n\nشاید منظورتان این بود\n\nبه این پاسخ چه نمره‌ای می‌دهید؟"
)
DID_YOU_MEAN = "منظورتان کدام است؟ یکی را انتخاب کنید یا سؤال را کامل‌تر بپرسید."
FACES = {5: "😀", 4: "🙂", 3: "😐", 2: "🙁", 1: "😞"}
TOPICS = ("پیدا کردن مدارک گم‌شده", "تعویض شناسنامه قدیمی", "پیگیری درخواست", "کارت ملی گم‌شده")


def answer_keyboard(event_id: int, chosen: int | None = None) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton("📄 توضیح کامل", callback_data=f"mo:{event_id}")]]
    rows += [[InlineKeyboardButton(t, callback_data=f"t:topic-{i}")] for i, t in enumerate(TOPICS)]
    rows.append(
        [
            InlineKeyboardButton(
                f"✓ {face}" if score == chosen else face, callback_data=f"r:{event_id}:{score}"
            )
            for score, face in FACES.items()
        ]
    )
    return InlineKeyboardMarkup(rows)


def choices_keyboard(question_id: int) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t, callback_data=f"c:{question_id}:{i}")] for i, t in enumerate(TOPICS[:3])]
    rows.append([InlineKeyboardButton("هیچ‌کدام", callback_data=f"x:{question_id}")])
    return InlineKeyboardMarkup(rows)


# Handlers -----------------------------------------------------------------------------------------


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


async def equivalent_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None and message.text is not None
    if " " not in message.text.strip():
        await message.reply_text(DID_YOU_MEAN, reply_markup=choices_keyboard(update.update_id))
    else:
        await message.reply_text(
            ANSWER, parse_mode=ParseMode.HTML, reply_markup=answer_keyboard(update.update_id)
        )


async def equivalent_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    kind, event, *rest = query.data.split(":")
    if kind == "c":
        await asyncio.gather(
            query.answer(),
            query.edit_message_text(
                ANSWER, parse_mode=ParseMode.HTML, reply_markup=answer_keyboard(int(event))
            ),
        )
    elif kind == "r" and isinstance(query.message, Message):
        score = int(rest[0])
        markup = query.message.reply_markup
        rows = [list(row) for row in (markup.inline_keyboard if markup else ())][:-1]  # all but the ratings
        marked = answer_keyboard(int(event), chosen=score).inline_keyboard[-1]
        await asyncio.gather(
            query.answer(f"thanks {FACES[score]}"),
            query.edit_message_reply_markup(InlineKeyboardMarkup([*rows, list(marked)])),
        )
    else:
        await query.answer()


def main() -> None:
    token, base_url = sys.argv[1], sys.argv[2]
    equivalent = "--equivalent" in sys.argv[3:]
    body = "form" if "--form" in sys.argv[3:] else "json"
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .request(AiohttpRequest(body=body))
        .get_updates_request(AiohttpRequest(pool_size=1, body=body))
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND, equivalent_text if equivalent else text)
    )
    application.add_handler(CallbackQueryHandler(equivalent_button if equivalent else button))
    with contextlib.suppress(ImportError):  # as sabtyar run: uvloop where it is installed
        import uvloop

        asyncio.set_event_loop(uvloop.new_event_loop())
    application.run_polling(timeout=20, allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
