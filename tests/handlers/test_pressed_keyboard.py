"""A button press is read light (its message's text left out, its keyboard kept as JSON), and the
pressed keyboard read back is the one PTB would have parsed; the update the inbox keeps is untouched."""

from __future__ import annotations

import copy
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ExtBot

from bot.messenger.updates.reading import read_update
from handlers.keyboards import pressed_keyboard

BOT = ExtBot("123456:" + "a" * 35)
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "📄 توضیح کامل", "callback_data": "more:123"}],
        [{"text": "سایت ثبت احوال", "url": "https://www.sabteahval.ir/"}],
        [{"text": "رونوشت", "copy_text": {"text": "۱۲۳"}}],
        [
            {"text": face, "callback_data": f"r:123:{score}"}
            for score, face in zip((5, 4), "😀🙂", strict=True)
        ],
    ]
}


def press(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "update_id": 7,
        "callback_query": {
            "id": "q1",
            "from": {"id": 42, "is_bot": False, "first_name": "Sara"},
            "chat_instance": "c",
            "data": "r:123:5",
            "message": message,
        },
    }


def answer_message(**more: Any) -> dict[str, Any]:
    return {
        "message_id": 55,
        "from": {"id": 123456, "is_bot": True, "first_name": "sabtyar"},
        "chat": {"id": 42, "type": "private", "first_name": "Sara"},
        "date": 1765000000,
        "text": "شناسنامه المثنی\n\nبرای گرفتن المثنی ...",
        "entities": [{"type": "bold", "offset": 0, "length": 15}],
        **more,
    }


def test_a_press_is_read_light_and_its_keyboard_is_the_one_ptb_parses() -> None:
    data = press(answer_message(reply_markup=KEYBOARD))
    before = copy.deepcopy(data)
    update = read_update(data, BOT)
    assert data == before  # the inbox's copy is left as it came
    assert update is not None and update.callback_query is not None
    message = update.callback_query.message
    assert isinstance(message, Message)
    assert (message.message_id, message.chat.id, message.text, message.reply_markup) == (55, 42, None, None)
    read = pressed_keyboard(message)
    assert read is not None
    assert read.to_dict() == InlineKeyboardMarkup.de_json(KEYBOARD, BOT).to_dict()
    assert update.callback_query.data == "r:123:5"


def test_a_keyboard_with_more_than_rows_is_parsed_by_ptb() -> None:
    keyboard = {**KEYBOARD, "extra": 1}
    update = read_update(press(answer_message(reply_markup=keyboard)), BOT)
    assert update is not None and isinstance(update.callback_query.message, Message)  # type: ignore[union-attr]
    read = pressed_keyboard(update.callback_query.message)  # type: ignore[union-attr]
    assert read is not None and read.to_dict() == InlineKeyboardMarkup.de_json(keyboard, BOT).to_dict()


def test_a_message_without_keyboard_has_none_and_an_old_one_is_of_ptbs_kind() -> None:
    update = read_update(press(answer_message()), BOT)
    assert update is not None and isinstance(update.callback_query.message, Message)  # type: ignore[union-attr]
    assert pressed_keyboard(update.callback_query.message) is None  # type: ignore[union-attr]
    old = {"message_id": 55, "chat": {"id": 42, "type": "private"}, "date": 0}
    update, ptb = read_update(press(old), BOT), Update.de_json(press(old), BOT)
    assert update is not None and ptb is not None and update.callback_query and ptb.callback_query
    assert type(update.callback_query.message) is type(ptb.callback_query.message)


def test_other_updates_are_read_as_ptb_reads_them() -> None:
    text = {
        "update_id": 8,
        "message": {**answer_message(), "from": {"id": 42, "is_bot": False, "first_name": "Sara"}},
    }
    update = read_update(text, BOT)
    assert update is not None and update.to_dict() == Update.de_json(text, BOT).to_dict()
