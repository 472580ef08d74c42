"""The Application class of every platform, and what reached the Bot API while an update was handled.

Each update begins its handling when :class:`~bot.messenger.updates.admission.Admission` lets it
(one per event-loop turn), so the replies already sent are read and marked done between two
updates' engine steps instead of after a whole burst's.

``process_update`` runs once per update in a task of its own (``concurrent_updates``); it starts
the update's :class:`Delivery` in a ``ContextVar``, seen by every Bot API call made for it
however deep: the transport (``bot.messenger.http_client.RetryingRequest``) notes each reply the
Bot API accepted and each call whose fate is unknown (a read timeout after the request was
written), and the error handler apologises only when nothing reached the citizen. When the
handlers and the error handler are through, ``finished`` hooks run (the inbox marks the update
done there). The ``answered`` hooks run earlier, the moment the Bot API accepted the update's first
reply: a worker tells the polling process at once, so a worker frozen or killed right after
does not have that update handed to its replacement and answered twice. An update whose handling
was cancelled (shutdown) is not finished: the inbox replays it at the next start.

Each update's first new message (``MESSAGE_METHODS``) takes a place in the Application's
:class:`~bot.messenger.updates.window.SendWindow` (``window``; the transport waits for it,
:meth:`Delivery.reserve`), and gives it back once the update's done mark is recorded
(:meth:`TrackedApplication.confirmed`, called by the inbox; at once at its end where no inbox
confirms, ``confirms = False``): a kill repeats at most the window's size of messages.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.messenger.updates.admission import Admission
from bot.messenger.updates.window import SendWindow

__all__ = [
    "MARK_WAIT_SECONDS",
    "MESSAGE_METHODS",
    "REPLY_METHODS",
    "Delivery",
    "Skipped",
    "TrackedApplication",
    "begin_delivery",
    "current_delivery",
]

#: Bot API methods that show the citizen something (lower case, as they end the URL).
REPLY_METHODS = frozenset(
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "answercallbackquery",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "sendcontact",
        "copymessage",
        "forwardmessage",
    }
)
#: The reply methods that put a new message in the chat: made again after a kill, the citizen
#: sees it twice, so the first of an update's takes a place in its send window. The others are
#: the same when made again (an edit to the same text is "not modified", a button's query is
#: answered once).
MESSAGE_METHODS = REPLY_METHODS - {"editmessagetext", "editmessagereplymarkup", "answercallbackquery"}

#: Seconds an update's place in the send window waits for its done mark before it is given back
#: anyway (a mark neither the database nor the spool took: logged by the inbox).
MARK_WAIT_SECONDS = 10.0
#: Where an update stands with its place in the send window (in this order).
_NO_PLACE, _WAITING, _HOLDING, _GIVEN_BACK = range(4)

_CURRENT: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar("sabtyar_delivery", default=None)


@dataclass
class Delivery:
    """Replies of one update: ``sent`` accepted by the Bot API, ``unknown`` timed out after writing;
    ``window``: where its first new message takes a place (none: no bound)."""

    sent: int = 0
    unknown: int = 0
    on_first_reply: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    window: SendWindow | None = field(default=None, repr=False, compare=False)
    _place: int = field(default=_NO_PLACE, repr=False, compare=False)
    _given: asyncio.Future[None] | None = field(default=None, repr=False, compare=False)

    def accepted(self) -> None:
        """The Bot API accepted one more reply (the first runs ``on_first_reply``)."""
        self.sent += 1
        if self.sent == 1 and self.on_first_reply is not None:
            self.on_first_reply()

    @property
    def reached(self) -> bool:
        """Something (probably) reached the citizen: an apology would follow an answer."""
        return self.sent > 0 or self.unknown > 0

    @property
    def holding(self) -> bool:
        """The update holds a place in the send window (or waits for one)."""
        return self._place in (_WAITING, _HOLDING)

    async def reserve(self) -> None:
        """Before a new message's request: wait for a place in the window, unless this update
        holds one (or gave it back: its done mark is recorded, nothing it sends now is repeated)."""
        if self.window is None or self._place >= _HOLDING:
            return
        shared = self._place == _WAITING  # another message of this update waits for the place
        if shared:
            given = self._given
            assert given is not None
        else:
            taken = self.window.take()
            if taken is None:
                self._place = _HOLDING
                return
            given = self._given = taken
            self._place = _WAITING
        try:
            await (asyncio.shield(given) if shared else given)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._place == _GIVEN_BACK and task is not None and not task.cancelling():
                return  # the update was confirmed meanwhile (a task it left running sends this)
            if not shared and self._place == _WAITING and not given.cancelled():
                self._place = _HOLDING  # given just before the cancel: held, given back by release
            raise
        if self._place == _WAITING:  # (given back meanwhile: the update is confirmed, no place needed)
            self._place = _HOLDING

    def release(self) -> None:
        """Give the place back (the update's done mark is recorded, or it ends unconfirmed)."""
        place, self._place = self._place, _GIVEN_BACK
        if place == _WAITING and self._given is not None:
            if not self._given.done():
                self._given.cancel()  # never given: nothing to give back
                return
            place = _NO_PLACE if self._given.cancelled() else _HOLDING
        if place == _HOLDING and self.window is not None:
            self.window.give_back()


def begin_delivery(
    on_first_reply: Callable[[], None] | None = None, window: SendWindow | None = None
) -> Delivery:
    """Start counting for the update handled in the current task (its first new message takes a
    place in ``window``)."""
    delivery = Delivery(on_first_reply=on_first_reply, window=window)
    _CURRENT.set(delivery)
    return delivery


def current_delivery() -> Delivery | None:
    """The current update's count, if its handling began one."""
    return _CURRENT.get()


Finished = Callable[[object, Delivery], None]
Answered = Callable[[object], None]


@dataclass(frozen=True)
class Skipped:
    """An update that could not be read: only its id is known, and nothing will handle it."""

    update_id: int


class TrackedApplication(Application):  # type: ignore[type-arg]
    """PTB's ``Application`` plus the paced start, the per-update delivery count, the send window
    and the ``answered`` and ``finished`` hooks."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answered: list[Answered] = []
        self.finished: list[Finished] = []
        self.admission = Admission()
        self.window = SendWindow(None)
        """Set by :func:`bot.app.build_application` (``[general] unconfirmed_replies``)."""
        self.confirms = False
        """True once the inbox calls :meth:`confirmed` with each done mark recorded: an update
        holds its place until then, else until its handling ends."""
        self._unconfirmed: dict[int, Delivery] = {}

    async def process_update(self, update: object) -> None:
        delivery = begin_delivery(lambda: self._answered(update), self.window)
        update_id = getattr(update, "update_id", None)
        waits_for_mark = False
        try:
            await self.admission.turn()
            await super().process_update(update)
            if self.confirms and isinstance(update_id, int) and delivery.holding:
                self._unconfirmed[update_id] = delivery  # its mark, recorded in a hook, gives it back
                waits_for_mark = True
            for hook in self.finished:
                hook(update, delivery)
        finally:
            if not waits_for_mark:
                delivery.release()
            elif delivery.holding:  # the mark is written later (the database busy): a bounded wait
                assert isinstance(update_id, int)
                asyncio.get_running_loop().call_later(MARK_WAIT_SECONDS, self._unmarked, update_id, delivery)

    def confirmed(self, update_ids: list[int]) -> None:
        """The done marks of ``update_ids`` are recorded: their places in the window are free."""
        for update_id in update_ids:
            delivery = self._unconfirmed.pop(update_id, None)
            if delivery is not None:
                delivery.release()

    def _unmarked(self, update_id: int, delivery: Delivery) -> None:
        """``update_id``'s mark was not recorded within ``MARK_WAIT_SECONDS``: its place is freed."""
        if self._unconfirmed.get(update_id) is delivery:
            del self._unconfirmed[update_id]
        delivery.release()

    def _answered(self, update: object) -> None:
        for hook in self.answered:
            hook(update)

    def skipped(self, update_id: int) -> None:
        """``update_id`` could not be read: the ``finished`` hooks run for it (with nothing sent),
        so it is neither replayed nor handed to another worker again."""
        for hook in self.finished:
            hook(Skipped(update_id), Delivery())
