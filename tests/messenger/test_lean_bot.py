"""LeanBot's reply calls over a real HTTP round trip to the fake Bot API: the same calls as PTB's,
only the message's ids returned, PTB's errors for a refused call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, WebAppInfo
from telegram.error import BadRequest

from bot.messenger.lean_bot import LeanBot, Sent, markup_json
from tests.support.fakeapi import FakeBotApi


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[LeanBot]:
    async with LeanBot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_send_edit_and_edit_markup_carry_out_the_calls_and_return_the_ids(
    api: FakeBotApi, bot: LeanBot
) -> None:
    citizen = api.create_user("Sara")
    quoted = api.user_sends_text(citizen, "سلام")["message"]["message_id"]
    sent = await bot.send_reply(
        citizen.id,
        "<b>عنوان</b> متن",
        parse_mode="HTML",
        reply_markup=keyboard("a", "b"),
        reply_parameters=ReplyParameters(quoted),
    )
    [message] = api.sent(citizen.id)
    assert sent == Sent(citizen.id, message.message_id)
    assert message.text == "عنوان متن" and message.parse_mode == "HTML"
    assert [b["callback_data"] for b in message.buttons] == ["a", "b"]
    assert message.message["reply_to_message"]["message_id"] == quoted

    edited = await bot.edit_reply(citizen.id, sent.message_id, "دیگر", reply_markup=keyboard("c"))
    assert edited == sent
    assert message.text == "دیگر" and [b["callback_data"] for b in message.buttons] == ["c"]

    assert await bot.edit_markup(citizen.id, sent.message_id, keyboard("d")) == sent
    assert [b["callback_data"] for b in message.buttons] == ["d"]
    await bot.edit_markup(citizen.id, sent.message_id, None)  # the keyboard removed
    assert message.buttons == []
    assert [c.method for c in api.calls() if c.method != "getMe"] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageReplyMarkup",
    ]


async def test_a_refused_call_raises_ptbs_error(api: FakeBotApi, bot: LeanBot) -> None:
    citizen = api.create_user("Sara")
    sent = await bot.send_reply(citizen.id, "متن")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_reply(citizen.id, sent.message_id, "متن")
    with pytest.raises(BadRequest):
        await bot.edit_markup(citizen.id, sent.message_id + 100, keyboard("a"))


@pytest.mark.parametrize(
    "buttons",
    [
        [
            [
                InlineKeyboardButton("۵ عالی", callback_data="r:12:5"),
                InlineKeyboardButton("b", callback_data="x"),
            ]
        ],
        [
            [InlineKeyboardButton("site", url="https://example.org/a?b=c")],
            [InlineKeyboardButton("c", callback_data="m:")],
        ],
        [[InlineKeyboardButton("copy", copy_text=CopyTextButton("123"))]],
        [[InlineKeyboardButton("app", web_app=WebAppInfo("https://example.org"))]],
        [[InlineKeyboardButton("q", switch_inline_query_current_chat="")]],
        [[InlineKeyboardButton("styled", callback_data="s", style="danger")]],
        [[InlineKeyboardButton("extra", callback_data="e", api_kwargs={"future": 1})]],
        [],
        [[], [InlineKeyboardButton("", callback_data="")]],
    ],
)
def test_markup_json_is_ptbs_to_dict(buttons: list[list[InlineKeyboardButton]]) -> None:
    markup = InlineKeyboardMarkup(buttons)
    assert markup_json(markup) == markup.to_dict()
    assert markup_json(None) is None
