"""What a worker tells the polling process: a heartbeat, each update it finished, each mark recorded.

With ``[general] workers`` above 1 (``bot/messenger/updates/workers.py``), each worker writes
lines back on a duplicate of its feed's socket: ``.`` every ``HEARTBEAT_SECONDS`` (its event loop
still turns); ``a<update id>`` the moment the Bot API accepted the update's first reply;
``f<update id> <replies>`` as soon as an update's handling ended (its replies sent, or it was
skipped), with the replies the Bot API accepted; ``r<update id>`` once the update's done mark is
in the database or the spool file. The polling process keeps each worker's updates
until they are reported, so a worker that dies or freezes costs no citizen a reply: its
replacement is given those not finished, and the polling process itself marks done (with their
replies) those finished whose mark the dead worker had not yet written.

The lines go out on a non-blocking socket of their own, never through the feed's transport, so
a polling process gone away ends the reports, not the reading of updates already sent. A line is
sent whole or its rest is kept for the next try, in order; a line cut short by a worker's death
has no newline and is not read as a report.
"""

from __future__ import annotations

import asyncio
import socket
from typing import NamedTuple

__all__ = [
    "ANSWERED",
    "FINISHED",
    "HEARTBEAT",
    "HEARTBEAT_SECONDS",
    "RECORDED",
    "Report",
    "Reporter",
    "read_report",
]

#: Seconds between a worker's heartbeats to the polling process.
HEARTBEAT_SECONDS = 1.0
#: The heartbeat line.
HEARTBEAT = b".\n"


#: The kinds of report: an update's first reply was accepted; its handling ended; its done mark
#: is recorded.
ANSWERED, FINISHED, RECORDED = "a", "f", "r"


class Report(NamedTuple):
    """One report: its kind, the update, and (finished) how many replies the Bot API accepted."""

    kind: str
    update_id: int
    replies: int = 0


def read_report(line: bytes) -> Report | None:
    """The report on ``line`` (``a<update id>``, ``f<update id> <replies>`` or ``r<update id>``);
    ``None`` for a heartbeat, a line cut short (no newline) or anything else."""
    if not line.endswith(b"\n") or len(line) < 3:
        return None
    kind, fields = chr(line[0]), line[1:-1].split(b" ")
    if not all(field.isdigit() for field in fields):
        return None
    if kind == FINISHED and len(fields) == 2:
        return Report(FINISHED, int(fields[0]), int(fields[1]))
    if kind in (ANSWERED, RECORDED) and len(fields) == 1:
        return Report(kind, int(fields[0]), 1 if kind == ANSWERED else 0)
    return None


class Reporter:
    """A worker's side: ``answered``, ``finished`` and ``recorded`` report updates, ``run`` sends
    the heartbeat until cancelled."""

    def __init__(self, channel: socket.socket) -> None:
        channel.setblocking(False)
        self._channel: socket.socket | None = channel
        self._pending = bytearray()
        self.reported = 0

    def answered(self, update_id: int) -> None:
        """Report that the Bot API accepted ``update_id``'s first reply (its handling goes on)."""
        self._report(b"%s%d\n" % (ANSWERED.encode(), update_id), 1)

    def finished(self, update_id: int, replies: int = 0) -> None:
        """Report ``update_id`` finished, ``replies`` of its replies accepted by the Bot API (sent
        now, or with the next heartbeat if the socket is full)."""
        self._report(b"%s%d %d\n" % (FINISHED.encode(), update_id, replies), 1)

    def recorded(self, update_ids: list[int]) -> None:
        """Report the done marks of ``update_ids`` recorded (in the database or the spool)."""
        prefix = RECORDED.encode()
        self._report(b"".join(b"%s%d\n" % (prefix, update_id) for update_id in update_ids), len(update_ids))

    def _report(self, lines: bytes, count: int) -> None:
        if self._channel is None:
            return
        self._pending += lines
        self.reported += count
        self._send()

    def _send(self) -> None:
        if self._channel is None or not self._pending:
            return
        try:
            sent = self._channel.send(self._pending)
        except BlockingIOError:
            return  # the polling process is not reading just now: the rest goes with the next beat
        except OSError:
            self.close()  # the polling process is gone
            return
        del self._pending[:sent]

    async def run(self) -> None:
        """A heartbeat every ``HEARTBEAT_SECONDS`` (and whatever waits to be sent), until cancelled."""
        try:
            while self._channel is not None:
                if not self._pending:
                    self._pending += HEARTBEAT
                self._send()
                await asyncio.sleep(HEARTBEAT_SECONDS)
        finally:
            self.close()

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._pending.clear()
