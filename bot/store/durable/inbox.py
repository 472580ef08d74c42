"""The inbox: updates recorded before the Bot API is told they arrived, marked done once handled, replayed.

The Bot API forgets an update once the next ``getUpdates`` offset (or a webhook's HTTP 200)
confirms it, so a bot killed between that and its reply would lose it. :class:`Inbox` records each
batch (platform, bot id, update id, and a generated key) before the poller asks for the next one
(in webhook mode: each update before its HTTP 200, ``bot/messenger/updates/webhook.py``); the
batch is handed to the handlers at once, the write runs beside them and is awaited before the
next poll (the 200), so replies never wait for it. A repeat of an update already recorded is dropped.
When the handlers are through with an update, it is marked done (marks of one event-loop turn
written together), with the replies the Bot API accepted for it (``deliveries``, read by
``sabtyar stats``). On start every update recorded and not done is handed on again (the
handlers' writes are idempotent per update); a dead worker's updates are handed to its
replacement from the polling process's own record (``bot/messenger/updates/outstanding.py``).
Finished updates are forgotten ``KEEP_FINISHED`` after they arrived: on start, then daily.

While the database cannot take the writes (locked, read-only, full, gone), they go to the spool
file beside it (``spool.py``, fsynced per batch) and are replayed into the database,
and the file removed, as soon as it works again.

The SQL is plain functions of a ``sqlite3`` connection (for :meth:`Store.write_now`, one
transaction in the loop thread that never waits for a lock, and for the spool's replay).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store.durable.ids import derived_key, key_text, new_key
from bot.store.durable.spool import Record, Spool
from bot.store.events import EVENT_OPS, apply_event_records
from bot.store.privacy import Sealer, update_key
from bot.store.store import Store, StoreError, utc_text

__all__ = [
    "KEEP_FINISHED",
    "UPDATE_KEY_FIELD",
    "Inbox",
    "Received",
    "apply_inbox_records",
    "bot_id_of",
    "finish",
    "key_of",
    "known_ids",
    "prune",
    "record",
    "waiting",
]

_LOG = logging.getLogger("sabtyar.inbox")
#: Update ids remembered in memory to drop repeats without asking the database.
_REMEMBERED = 100_000
#: Seconds between attempts to replay the spool while it holds anything.
_REPLAY_SECONDS = 1.0
#: Seconds a closing inbox tries to write the spool into a busy database.
_CLOSE_REPLAY_SECONDS = 2.0
#: Seconds the start tries to replay a spool another process holds or the database refuses.
_START_REPLAY_SECONDS = 10.0
#: Finished updates are forgotten this long after they arrived (the Bot API keeps an update 24 hours).
KEEP_FINISHED = timedelta(days=2)
#: Seconds between two prunings by the process that polls (the first on start).
_PRUNE_SECONDS = 24 * 3600.0
#: Seconds before a pruning the database refused is tried again.
_PRUNE_RETRY_SECONDS = 60.0

#: The field an update is handed to the handlers with: its generated key (never sent by a Bot API;
#: python-telegram-bot keeps it in ``Update.api_kwargs``).
UPDATE_KEY_FIELD = "sabtyar_key"

Update = dict[str, Any]
StoreSource = Callable[[], Store | None]


def key_of(platform: str, bot_id: int, attached: object, content: Callable[[], str]) -> int:
    """An update's generated key: the one it was handed on with (``attached``, its
    ``UPDATE_KEY_FIELD``), else, for an update that came another way (no inbox on its path), one
    derived from the bot and the update's content (``content()``, its JSON): the same for the same
    update, in the handlers and in its done mark alike."""
    if isinstance(attached, int) and not isinstance(attached, bool) and 0 < attached < 2**63:
        return attached
    return derived_key(platform, str(bot_id), content())


def bot_id_of(token: str) -> int:
    """The bot's id: the digits before the colon of its token (Telegram's and Bale's form)."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def apply_inbox_records(db: sqlite3.Connection, records: Iterable[Record]) -> None:
    """Write the spool's inbox records (``in``, ``done``) into the database, in order."""
    for r in records:
        if r.get("op") == "in":
            received = Received(
                r["platform"], r["bot"], r["update"], r["key"], r["body"], r["at"], r.get("digest")
            )
            record(db, [received])
        elif r.get("op") == "done":
            replies = {int(update_id): int(count) for update_id, count in (r.get("replies") or {}).items()}
            keys = {int(update_id): int(key) for update_id, key in (r.get("keys") or {}).items()}
            finish(db, r["platform"], r["bot"], r["updates"], r["at"], replies, keys)


class Inbox:
    """One platform's (and bot's) inbox; ``store`` gives the store in use, ``None`` while there is none."""

    def __init__(
        self, store: StoreSource, spool: Spool, platform: str, bot_id: int, sealer: Sealer | None = None
    ) -> None:
        self._store = store
        self._sealer = sealer
        self.spool = spool
        self.platform = platform
        self.bot_id = bot_id
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()
        self._highest_before = -1
        self._done: dict[int, int] = {}
        self._keys: dict[int, int] = {}
        self._next_prune: float | None = None
        self.on_recorded: list[Callable[[list[int]], None]] = []
        """Called with update ids once their done marks are in the database or the spool (a
        worker tells the polling process, ``bot/messenger/updates/reports.py``)."""
        self._flushing: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None
        self._joining: list[Received] | None = None
        """What the write not yet begun (``_writing``) will record."""
        self.recorded = 0
        self.repeats = 0
        self.spooled = 0

    # Receiving -----------------------------------------------------------------------------------

    async def start(self) -> list[Update]:
        """Replay the spool, then every update recorded and not done (to hand on again).

        The spool is tried for up to ``_START_REPLAY_SECONDS`` while another process holds it (a
        worker replaying it just then). While the database cannot take it (locked by another
        process, down), the updates the spool holds and no done mark follows are handed on from
        the spool itself, with those the database holds: a restart during an outage answers them."""
        deadline = time.monotonic() + _START_REPLAY_SECONDS
        while self.spool.exists():
            written, refused = await self._replay()
            if written or refused:
                break
            if time.monotonic() >= deadline:
                _LOG.warning("%s: the spool could not be replayed at start", self.platform)
                break
            await asyncio.sleep(0.1)
        store = self._store()
        recorded: list[tuple[int, int, str]] = []
        highest = -1
        try:
            if store is None:
                raise StoreError("no database")
            recorded = await waiting(store, self.platform, self.bot_id)
            [(highest,)] = await store.rows(
                "SELECT coalesce(max(update_id), -1) FROM inbox WHERE platform = ? AND bot_id = ?",
                (self.platform, self.bot_id),
            )
        except StoreError as error:
            _LOG.error(
                "%s: cannot read the inbox (%s): handing on what the spool holds", self.platform, error
            )
        spooled, finished = self._spooled()
        rows = {update_id: (key, body) for update_id, key, body in recorded if update_id not in finished}
        for update_id, (key, body) in spooled.items():
            if update_id not in finished:
                rows.setdefault(update_id, (key, body))
        self._highest_before = max([int(highest), *spooled, *finished])
        updates = self._opened([(update_id, *rows[update_id]) for update_id in sorted(rows)])
        self._remember(u["update_id"] for u in updates)
        await self.forget_finished()  # then daily, in ``run``
        if updates:
            _LOG.warning(
                "%s: handing on again %d updates received and not finished", self.platform, len(updates)
            )
        return updates

    async def unfinished(self) -> list[Update]:
        """Every update recorded and not done, oldest first (``StoreError`` without a database);
        one that cannot be read (sealed with another secret) is logged and skipped."""
        store = self._store()
        if store is None:
            raise StoreError("no database")
        return self._opened(await waiting(store, self.platform, self.bot_id))

    def _opened(self, rows: Iterable[tuple[int, int, str]]) -> list[Update]:
        """The updates of ``(update_id, key, body)`` rows, each with its key; one that cannot be
        read (sealed with another secret) is logged and skipped."""
        updates = []
        for update_id, key, body in rows:
            try:
                text = body if self._sealer is None else self._sealer.open(body, key)
                updates.append({**json.loads(text), UPDATE_KEY_FIELD: key})
            except ValueError:
                _LOG.error("%s: update %d in the inbox cannot be read: skipped", self.platform, update_id)
        return updates

    def _spooled(self) -> tuple[dict[int, tuple[int, str]], set[int]]:
        """This inbox's updates the spool holds (``update_id`` to key and body), and those it
        holds a done mark of."""
        received: dict[int, tuple[int, str]] = {}
        finished: set[int] = set()
        for r in self.spool.read():
            if r.get("platform") != self.platform or r.get("bot") != self.bot_id:
                continue
            if r.get("op") == "in" and isinstance(r.get("update"), int):
                received[r["update"]] = (int(r["key"]), str(r["body"]))
            elif r.get("op") == "done":
                finished.update(u for u in r.get("updates") or () if isinstance(u, int))
        return received, finished

    async def accept(self, batch: Sequence[object], *, at_once: bool = False) -> list[Update]:
        """The updates of ``batch`` not seen before, each with its generated key
        (``UPDATE_KEY_FIELD``); their recording starts (see :meth:`settle`). ``at_once``: a
        poller's batch, which nothing joins: recorded right away when nothing else is being
        written and the connection is free (no task, no loop turn); else (a webhook's posts) the
        write takes along every batch accepted until it begins."""
        fresh = [
            u
            for u in batch
            if isinstance(u, dict)
            and isinstance(u.get("update_id"), int)
            and u["update_id"] not in self._seen
        ]
        texts = {id(u): json.dumps(u, ensure_ascii=False, separators=(",", ":")) for u in fresh}
        digests = {id(u): self._digest(texts[id(u)]) for u in fresh}
        older = [u["update_id"] for u in fresh if u["update_id"] <= self._highest_before]
        if older and (store := self._store()) is not None:
            with contextlib.suppress(StoreError):  # unknown: take them (the handlers are idempotent)
                known = await known_ids(store, self.platform, self.bot_id, older)
                # a redelivery has the digest recorded (or none, finished before it was recorded);
                # a new update reusing an old id (new token, Bot API reset) has another
                fresh = [
                    u
                    for u in fresh
                    if u["update_id"] not in known or known[u["update_id"]] not in (None, digests[id(u)])
                ]
        self.repeats += len(batch) - len(fresh)
        self._remember(u["update_id"] for u in fresh)
        if fresh:
            now = utc_text(None)
            received = []
            for u in fresh:
                key = new_key()
                text = texts[id(u)]
                body = text if self._sealer is None else self._sealer.seal(text, key)
                received.append(
                    Received(self.platform, self.bot_id, u["update_id"], key, body, now, digests[id(u)])
                )
                u[UPDATE_KEY_FIELD] = key  # handed on with it: the key of its questions and answers
            if self._joining is not None:  # a write not yet begun takes this batch along
                self._joining.extend(received)
            elif not (at_once and self._recorded_at_once(received)):
                self._joining = received
                self._writing = asyncio.ensure_future(self._record(self._writing))
        return fresh

    def _recorded_at_once(self, received: list[Received]) -> bool:
        """Record ``received`` right now when nothing is being written and the connection is
        free (the usual case: no task, no loop turn); ``False`` to leave it to :meth:`_record`
        (which tries the database again, then the spool)."""
        previous = self._writing
        if previous is not None and not previous.done():
            return False
        store = self._store()
        if store is None:
            return False
        try:
            store.write_at_once(lambda db: record(db, received))
        except StoreError:
            return False
        self.recorded += len(received)
        if previous is not None and not previous.cancelled():
            previous.exception()  # a failed write before is its own batch's (as in ``_record``)
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        written.set_result(None)
        self._writing = written
        return True

    def _digest(self, text: str) -> str:
        if self._sealer is not None:
            return self._sealer.digest(text)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    async def settle(self) -> None:
        """Wait until every batch accepted is recorded (in the database or the spool); ``OSError``
        when the last one could be written to neither."""
        if self._writing is not None:
            await self._writing

    @property
    def writing(self) -> asyncio.Future[None] | None:
        """The write of the batch accepted last (it follows those before it): read it right after
        :meth:`accept` to wait for that batch alone, while others are accepted meanwhile."""
        return self._writing

    async def _record(self, previous: asyncio.Future[None] | None) -> None:
        """Write the batches accepted until it begins: those of one event-loop turn, and all that
        came while the write before it ran (a webhook's posts while the spool's fsync runs take
        one fsync, not one each)."""
        if previous is not None:  # batches are written in order; a failed one is its own batch's
            with contextlib.suppress(Exception):
                await previous
        received, self._joining = self._joining or [], None
        store = self._store()
        try:
            if store is None:
                raise StoreError("no database")
            await store.write_now(lambda db: record(db, received))
            self.recorded += len(received)
        except StoreError:
            records = [
                {
                    "op": "in",
                    "platform": r.platform,
                    "bot": r.bot_id,
                    "update": r.update_id,
                    "key": r.key,
                    "body": r.body,
                    "at": r.received_at,
                    "digest": r.digest,
                }
                for r in received
            ]
            await asyncio.to_thread(self.spool.append, records)
            self.spooled += len(records)

    def _remember(self, update_ids: Iterable[int]) -> None:
        for update_id in update_ids:
            if update_id in self._seen:
                continue
            self._seen.add(update_id)
            self._seen_order.append(update_id)
            if len(self._seen_order) > _REMEMBERED:
                self._seen.discard(self._seen_order.popleft())

    # Finishing -----------------------------------------------------------------------------------

    def done(self, update_id: int, replies: int = 0, key: int | None = None) -> None:
        """``update_id`` was handled, ``replies`` of its replies accepted by the Bot API: marked at
        once when the connection is free (a replay after a crash then never repeats it), else
        with the others of this loop turn. ``key``: the generated key it was handed on with."""
        store = self._store()
        keys = {update_id: key} if key is not None else {}
        if store is not None:
            now = utc_text(None)
            sent = {update_id: replies}
            with contextlib.suppress(StoreError):
                store.write_at_once(
                    lambda db: finish(db, self.platform, self.bot_id, [update_id], now, sent, keys)
                )
                self._recorded([update_id])
                return
        self._done[update_id] = replies
        self._keys.update(keys)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        """Write the done marks waiting (after the batches they belong to are recorded), also
        those that came while this write was under way: nothing else would write them until the
        next update finished (the last marks of a burst waited for the next citizen, or the stop)."""
        await asyncio.sleep(0)  # the marks of this loop turn go together
        await self.settle()
        while self._done:
            marks, self._done = self._done, {}
            await self._write_marks(marks)

    async def _write_marks(self, marks: dict[int, int]) -> None:
        now = utc_text(None)
        store = self._store()
        keys = {update_id: self._keys.pop(update_id) for update_id in marks if update_id in self._keys}
        try:
            if store is None:
                raise StoreError("no database")
            await store.write_now(
                lambda db: finish(db, self.platform, self.bot_id, list(marks), now, marks, keys)
            )
        except StoreError:
            record = {
                "op": "done",
                "platform": self.platform,
                "bot": self.bot_id,
                "updates": list(marks),
                "at": now,
                "replies": {str(update_id): count for update_id, count in marks.items() if count},
                "keys": {str(update_id): key for update_id, key in keys.items()},
            }
            try:
                await asyncio.to_thread(self.spool.append, [record])
            except OSError as error:
                _LOG.error(
                    "%s: %d done marks neither in the database nor the spool (%s)",
                    self.platform,
                    len(marks),
                    error,
                )
                return
        self._recorded(list(marks))

    def _recorded(self, update_ids: list[int]) -> None:
        for listener in self.on_recorded:
            listener(update_ids)

    async def replay_spool(self) -> int:
        """Write the spool into the database if it takes writes now; the records written."""
        written, _refused = await self._replay()
        return written

    async def _replay(self) -> tuple[int, bool]:
        """The records the spool wrote into the database, and whether the database refused them
        (0 and ``False``: nothing to write, or another process holds the spool)."""
        store = self._store()
        if store is None:
            return 0, self.spool.exists()
        if not self.spool.exists():
            return 0, False

        async def apply(records: list[Record]) -> None:
            await store.write_now(lambda db: apply_spooled(db, records))

        try:
            return await self.spool.replay(apply), False
        except StoreError:
            return 0, True

    async def run(self) -> None:
        """Replay the spool while it holds anything and, in the process that started the inbox,
        forget finished updates daily; runs until cancelled (an attempt that fails is logged and
        made again: this task ending would leave the spool unreplayed)."""
        while True:
            await asyncio.sleep(_REPLAY_SECONDS)
            try:
                if self.spool.exists():
                    await self.replay_spool()
                if self._next_prune is not None and time.monotonic() >= self._next_prune:
                    await self.forget_finished()
            except Exception:
                _LOG.exception("%s: the inbox's upkeep (spool, pruning) failed; trying again", self.platform)

    async def forget_finished(self) -> int:
        """Delete the finished updates that arrived more than ``KEEP_FINISHED`` ago (their text is
        blanked already; the table would grow by every update ever received); how many. Never
        waits for the database: refused, it is tried again in a minute."""
        store = self._store()
        before = utc_text(datetime.now(UTC) - KEEP_FINISHED)
        try:
            if store is None:
                raise StoreError("no database")
            forgotten = await store.write_now(lambda db: prune(db, before))
        except StoreError:
            self._next_prune = time.monotonic() + _PRUNE_RETRY_SECONDS
            return 0
        self._next_prune = time.monotonic() + _PRUNE_SECONDS
        if forgotten:
            _LOG.info("%s: %d finished updates forgotten from the inbox", self.platform, forgotten)
        return forgotten

    async def close(self) -> None:
        """Write the last marks, and the spool into the database, trying for up to
        ``_CLOSE_REPLAY_SECONDS`` while it is busy (the processes of a group stopping together
        hold it in turn); what is still left is in the spool, for the next start."""
        if self._flushing is not None:
            await self._flushing
        await self.flush()
        deadline = time.monotonic() + _CLOSE_REPLAY_SECONDS
        while self._store() is not None and self.spool.exists() and time.monotonic() < deadline:
            if await self.replay_spool():
                break
            await asyncio.sleep(0.05)


def apply_spooled(db: sqlite3.Connection, records: list[Record]) -> None:
    """Every spooled record this process knows how to write (see ``bot/store/durable/spool.py``),
    in the order they were appended: the inbox's (``in``, ``done``) and a citizen's events
    (``bot/store/events.py``; one refused at last is logged and skipped)."""
    for record in records:
        if record.get("op") in EVENT_OPS:
            apply_event_records(db, [record])
        else:
            apply_inbox_records(db, [record])


# The SQL -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One update as received: ``body`` its JSON text (sealed, see ``privacy.Sealer``), ``key``
    its generated never-repeating id (the seal's nonce)."""

    platform: str
    bot_id: int
    update_id: int
    key: int
    body: str
    received_at: str
    digest: str | None = None
    """A keyed fingerprint of the update: a redelivery has the same, a new update reusing an old
    update id (a new bot token, a Bot API reset) another."""


#: A new update reusing a recorded update id: both digests known and different.
_TAKEOVER = "(inbox.digest IS NOT NULL AND excluded.digest IS NOT NULL AND inbox.digest != excluded.digest)"


def record(db: sqlite3.Connection, received: Iterable[Received]) -> None:
    """Insert updates not yet there; a redelivery changes nothing, a new update that reuses an old
    update id (its digest differs) takes that row over, to be handled."""
    db.executemany(
        "INSERT INTO inbox (platform, bot_id, update_id, key, body, received_at, digest)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, bot_id, update_id) DO UPDATE SET"
        f" key = CASE WHEN {_TAKEOVER} THEN excluded.key ELSE inbox.key END,"
        f" body = CASE WHEN {_TAKEOVER} THEN excluded.body ELSE inbox.body END,"
        f" received_at = CASE WHEN {_TAKEOVER} THEN excluded.received_at ELSE inbox.received_at END,"
        f" done_at = CASE WHEN {_TAKEOVER} THEN NULL ELSE inbox.done_at END,"
        f" digest = CASE WHEN {_TAKEOVER} THEN excluded.digest"
        " ELSE coalesce(inbox.digest, excluded.digest) END",
        [(r.platform, r.bot_id, r.update_id, r.key, r.body, r.received_at, r.digest) for r in received],
    )


def finish(
    db: sqlite3.Connection,
    platform: str,
    bot_id: int,
    update_ids: Iterable[int],
    at: str,
    replies: Mapping[int, int] | None = None,
    keys: Mapping[int, int] | None = None,
) -> None:
    """Mark updates done and blank their bodies (what a citizen wrote is kept only in ``questions``);
    those with ``replies`` accepted by the Bot API go into ``deliveries`` (the first time only),
    under the update's generated key (``key_text``, as its question's ``update_key``).

    An update not recorded yet (a worker can finish before the polling process's write commits)
    gets a done row at once, with the key it was handed on with (``keys``), which that write then
    leaves as it is."""
    keys = keys or {}
    db.executemany(
        "INSERT INTO inbox (platform, bot_id, update_id, key, body, received_at, done_at)"
        " VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (platform, bot_id, update_id)"
        " DO UPDATE SET done_at = excluded.done_at, body = NULL WHERE done_at IS NULL",
        [(platform, bot_id, update_id, keys.get(update_id) or new_key(), at, at) for update_id in update_ids],
    )
    for update_id, count in (replies or {}).items():
        if count <= 0:
            continue
        key = keys.get(update_id)
        if not key:  # none given: the one its row holds
            row = db.execute(
                "SELECT key FROM inbox WHERE platform = ? AND bot_id = ? AND update_id = ?",
                (platform, bot_id, update_id),
            ).fetchone()
            key = int(row[0]) if row else None
        db.execute(
            "INSERT INTO deliveries (update_key, replies, delivered_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_key) DO NOTHING",
            (key_text(key) if key is not None else update_key(platform, update_id), count, at),
        )


def prune(db: sqlite3.Connection, before: str) -> int:
    """Forget finished updates received before ``before`` (the Bot API keeps updates 24 hours)."""
    return db.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?", (before,)).rowcount


async def waiting(store: Store, platform: str, bot_id: int) -> list[tuple[int, int, str]]:
    """``(update_id, key, body)`` of every update received and not done, oldest first."""
    rows = await store.rows(
        "SELECT update_id, key, body FROM inbox WHERE platform = ? AND bot_id = ? AND done_at IS NULL"
        " ORDER BY update_id",
        (platform, bot_id),
    )
    return [(int(u), int(k), str(b)) for u, k, b in rows]


async def known_ids(
    store: Store, platform: str, bot_id: int, update_ids: Sequence[int]
) -> dict[int, str | None]:
    """Which of ``update_ids`` the inbox already holds, with their digests."""
    if not update_ids:
        return {}
    marks = ",".join("?" * len(update_ids))
    rows = await store.rows(
        f"SELECT update_id, digest FROM inbox WHERE platform = ? AND bot_id = ? AND update_id IN ({marks})",
        (platform, bot_id, *update_ids),
    )
    return {int(u): d for u, d in rows}
