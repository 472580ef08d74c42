"""Citizens' conversations with a bot on the fake Bot API, and what each of them saw, counted.

One conversation per citizen: a question; the first "did you mean" choice when one is offered;
then a rating (5 or 4: no comment is asked for). Each step waits for its reply, judged from the
Bot API's side: every call the fake server *carried out* counts (also one whose connection was
then dropped: the citizen saw it although the bot did not learn so).

- the question's reply: a ``sendMessage`` to the citizen (the answer, or the "did you mean"
  question with its choices); ``apology`` text: the bot's "I couldn't answer";
- a choice's reply: the "did you mean" message edited into the answer (``editMessageText``);
  the same text shown again, in a message or another edit, is a duplicate;
- a rating's reply: the toast thanking for it (``answerCallbackQuery`` with a text);
- an apology to a press: a toast with the apology (cut to 200 characters, as the bot sends it).

:func:`tally` counts, over the conversations: ``lost`` citizens (no answer to their question,
an apology aside), presses without their reply, citizens who saw a reply twice (the same text
in two messages or toasts) and the extra replies, apologies in total and those to a step whose
answer had reached the citizen, and ``received``: questions with at least one message carried
out (what ``sabtyar stats --json`` counts as ``delivered``). Used by the fault tests
(``tests/handlers/test_failing_api.py``) and ``benchmarks/load_benchmark.py --burst``.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakeapi import CallRecord, FakeBotApi, FakeUser

__all__ = ["Conversation", "Press", "Reply", "ReplyLog", "Tally", "converse", "tally"]

#: Bot API methods whose call the citizen sees as a reply.
_SEEN = ("sendMessage", "editMessageText", "answerCallbackQuery")


@dataclass(frozen=True)
class Reply:
    """One reply call the fake server carried out."""

    method: str
    text: str
    #: The message sent or edited (``None`` for a toast).
    message_id: int | None
    #: The callback query answered (toasts only).
    query_id: str | None
    markup: dict[str, Any] | None
    at: float


@dataclass(frozen=True)
class Press:
    kind: str  # "choice" or "rating"
    query_id: str
    message_id: int


@dataclass
class Conversation:
    citizen: int
    question_update: int = 0
    presses: list[Press] = field(default_factory=list)


class ReplyLog:
    """Every reply the fake server carries out, per citizen's chat; wakes the citizens waiting."""

    def __init__(self, api: FakeBotApi, apology: str) -> None:
        self.api = api
        self.apology = apology
        self.replies: dict[int, list[Reply]] = {}
        self._queries: dict[str, int] = {}
        self._changed: dict[int, asyncio.Event] = {}
        original = api._execute

        async def execute(record: CallRecord) -> Any:
            response = await original(record)
            self._seen(record)
            return response

        api._execute = execute  # type: ignore[method-assign]

    def is_apology(self, reply: Reply) -> bool:
        return reply.text in (self.apology, self.apology[:200])

    def pressed(self, query_id: str, chat_id: int) -> None:
        self._queries[query_id] = chat_id

    def _seen(self, record: CallRecord) -> None:
        if not record.processed or record.method not in _SEEN:
            return
        params = record.params
        result = record.result if isinstance(record.result, dict) else {}
        if record.method == "answerCallbackQuery":
            query_id = str(params.get("callback_query_id"))
            chat_id = self._queries.get(query_id)
            message_id = None
        else:
            query_id, chat_id = None, params.get("chat_id")
            message_id = result.get("message_id", params.get("message_id"))
        if not isinstance(chat_id, int):
            return
        reply = Reply(
            record.method,
            str(params.get("text") or ""),
            message_id,
            query_id,
            result.get("reply_markup"),
            record.at,
        )
        self.replies.setdefault(chat_id, []).append(reply)
        self._changed.setdefault(chat_id, asyncio.Event()).set()

    async def wait(self, chat_id: int, wanted: Callable[[Reply], bool], timeout: float) -> Reply | None:
        """The first reply to ``chat_id`` that is ``wanted``, waiting up to ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        changed = self._changed.setdefault(chat_id, asyncio.Event())
        while True:
            changed.clear()
            found = next((r for r in self.replies.get(chat_id, []) if wanted(r)), None)
            if found is not None:
                return found
            left = deadline - loop.time()
            if left <= 0:
                return None
            try:
                await asyncio.wait_for(changed.wait(), left)
            except TimeoutError:
                return None


def _buttons(markup: dict[str, Any] | None, prefix: str) -> list[str]:
    rows = (markup or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in rows for b in row if b.get("callback_data", "").startswith(prefix)]


async def converse(
    api: FakeBotApi, log: ReplyLog, citizen: FakeUser, question: str, *, timeout: float, seed: int = 0
) -> Conversation:
    """One citizen's conversation (see the module); each step waits up to ``timeout`` seconds."""
    conversation = Conversation(citizen.id)
    chat = citizen.id
    conversation.question_update = api.user_sends_text(citizen, question)["update_id"]

    def offering(reply: Reply) -> bool:
        return reply.method == "sendMessage" and (
            log.is_apology(reply) or bool(_buttons(reply.markup, "c:") or _buttons(reply.markup, "r:"))
        )

    shown = await log.wait(chat, offering, timeout)
    if shown is None or log.is_apology(shown) or shown.message_id is None:
        return conversation
    message_id, markup = shown.message_id, shown.markup
    choices = _buttons(markup, "c:")
    if choices:
        query = await _press(api, log, citizen, message_id, choices[0], "choice", conversation)

        def edited(reply: Reply) -> bool:
            return (reply.method == "editMessageText" and reply.message_id == message_id) or (
                reply.query_id == query and log.is_apology(reply)
            )

        answer = await log.wait(chat, edited, timeout)
        if answer is None or answer.method != "editMessageText":
            return conversation
        markup = answer.markup
    ratings = _buttons(markup, "r:")
    if ratings:
        score = ratings[random.Random(seed).randrange(min(2, len(ratings)))]  # 5 or 4
        query = await _press(api, log, citizen, message_id, score, "rating", conversation)
        await log.wait(chat, lambda r: r.query_id == query and bool(r.text), timeout)
    return conversation


async def _press(
    api: FakeBotApi,
    log: ReplyLog,
    citizen: FakeUser,
    message_id: int,
    data: str,
    kind: str,
    conversation: Conversation,
) -> str:
    update = api.user_presses_button(citizen, message_id, data)
    query_id = str(update["callback_query"]["id"])
    log.pressed(query_id, citizen.id)
    conversation.presses.append(Press(kind, query_id, message_id))
    return query_id


@dataclass
class Tally:
    """What the citizens of a run saw (see the module)."""

    citizens: int = 0
    lost: int = 0
    presses: int = 0
    presses_unanswered: int = 0
    duplicated: int = 0
    duplicates: int = 0
    apologies: int = 0
    apologised_after_answer: int = 0
    received: int = 0

    def line(self) -> str:
        return (
            f"citizens {self.citizens}, lost {self.lost}, duplicated {self.duplicated}"
            f" ({self.duplicates} extra replies), apologies {self.apologies}"
            f" ({self.apologised_after_answer} after a delivered answer),"
            f" presses unanswered {self.presses_unanswered} of {self.presses}"
        )


def tally(log: ReplyLog, conversations: list[Conversation]) -> Tally:
    """Count what the citizens of ``conversations`` saw (see the module)."""
    counts = Tally(citizens=len(conversations))
    for conversation in conversations:
        replies = log.replies.get(conversation.citizen, [])
        messages = [r for r in replies if r.method == "sendMessage"]
        answers = [r for r in messages if not log.is_apology(r)]
        sorry = [r for r in messages if log.is_apology(r)]
        counts.received += bool(messages)
        counts.lost += not answers
        counts.apologies += len(sorry)
        counts.apologised_after_answer += bool(sorry and answers)
        for press in conversation.presses:
            counts.presses += 1
            toasts = [r for r in replies if r.query_id == press.query_id and r.text]
            apologies = [r for r in toasts if log.is_apology(r)]
            if press.kind == "choice":
                answered = any(
                    r.method == "editMessageText" and r.message_id == press.message_id for r in replies
                )
            else:
                answered = any(not log.is_apology(r) for r in toasts)
            counts.presses_unanswered += not answered
            counts.apologies += len(apologies)
            counts.apologised_after_answer += bool(apologies and answered)
        extra = sum(n - 1 for n in _shown(replies).values())
        counts.duplicated += extra > 0
        counts.duplicates += extra
    return counts


def _shown(replies: list[Reply]) -> Counter[tuple[str | None, str]]:
    """How often the citizen was shown each text: a message's text (sent, or edited in: the same
    edit made twice shows nothing new), a toast's per press."""
    edits = {(r.message_id, r.text) for r in replies if r.method == "editMessageText"}
    shown: Counter[tuple[str | None, str]] = Counter((None, text) for _, text in edits)
    for reply in replies:
        if reply.method == "sendMessage":
            shown[(None, reply.text)] += 1
        elif reply.method == "answerCallbackQuery" and reply.text:
            shown[(reply.query_id, reply.text)] += 1
    return shown
