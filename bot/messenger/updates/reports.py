"""What a worker tells the polling process: a heartbeat, and each update it finished.

With ``[general] workers`` above 1 (``bot/messenger/updates/workers.py``), each worker writes
lines back on a duplicate of its feed's socket: ``.`` every ``HEARTBEAT_SECONDS`` (its event loop
still turns) and the update id of every update whose handling ended (its replies sent, or it was
skipped). The polling process keeps each worker's updates until they are reported, so a worker
that dies or freezes costs no citizen a reply: its replacement is given exactly those.

The lines go out on a non-blocking socket of their own, never through the feed's transport, so
a polling process gone away ends the reports, not the reading of updates already sent. A line is
sent whole or its rest is kept for the next try, in order; a line cut short by a worker's death
has no newline and is not read as a report.
"""

from __future__ import annotations

import asyncio
import socket

__all__ = ["HEARTBEAT", "HEARTBEAT_SECONDS", "Reporter", "finished_id"]

#: Seconds between a worker's heartbeats to the polling process.
HEARTBEAT_SECONDS = 1.0
#: The heartbeat line.
HEARTBEAT = b".\n"


def finished_id(line: bytes) -> int | None:
    """The update id a worker reported finished in ``line``; ``None`` for a heartbeat, a line cut
    short (no newline) or anything else."""
    if not line.endswith(b"\n"):
        return None
    body = line[:-1]
    return int(body) if body.isdigit() else None


class Reporter:
    """A worker's side: ``finished`` reports an update, ``run`` sends the heartbeat until cancelled."""

    def __init__(self, channel: socket.socket) -> None:
        channel.setblocking(False)
        self._channel: socket.socket | None = channel
        self._pending = bytearray()
        self.reported = 0

    def finished(self, update_id: int) -> None:
        """Report ``update_id`` finished (sent now, or with the next heartbeat if the socket is full)."""
        if self._channel is None:
            return
        self._pending += b"%d\n" % update_id
        self.reported += 1
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
