"""The terminal chat: the same engine as the bots, numbered choices instead of buttons."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.calendar import latin_digits
from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.knowledge.presentation import answer_text, choices_text
from bot.locale import Catalog

__all__ = ["QUIT_WORDS", "ChatSession", "run_chat"]

QUIT_WORDS = frozenset({"q", "quit", "exit", "خروج", "پایان"})


class ChatSession:
    """One conversation: remembers the last "did you mean" choices so a number picks one."""

    def __init__(self, engine: AnswerEngine, catalog: Catalog) -> None:
        self._engine = engine
        self._catalog = catalog
        self._choices: list[str] = []

    def _choice(self, line: str) -> int | None:
        folded = latin_digits(line.strip())
        return int(folded) if folded.isdigit() and len(folded) <= 3 else None

    def respond(self, line: str) -> str:
        """The reply to one line the citizen typed."""
        if not line.strip():
            return self._catalog.text("chat.empty")
        number = self._choice(line)
        if number is not None and self._choices:
            if number == 0:
                self._choices = []
                return self._catalog.text("chat.empty")
            if 1 <= number <= len(self._choices):
                entry_id = self._choices[number - 1]
                self._choices = []
                return answer_text(self._engine.entry(entry_id), self._engine.knowledge, self._catalog)
            return self._catalog.text("chat.choice_invalid", number=number, count=len(self._choices))
        reply = self._engine.ask(line)
        self._choices = []
        if reply.outcome.answers:
            entry = self._engine.entry(reply.answer_id or "")
            text = answer_text(entry, self._engine.knowledge, self._catalog)
            if not reply.alternatives:
                return text
            self._choices = reply.alternatives
            return f"{text}\n\n{choices_text([self._engine.entry(i) for i in self._choices], self._catalog)}"
        if reply.outcome is Outcome.DID_YOU_MEAN:
            self._choices = reply.offered_ids
            return choices_text([self._engine.entry(i) for i in self._choices], self._catalog)
        return self._catalog.text("chat.no_match")


def run_chat(
    engine: AnswerEngine,
    catalog: Catalog,
    read: Callable[[str], str] = input,
    out: TextIO | None = None,
) -> None:
    """Read questions until end of input or a quit word; print each reply (to stdout by default,
    looked up at call time so a redirected stdout is honoured)."""
    out = out or sys.stdout
    session = ChatSession(engine, catalog)
    print(catalog.text("chat.banner"), file=out)
    while True:
        try:
            line = read(catalog.text("chat.prompt"))
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip().lower() in QUIT_WORDS:
            break
        print(session.respond(line), file=out, flush=True)
        print(file=out)
    print(catalog.text("chat.bye"), file=out)
